"""A distributor's price lists, at /distributor/price-lists/."""

from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("", views.DistributorPriceListsView.as_view(), name="list"),
    path("export.csv", views.DistributorPriceLinesExportView.as_view(), name="export"),
    path("<int:pk>/", views.DistributorPriceListView.as_view(), name="detail"),
]
