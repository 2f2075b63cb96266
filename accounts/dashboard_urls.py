"""Each role's landing page, mounted at its own prefix by the root URLconf."""

from django.urls import path

from . import views


def dashboard_patterns(view, namespace):
    return ([path("", view, name="dashboard")], namespace)


retailer = dashboard_patterns(views.retailer_dashboard, "retailer")
distributor = dashboard_patterns(views.distributor_dashboard, "distributor")
manufacturer = dashboard_patterns(views.manufacturer_dashboard, "manufacturer")
