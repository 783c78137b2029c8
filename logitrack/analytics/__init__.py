"""Reporting: read-only KPIs and first-party usage analytics (docs/adr/0035)."""
