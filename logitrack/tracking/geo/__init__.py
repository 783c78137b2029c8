"""Geofences, fix plausibility, trips and stops: geometry over a device's positions."""
