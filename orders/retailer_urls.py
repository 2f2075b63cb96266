"""The retailer's pages at /retailer/: dashboard, distributors, and the buying flow
(orders.views with the organization as buyer) at each distributor."""

from django.urls import include, path

from accounts.views import retailer_dashboard

from .buyer import RETAILER
from .buying_urls import order_paths, shop_paths
from .retailer_views import DistributorListView

app_name = "retailer"

urlpatterns = [
    path("", retailer_dashboard, name="dashboard"),
    path("distributors/", DistributorListView.as_view(), name="distributors"),
    path("distributors/<int:distributor_id>/", include(shop_paths(RETAILER))),
    *order_paths(RETAILER),
]
