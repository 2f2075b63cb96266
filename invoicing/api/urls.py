"""The invoice API: /api/invoices, /api/invoices/{id}, its pdf and its payments."""

from django.urls import path

from . import payment_views, views

urlpatterns = [
    path("invoices", views.InvoiceListView.as_view(), name="api-invoice-list"),
    path("invoices/<int:pk>", views.InvoiceDetailView.as_view(), name="api-invoice-detail"),
    path("invoices/<int:pk>/pdf", views.InvoicePdfView.as_view(), name="api-invoice-pdf"),
    path(
        "invoices/<int:pk>/payments",
        payment_views.InvoicePaymentListView.as_view(),
        name="api-invoice-payments",
    ),
    path(
        "invoices/<int:pk>/payments/<int:payment_pk>/bounce",
        payment_views.PaymentBounceView.as_view(),
        name="api-invoice-payment-bounce",
    ),
]
