"""Invoice pages, mounted at /invoices/."""

from django.urls import path

from . import credit_note_views, payment_views, views

app_name = "invoicing"

urlpatterns = [
    path("", views.InvoiceListView.as_view(), name="list"),
    # Before the invoice patterns: "statements" would otherwise read as a seller.
    path("statements/<str:buyer>/", payment_views.StatementView.as_view(), name="statement"),
    path(
        "statements/<str:buyer>/pdf/",
        payment_views.StatementPdfView.as_view(),
        name="statement_pdf",
    ),
    path("credit-notes/", credit_note_views.CreditNoteListView.as_view(), name="credit_notes"),
    path(
        "credit-notes/<str:seller>/<str:number>/",
        credit_note_views.CreditNoteDetailView.as_view(),
        name="credit_note_detail",
    ),
    path(
        "credit-notes/<str:seller>/<str:number>/pdf/",
        credit_note_views.CreditNotePdfView.as_view(),
        name="credit_note_pdf",
    ),
    # Numbers are unique per seller (GST series), so the seller's key comes first.
    path("<str:seller>/<str:number>/", views.InvoiceDetailView.as_view(), name="detail"),
    path("<str:seller>/<str:number>/pdf/", views.InvoicePdfView.as_view(), name="pdf"),
    path(
        "<str:seller>/<str:number>/payments/new/",
        payment_views.PaymentCreateView.as_view(),
        name="payment_new",
    ),
    path(
        "<str:seller>/<str:number>/payments/<int:pk>/bounce/",
        payment_views.PaymentBounceView.as_view(),
        name="payment_bounce",
    ),
    path(
        "<str:seller>/<str:number>/credit-notes/new/",
        credit_note_views.CreditNoteCreateView.as_view(),
        name="credit_note_new",
    ),
    path(
        "<str:seller>/<str:number>/refunds/new/",
        credit_note_views.RefundCreateView.as_view(),
        name="refund_new",
    ),
    path(
        "<str:seller>/<str:number>/reissue/",
        credit_note_views.InvoiceReissueView.as_view(),
        name="reissue",
    ),
]
