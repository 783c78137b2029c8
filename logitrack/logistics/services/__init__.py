"""Writes to orders and shipments, split by entity (orders, shipments, transitions, numbering).

Import the services from their modules, e.g.
``from logitrack.logistics.services.transitions import shipment_record_event``.
"""
