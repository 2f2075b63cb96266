"""Invoice pages, mounted at /invoices/."""

from django.urls import path

from . import views

app_name = "invoicing"

urlpatterns = [
    path("", views.InvoiceListView.as_view(), name="list"),
    # Numbers are unique per seller (GST series), so the seller's key comes first.
    path("<str:seller>/<str:number>/", views.InvoiceDetailView.as_view(), name="detail"),
    path("<str:seller>/<str:number>/pdf/", views.InvoicePdfView.as_view(), name="pdf"),
]
