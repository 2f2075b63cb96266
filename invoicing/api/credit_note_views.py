"""The credit note API (issue 24): the caller's credit notes, one credit note, and on an
invoice: its credit notes (GET, POST to issue one), its refunds (GET, POST) and a reissue.

Reads are scoped like invoices (another party's credit note or invoice is 404).
Writes are the selling distributor's members' and staff's with the permission
(a buyer on its own invoice gets 403); a bad body 400 with field errors.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema
from auromart.api.fields import MAX_ID

from .. import credit_note_selectors as selectors
from ..credit_notes import credit_note_issue
from ..models import CreditNote, Refund, RefundMethod
from ..refunds import RefundPending, refund_record, refund_through_gateway
from ..reissue import invoice_reissue
from .credit_note_serializers import (
    CreditNoteInputSerializer,
    CreditNoteListSerializer,
    CreditNoteSerializer,
    RefundInputSerializer,
    RefundSerializer,
)
from .serializers import InvoiceSerializer
from .views import COMMON, MayViewInvoices, invoice_of


def _creditable(request, pk: int):
    invoice = invoice_of(request, pk)
    if not selectors.may_issue_credit_note(request.user, invoice):
        raise PermissionDenied("Only the seller and finance staff credit an invoice.")
    return invoice


class CreditNoteListView(generics.ListAPIView):
    serializer_class = CreditNoteListSerializer
    permission_classes = [MayViewInvoices]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditNote.objects.none()
        return selectors.credit_note_list(user=self.request.user)

    @extend_schema(
        summary="Your credit notes, newest first",
        description="Those on the invoices you see (issued by you, or to you). Paginated.",
        responses={200: CreditNoteListSerializer(many=True), 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CreditNoteDetailView(APIView):
    permission_classes = [MayViewInvoices]

    @extend_schema(
        summary="One credit note with its lines",
        responses={200: CreditNoteSerializer, 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, pk: int):
        note = None
        if pk <= MAX_ID:
            note = (
                selectors.credit_note_list(user=request.user)
                .prefetch_related("lines")
                .filter(pk=pk)
                .first()
            )
        if note is None:
            raise NotFound()
        return Response(CreditNoteSerializer(note).data)


class InvoiceCreditNotesView(generics.ListAPIView):
    serializer_class = CreditNoteSerializer
    permission_classes = [MayViewInvoices]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditNote.objects.none()
        invoice = invoice_of(self.request, self.kwargs["pk"])
        return selectors.credit_note_list(user=self.request.user, invoice=invoice).prefetch_related(
            "lines"
        )

    @extend_schema(
        summary="An invoice's credit notes",
        responses={200: CreditNoteSerializer(many=True), 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Issue a credit note against an invoice",
        description=(
            "The selling distributor's members and finance staff. `price`: a taxable value per "
            "invoice line, at most what is left on it; `cancellation`: everything not credited "
            "yet. The credit note gets the seller's next CN number, the invoice's GST split, "
            "and is e-mailed to the buyer. More than is left is a 400 naming the line "
            "(`line_<id>`)."
        ),
        request=CreditNoteInputSerializer,
        responses={
            201: CreditNoteSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def post(self, request, pk: int):
        invoice = _creditable(request, pk)
        data = CreditNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        amounts = {row["invoice_line_id"]: row["amount"] for row in values.get("amounts") or []}
        note = credit_note_issue(
            invoice=invoice,
            by=request.user,
            kind=values["kind"],
            amounts=amounts or None,
            reason=values["reason"],
        )
        return Response(CreditNoteSerializer(note).data, status=status.HTTP_201_CREATED)


class InvoiceRefundsView(generics.ListAPIView):
    serializer_class = RefundSerializer
    permission_classes = [MayViewInvoices]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Refund.objects.none()
        return selectors.refund_list(invoice=invoice_of(self.request, self.kwargs["pk"]))

    @extend_schema(
        summary="An invoice's refunds",
        responses={200: RefundSerializer(many=True), 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Refund the buyer what it is owed on an invoice",
        description=(
            "At most the invoice's credit owed (paid beyond what is owed after credit notes). "
            "`gateway`: back through the payment gateway, for money paid online (201 when the "
            "provider confirmed it, 202 while it is pending and retried); other methods record "
            "a refund made by hand (a reference is required except for cash). The same "
            "`idempotency_key` again answers the same refund (200)."
        ),
        request=RefundInputSerializer,
        responses={
            201: RefundSerializer,
            200: RefundSerializer,
            202: RefundSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def post(self, request, pk: int):
        invoice = _creditable(request, pk)
        data = RefundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = values["idempotency_key"]
        known = bool(key) and Refund.objects.filter(idempotency_key=key).exists()
        try:
            if values["method"] == RefundMethod.GATEWAY:
                refund = refund_through_gateway(
                    invoice=invoice, by=request.user, amount=values["amount"], idempotency_key=key
                )
            else:
                refund = refund_record(
                    invoice=invoice,
                    by=request.user,
                    amount=values["amount"],
                    method=values["method"],
                    reference=values["reference"],
                    refunded_on=values["refunded_on"],
                    idempotency_key=key,
                )
        except RefundPending as pending:
            return Response(RefundSerializer(pending.refund).data, status=status.HTTP_202_ACCEPTED)
        if refund.invoice_id != invoice.pk:
            raise ValidationError({"idempotency_key": "This key belongs to another refund."})
        code = status.HTTP_200_OK if known else status.HTTP_201_CREATED
        return Response(RefundSerializer(refund).data, status=code)


class InvoiceReissueView(APIView):
    permission_classes = [MayViewInvoices]

    @extend_schema(
        summary="Invoice a fully credited invoice's shipment again",
        description=(
            "After a full credit note (or a void), the shipment is invoiced again with the "
            "seller's next number; the new invoice names the one it replaces. 400 when the "
            "invoice is not fully credited or was already reissued."
        ),
        request=None,
        responses={
            201: InvoiceSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def post(self, request, pk: int):
        invoice = _creditable(request, pk)
        new = invoice_reissue(invoice=invoice, by=request.user)
        new = invoice_of(request, new.pk)
        return Response(InvoiceSerializer(new).data, status=status.HTTP_201_CREATED)
