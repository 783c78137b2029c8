"""Writes of the partners register, disclosure log and breach register: one module per entity."""
