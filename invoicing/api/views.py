"""The invoice API: the caller's invoices, one invoice, and its PDF.

Buyers (a customer, or the members of a retailer organization), the
distributor that sold and staff with the view permission; a manufacturer gets
403, an anonymous caller 401. Another party's invoice is 404, for the invoice
and for its PDF (invoicing.selectors scopes every read).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema
from auromart.api.fields import MAX_ID

from .. import selectors
from ..models import Invoice
from ..views import pdf_response
from .serializers import InvoiceListQuerySerializer, InvoiceListSerializer, InvoiceSerializer

COMMON = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}


class MayViewInvoices(BasePermission):
    message = "Your account has no invoices."

    def has_permission(self, request, view):
        return selectors.may_view_invoices(request.user)


class PDFRenderer(BaseRenderer):
    """What the PDF endpoint serves (the document itself is a FileResponse)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class PDFOnly(BaseContentNegotiation):
    """The PDF whatever the client's Accept header says (DRF's "ignore the client" recipe)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


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


class InvoicePdfView(APIView):
    permission_classes = [MayViewInvoices]
    renderer_classes = [PDFRenderer]
    content_negotiation_class = PDFOnly

    def handle_exception(self, exc):
        # Errors (401, 403, 404) are the API's JSON error body, not a PDF.
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)

    @extend_schema(
        summary="An invoice as PDF",
        description=(
            "The invoice document (`application/pdf`, named after its number), rendered "
            "first if the stored file is missing. Another party's invoice is 404."
        ),
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The PDF document."
            ),
            (401, "application/json"): schema.UNAUTHORIZED,
            (403, "application/json"): schema.FORBIDDEN,
            (404, "application/json"): schema.NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        response = pdf_response(invoice_of(request, pk))
        response["Cache-Control"] = "private"
        return response
