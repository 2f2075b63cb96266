"""The customer portal at /customer-portal/: catalog, cart, checkout, orders."""

from django.urls import path

from accounts import views as account_views

app_name = "portal"

urlpatterns = [
    path("", account_views.customer_dashboard, name="dashboard"),
]
