"""Supplier-facing pages: the signed link from the PO e-mail and the supplier's PO list."""

from django.urls import path

from . import replenishment_views, scorecard_views, views

app_name = "procurement"

urlpatterns = [
    path(
        "replenishment/",
        replenishment_views.ReplenishmentView.as_view(actor=replenishment_views.STAFF),
        name="replenishment",
    ),
    path("suppliers/scorecard/", scorecard_views.ScorecardView.as_view(), name="scorecard"),
    path("po/<str:token>/", views.AnswerByLinkView.as_view(), name="answer"),
    path("po/<str:token>/pdf/", views.pdf_by_link, name="answer_pdf"),
    path("purchase-orders/", views.SupplierPurchaseOrderListView.as_view(), name="supplier_pos"),
    path(
        "purchase-orders/<str:number>/",
        views.SupplierPurchaseOrderView.as_view(),
        name="supplier_po",
    ),
    path(
        "purchase-orders/<str:number>/pdf/",
        views.SupplierPurchaseOrderPdfView.as_view(),
        name="supplier_po_pdf",
    ),
]
