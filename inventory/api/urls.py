"""The distributor's stock API, mounted at /api/distributor/."""

from django.urls import path

from . import views, warehouse_views

urlpatterns = [
    path("inventory", views.DistributorStockListView.as_view(), name="api-distributor-stock-list"),
    path(
        "inventory/<int:pk>",
        views.DistributorStockDetailView.as_view(),
        name="api-distributor-stock-detail",
    ),
    path(
        "warehouses",
        warehouse_views.WarehouseListView.as_view(),
        name="api-distributor-warehouse-list",
    ),
    path(
        "warehouses/<int:pk>",
        warehouse_views.WarehouseDetailView.as_view(),
        name="api-distributor-warehouse-detail",
    ),
    path(
        "warehouses/<int:pk>/stock",
        warehouse_views.WarehouseStockListView.as_view(),
        name="api-distributor-warehouse-stock",
    ),
]
