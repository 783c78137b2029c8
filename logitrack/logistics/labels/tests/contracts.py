"""Isolation contracts of the labels API, registered from ``tests/isolation/contracts.py``.

Shipments are made and named exactly as in the shipments API's contracts: another tenant's
waybill and one that exists nowhere must both answer 404 ``waybill_not_found``.
"""

from __future__ import annotations

from logitrack.logistics.tests.contracts import _by_waybill, _fixed, _waybill, shipment
from logitrack.tenancy.roles import Permission
from tests.isolation.contract import Contract, contract

_v1 = "/api/v1"

contract(
    Contract(
        "api-1:shipment_label",
        "GET",
        Permission.OPERATIONS_VIEW,
        _by_waybill(f"{_v1}/shipments/{{}}/label"),
        **shipment,
    )
)
contract(
    Contract(
        "api-1:labels_print",
        "POST",
        Permission.OPERATIONS_VIEW,
        _fixed(f"{_v1}/labels"),
        body=lambda world, pk: {"waybills": [_waybill(pk)], "size": "a6"},
        json=True,
        **shipment,
    )
)
