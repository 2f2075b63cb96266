"""The customer portal at /customer-portal/: catalog, cart, checkout, orders.

The buying flow of orders.views with a person as the buyer and the store as
the distributor (orders.buying_urls builds the same patterns for retailers).
"""

from django.urls import path

from . import views
from .buyer import PORTAL
from .buying_urls import order_paths, shop_paths

app_name = "portal"

urlpatterns = [
    # The catalog is the portal's home: `dashboard` is what the navigation
    # and dashboard_url() use, `catalog` reads better in templates.
    path("", views.CatalogView.as_view(channel=PORTAL), name="dashboard"),
    *shop_paths(PORTAL),
    *order_paths(PORTAL),
]
