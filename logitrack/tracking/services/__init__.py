"""Write paths of the tracking app, one module per entity."""
