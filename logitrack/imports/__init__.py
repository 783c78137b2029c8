"""Bulk import of orders from CSV and XLSX files (issue 7, point 10; docs/adr/0022)."""
