"""Dispatcher pages of orders and shipments, split by entity; the dashboard's pieces.

Each view parses its input with a form, gets objects through the selectors (which check the
principal's permission and tenant), calls a service for any change, and renders. No ORM here.
"""
