"""The payments of an invoice: /api/invoices/{id}/payments (GET, POST) and a cheque's bounce.

Anyone who may see the invoice lists its payments; the selling distributor's
members and finance staff (`invoicing.mark_paid_invoice`) record them and
mark cheques bounced, through invoicing.receipts as the pages do. Another
party's invoice (or payment) is 404; a buyer recording on its own invoice 403;
a bad body 400 with field errors; an invoice that owes nothing 409.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema
from auromart.api.exceptions import error_response
from auromart.api.fields import MAX_ID

from .. import selectors
from ..exceptions import InvoiceStateError
from ..models import InvoicePayment
from ..receipts import invoice_payment_bounce, invoice_payment_record
from .serializers import BounceInputSerializer, PaymentInputSerializer, PaymentSerializer
from .views import COMMON, MayViewInvoices, invoice_of


def _recordable(request, pk: int):
    invoice = invoice_of(request, pk)
    if not selectors.may_record_payment(request.user, invoice):
        raise PermissionDenied("Only the seller and finance staff record payments.")
    return invoice


def _refused(exc: Exception) -> Response:
    if isinstance(exc, InvoiceStateError):
        return error_response(exc.message, exc.code, status.HTTP_409_CONFLICT)
    raise exc  # a Django ValidationError: the API's handler makes it a 400 with field errors


class InvoicePaymentListView(generics.ListAPIView):
    serializer_class = PaymentSerializer
    permission_classes = [MayViewInvoices]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InvoicePayment.objects.none()
        invoice = invoice_of(self.request, self.kwargs["pk"])
        return selectors.payment_list(user=self.request.user, invoice=invoice)

    @extend_schema(
        summary="An invoice's payments, newest first",
        description="Recorded and bounced payments of one of your invoices. Paginated.",
        responses={200: PaymentSerializer(many=True), 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Record a payment against an invoice",
        description=(
            "The selling distributor's members and finance staff. `amount` is at most the "
            "balance due; the invoice becomes partially paid or paid. Recording the same "
            "method, reference and amount again answers the first payment with 200."
        ),
        request=PaymentInputSerializer,
        responses={
            201: PaymentSerializer,
            200: PaymentSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            409: schema.CONFLICT,
            **COMMON,
        },
    )
    def post(self, request, pk: int):
        invoice = _recordable(request, pk)
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        before = InvoicePayment.objects.filter(invoice=invoice).count()
        try:
            payment = invoice_payment_record(
                invoice=invoice, by=request.user, **data.validated_data
            )
        except (InvoiceStateError, ValidationError) as exc:
            return _refused(exc)
        created = InvoicePayment.objects.filter(invoice=invoice).count() > before
        return Response(
            PaymentSerializer(payment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class PaymentBounceView(APIView):
    permission_classes = [MayViewInvoices]

    @extend_schema(
        summary="Mark a cheque bounced",
        description=(
            "The payment stops counting: the invoice's balance and status go back, and the "
            "buyer is e-mailed. Only a recorded cheque can bounce (else 409)."
        ),
        request=BounceInputSerializer,
        responses={
            200: PaymentSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            409: schema.CONFLICT,
            **COMMON,
        },
    )
    def post(self, request, pk: int, payment_pk: int):
        invoice = _recordable(request, pk)
        payment = None
        if payment_pk <= MAX_ID:
            payment = next((p for p in invoice.payments.all() if p.pk == payment_pk), None)
        if payment is None:
            raise NotFound()
        data = BounceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            invoice_payment_bounce(payment=payment, by=request.user, **data.validated_data)
        except (InvoiceStateError, ValidationError) as exc:
            return _refused(exc)
        payment.refresh_from_db()
        return Response(PaymentSerializer(payment).data)
