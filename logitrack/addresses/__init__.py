"""Vietnamese addresses in the 2025 two-tier units (34 provinces; communes/wards; no district).

The public interface, used by forms, the API and the spreadsheet import::

    from logitrack.addresses import address_resolve, ResolvedAddress, AddressUnresolved, Candidate

Pure code over the ``vietnam-provinces`` data (no models); see ADR 0020.
"""

from logitrack.addresses.errors import AddressUnresolved, Candidate
from logitrack.addresses.resolve import ResolvedAddress, address_resolve

__all__ = ["AddressUnresolved", "Candidate", "ResolvedAddress", "address_resolve"]
