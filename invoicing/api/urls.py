"""The invoice API: /api/invoices, /api/invoices/{id}, /api/invoices/{id}/pdf."""

from django.urls import path

from . import views

urlpatterns = [
    path("invoices", views.InvoiceListView.as_view(), name="api-invoice-list"),
    path("invoices/<int:pk>", views.InvoiceDetailView.as_view(), name="api-invoice-detail"),
    path("invoices/<int:pk>/pdf", views.InvoicePdfView.as_view(), name="api-invoice-pdf"),
]
