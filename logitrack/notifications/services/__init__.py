"""Writes of the notifications app, split by concern: subscriptions (the member's choices),
notifications (creating them for subscribers, reading them), producers (the periodic jobs that
turn geofence events, silent devices and fast positions into notifications) and e-mail."""
