"""The distributor's pages at /distributor/: its dashboard, inventory and incoming orders."""

from django.urls import path

from accounts import agreement_views
from accounts.models import Role
from accounts.views import distributor_dashboard
from inventory import views as inventory_views
from inventory import warehouse_views
from procurement import replenishment_views

from . import distributor_views as views
from . import shipment_views

app_name = "distributor"

urlpatterns = [
    path(
        "agreements/",
        agreement_views.AgreementListView.as_view(roles=(Role.DISTRIBUTOR,)),
        name="agreements",
    ),
    path(
        "agreements/<int:pk>/<slug:action>/",
        agreement_views.AgreementMoveView.as_view(roles=(Role.DISTRIBUTOR,)),
        name="agreement_move",
    ),
    path("", distributor_dashboard, name="dashboard"),
    path("inventory/", inventory_views.DistributorInventoryView.as_view(), name="inventory"),
    path(
        "inventory/<int:pk>/reorder/",
        inventory_views.DistributorReorderUpdateView.as_view(),
        name="stock_reorder",
    ),
    path(
        "inventory/<int:pk>/count/",
        inventory_views.DistributorCountView.as_view(),
        name="stock_count",
    ),
    path("warehouses/", warehouse_views.WarehouseListView.as_view(), name="warehouses"),
    path(
        "warehouses/<int:pk>/",
        warehouse_views.WarehouseEditView.as_view(),
        name="warehouse_edit",
    ),
    path(
        "replenishment/",
        replenishment_views.ReplenishmentView.as_view(actor=replenishment_views.DISTRIBUTOR),
        name="replenishment",
    ),
    path("orders/", views.DistributorOrderListView.as_view(), name="orders"),
    path("orders/bulk/", views.DistributorOrderBulkView.as_view(), name="orders_bulk"),
    path("orders/pick-list.pdf", shipment_views.PickListView.as_view(), name="pick_list"),
    path("orders/<str:number>/", views.DistributorOrderDetailView.as_view(), name="order"),
    path("orders/<str:number>/move/", views.DistributorOrderMoveView.as_view(), name="order_move"),
    path("orders/<str:number>/ship/", shipment_views.OrderShipView.as_view(), name="order_ship"),
    path(
        "shipments/<str:number>/deliver/",
        shipment_views.ShipmentDeliverView.as_view(),
        name="shipment_deliver",
    ),
    path(
        "shipments/<str:number>/packing-slip.pdf",
        shipment_views.PackingSlipView.as_view(),
        name="packing_slip",
    ),
]
