"""Pages of the tracking app: devices, their position history and exports, vehicles and drivers,
the tenant's plain-HTTP setting, and the security officer's view of plain-HTTP use."""
