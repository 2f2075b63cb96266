"""The retailer API, mounted at /api/retailer/: distributors, a distributor's catalog, orders."""

from django.urls import path

from catalog.api import retailer_views as catalog_views

from . import quick_order_views, retailer_views

urlpatterns = [
    path(
        "distributors",
        catalog_views.RetailerDistributorListView.as_view(),
        name="api-retailer-distributor-list",
    ),
    path("catalog", catalog_views.RetailerCatalogView.as_view(), name="api-retailer-catalog"),
    path(
        "quick-order",
        quick_order_views.RetailerQuickOrderView.as_view(),
        name="api-retailer-quick-order",
    ),
    path(
        "orders",
        retailer_views.RetailerOrderListCreateView.as_view(),
        name="api-retailer-order-list",
    ),
    path(
        "orders/<int:pk>",
        retailer_views.RetailerOrderDetailView.as_view(),
        name="api-retailer-order-detail",
    ),
    path(
        "orders/<int:pk>/cancel-backorder",
        retailer_views.RetailerBackorderCancelView.as_view(),
        name="api-retailer-order-backorder-cancel",
    ),
]
