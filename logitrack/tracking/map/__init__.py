"""The live map, the history playback of a device's day, and the reads behind them
(docs/adr/0056)."""
