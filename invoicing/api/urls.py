"""The invoice API: /api/invoices, /api/invoices/{id}, its pdf, payments, credit notes,
refunds and reissue; /api/credit-notes."""

from django.urls import path

from . import credit_note_views, payment_views, views

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
    path(
        "invoices/<int:pk>/credit-notes",
        credit_note_views.InvoiceCreditNotesView.as_view(),
        name="api-invoice-credit-notes",
    ),
    path(
        "invoices/<int:pk>/refunds",
        credit_note_views.InvoiceRefundsView.as_view(),
        name="api-invoice-refunds",
    ),
    path(
        "invoices/<int:pk>/reissue",
        credit_note_views.InvoiceReissueView.as_view(),
        name="api-invoice-reissue",
    ),
    path(
        "credit-notes", credit_note_views.CreditNoteListView.as_view(), name="api-credit-note-list"
    ),
    path(
        "credit-notes/<int:pk>",
        credit_note_views.CreditNoteDetailView.as_view(),
        name="api-credit-note-detail",
    ),
]
