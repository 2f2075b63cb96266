"""The distributor's order API, mounted at /api/distributor/."""

from django.urls import path

from . import distributor_views as views
from . import shipment_views

urlpatterns = [
    path("orders", views.DistributorOrderListView.as_view(), name="api-distributor-order-list"),
    path(
        "orders/<int:pk>",
        views.DistributorOrderDetailView.as_view(),
        name="api-distributor-order-detail",
    ),
    path(
        "orders/<int:pk>/accept",
        views.DistributorOrderAcceptView.as_view(),
        name="api-distributor-order-accept",
    ),
    path(
        "orders/<int:pk>/reject",
        views.DistributorOrderRejectView.as_view(),
        name="api-distributor-order-reject",
    ),
    path(
        "orders/<int:pk>/release",
        views.DistributorOrderReleaseView.as_view(),
        name="api-distributor-order-release",
    ),
    path(
        "orders/<int:pk>/status",
        views.DistributorOrderStatusView.as_view(),
        name="api-distributor-order-status",
    ),
    path(
        "orders/<int:pk>/shipments",
        shipment_views.OrderShipmentsView.as_view(),
        name="api-distributor-order-shipments",
    ),
    path(
        "shipments/<int:pk>/deliver",
        shipment_views.ShipmentDeliverView.as_view(),
        name="api-distributor-shipment-deliver",
    ),
    path(
        "shipments/<int:pk>/packing-slip",
        shipment_views.PackingSlipView.as_view(),
        name="api-distributor-shipment-packing-slip",
    ),
    path("pick-list", shipment_views.PickListView.as_view(), name="api-distributor-pick-list"),
]
