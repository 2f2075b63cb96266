"""The distributor's stock API, mounted at /api/distributor/."""

from django.urls import path

from . import views

urlpatterns = [
    path("inventory", views.DistributorStockListView.as_view(), name="api-distributor-stock-list"),
    path(
        "inventory/<int:pk>",
        views.DistributorStockDetailView.as_view(),
        name="api-distributor-stock-detail",
    ),
]
