from django.urls import path

from catalog.api import supplier_views

from . import replenishment_views, views

urlpatterns = [
    path(
        "replenishment",
        replenishment_views.ReplenishmentListView.as_view(),
        name="api-procurement-replenishment",
    ),
    path(
        "replenishment/order-now",
        replenishment_views.ReplenishmentOrderNowView.as_view(),
        name="api-procurement-replenishment-order-now",
    ),
    path(
        "replenishment/snooze",
        replenishment_views.ReplenishmentSnoozeView.as_view(),
        name="api-procurement-replenishment-snooze",
    ),
    path(
        "suppliers/scorecard",
        replenishment_views.ScorecardView.as_view(),
        name="api-procurement-scorecard",
    ),
    path(
        "supplier-lines",
        supplier_views.SupplierLineListCreateView.as_view(actor="staff"),
        name="api-procurement-supplier-lines",
    ),
    path(
        "supplier-lines/<int:pk>",
        supplier_views.SupplierLineDetailView.as_view(actor="staff"),
        name="api-procurement-supplier-line",
    ),
    path("requests", views.ProcurementRequestListView.as_view(), name="api-procurement-requests"),
    path(
        "<int:pk>/approve",
        views.ProcurementRequestApproveView.as_view(),
        name="api-procurement-approve",
    ),
    path(
        "<int:pk>/reject",
        views.ProcurementRequestRejectView.as_view(),
        name="api-procurement-reject",
    ),
    path(
        "purchase-orders",
        views.PurchaseOrderListView.as_view(),
        name="api-purchase-order-list",
    ),
    path(
        "purchase-orders/<int:pk>",
        views.PurchaseOrderDetailView.as_view(),
        name="api-purchase-order-detail",
    ),
    path(
        "purchase-orders/<int:pk>/approve",
        views.PurchaseOrderApproveView.as_view(),
        name="api-purchase-order-approve",
    ),
    path(
        "purchase-orders/<int:pk>/receive",
        views.PurchaseOrderReceiveView.as_view(),
        name="api-purchase-order-receive",
    ),
]
