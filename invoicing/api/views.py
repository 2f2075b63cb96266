"""The invoice API: the caller's invoices, one invoice, and its PDF.

Buyers (a customer, or the members of a retailer organization), the
distributor that sold and staff with the view permission; a manufacturer gets
403, an anonymous caller 401. Another party's invoice is 404, for the invoice
and for its PDF (invoicing.selectors scopes every read).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema
from auromart.api.fields import MAX_ID
from auromart.api.pdf import PdfApiView, pdf_responses

from .. import selectors
from ..models import Invoice
from ..views import pdf_response
from .serializers import InvoiceListQuerySerializer, InvoiceListSerializer, InvoiceSerializer

COMMON = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}


class MayViewInvoices(BasePermission):
    message = "Your account has no invoices."

    def has_permission(self, request, view):
        return selectors.may_view_invoices(request.user)


def invoice_of(request, pk: int) -> Invoice:
    """The caller's invoice `pk` with its lines; another party's (or none) is 404."""
    invoice = None if pk > MAX_ID else selectors.invoice_for_user(user=request.user, pk=pk)
    if invoice is None:
        raise NotFound()
    return invoice


class InvoiceListView(generics.ListAPIView):
    serializer_class = InvoiceListSerializer
    permission_classes = [MayViewInvoices]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Invoice.objects.none()
        query = InvoiceListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return selectors.invoice_list(
            user=self.request.user,
            status=data.get("status", ""),
            issued_after=data.get("issued_after"),
            issued_before=data.get("issued_before"),
            search=data.get("search", ""),
        )

    @extend_schema(
        summary="Your invoices, newest first",
        description=(
            "A customer sees the invoices of their own orders, a retailer member those billed "
            "to the organization, a distributor member those it issued; staff with the view "
            "permission see all. Filter by `status`, by the issue date (`issued_after` / "
            "`issued_before`, inclusive) and `search`. Paginated."
        ),
        parameters=[InvoiceListQuerySerializer],
        responses={
            200: InvoiceListSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class InvoiceDetailView(APIView):
    permission_classes = [MayViewInvoices]

    @extend_schema(
        summary="One invoice",
        description=(
            "Everything its PDF shows: the seller's and buyer's details as printed, the "
            "order, the lines, subtotal, tax, total, and payment or voiding. Another party's "
            "invoice is 404."
        ),
        responses={200: InvoiceSerializer, 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, pk: int):
        invoice = invoice_of(request, pk)
        return Response(InvoiceSerializer(invoice, context={"request": request}).data)


class InvoicePdfView(PdfApiView):
    permission_classes = [MayViewInvoices]

    @extend_schema(
        summary="An invoice as PDF",
        description=(
            "The invoice document (`application/pdf`, named after its number), rendered "
            "first if the stored file is missing. Another party's invoice is 404."
        ),
        responses=pdf_responses("The PDF document."),
    )
    def get(self, request, pk: int):
        response = pdf_response(invoice_of(request, pk))
        response["Cache-Control"] = "private"
        return response
