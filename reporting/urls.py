"""Report pages, mounted at /reports/ (namespace `reporting`)."""

from django.urls import path

from . import receivables, returns_report, views

app_name = "reporting"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("sales/", views.SalesView.as_view(), name="sales"),
    path("monthly/", views.MonthlyView.as_view(), name="monthly"),
    path("fulfillment/", views.FulfillmentView.as_view(), name="fulfillment"),
    path("stock/", views.StockView.as_view(), name="stock"),
    path("procurement/", views.ProcurementView.as_view(), name="procurement"),
    path("receivables/", receivables.ReceivablesView.as_view(), name="receivables"),
    path("returns/", returns_report.ReturnsView.as_view(), name="returns"),
    path("exports/<uuid:public_id>/", views.ExportJobView.as_view(), name="export_job"),
]
