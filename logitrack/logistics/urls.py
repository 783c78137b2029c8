"""Dispatcher pages of orders and shipments, under /operations/.

Orders take an integer id (``<id:...>``); shipments their waybill, as people say it. Both are
looked up in the principal's tenant only, so the isolation contract applies.
"""

from django.urls import path

from logitrack.logistics.views import bulk, carriers, orders, shipments

app_name = "logistics"

urlpatterns = [
    path("operations/shipments/", shipments.shipment_list, name="shipments"),
    path("operations/shipments/bulk/", bulk.shipments_bulk, name="shipments-bulk"),
    path("operations/shipments/<str:waybill>/", shipments.shipment_detail, name="shipment"),
    path(
        "operations/shipments/<str:waybill>/status/",
        shipments.shipment_status,
        name="shipment-status",
    ),
    path(
        "operations/shipments/<str:waybill>/carrier/",
        carriers.shipment_carrier_change,
        name="shipment-carrier",
    ),
    path("operations/orders/", orders.order_list, name="orders"),
    path("operations/orders/new/", orders.order_new, name="order-create"),
    path("operations/orders/communes/", orders.commune_options, name="communes"),
    path("operations/orders/<id:order_id>/", orders.order_detail, name="order"),
    path("operations/orders/<id:order_id>/edit/", orders.order_change, name="order-edit"),
]
