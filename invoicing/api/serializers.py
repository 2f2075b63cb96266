"""Shapes of the invoice API: the list's filters, an invoice with its snapshots and lines."""

from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers

from ..forms import RECORDABLE_METHODS, SEARCH_MAX_LENGTH
from ..models import Invoice, InvoiceLine, InvoicePayment, InvoiceStatus
from ..receipts import MAX_PAYMENT, REASON_MAX_LENGTH, REFERENCE_MAX_LENGTH

# --- Input -------------------------------------------------------------------


class InvoiceListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*InvoiceStatus.choices, ("overdue", "Overdue")],
        required=False,
        help_text="Only invoices in this status; `overdue`: unpaid and past the due date.",
    )
    issued_after = serializers.DateField(
        required=False, help_text="Only invoices issued on or after this day (YYYY-MM-DD)."
    )
    issued_before = serializers.DateField(
        required=False, help_text="Only invoices issued on or before this day (YYYY-MM-DD)."
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=SEARCH_MAX_LENGTH,
        help_text="Part of the invoice number, the order number, or the seller's or buyer's name.",
    )

    def validate(self, attrs):
        start, end = attrs.get("issued_after"), attrs.get("issued_before")
        if start and end and start > end:
            raise serializers.ValidationError({"issued_before": "The range ends before it starts."})
        return attrs


# --- Output ------------------------------------------------------------------


class InvoiceOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True, help_text="When it was placed.")


class InvoiceSellerSerializer(serializers.Serializer):
    """The seller as printed on the invoice (copied when it was issued)."""

    organization_id = serializers.IntegerField(source="distributor_id", read_only=True)
    name = serializers.CharField(source="seller_name", read_only=True)
    address = serializers.CharField(source="seller_address", read_only=True)
    email = serializers.CharField(source="seller_email", read_only=True)
    phone = serializers.CharField(source="seller_phone", read_only=True)


class InvoiceBuyerSerializer(serializers.Serializer):
    """Who is billed, as printed: the retailer organization, or the private customer."""

    organization_id = serializers.IntegerField(
        source="buyer_organization_id",
        read_only=True,
        allow_null=True,
        help_text="The retailer billed; null for a private customer.",
    )
    name = serializers.CharField(source="buyer_name", read_only=True)
    address = serializers.CharField(source="buyer_address", read_only=True)
    email = serializers.CharField(source="buyer_email", read_only=True)
    phone = serializers.CharField(source="buyer_phone", read_only=True)


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "product_id",
            "sku",
            "description",
            "quantity",
            "unit_price",
            "line_total",
        ]
        read_only_fields = fields


class InvoiceListSerializer(serializers.ModelSerializer):
    """An invoice in a list: its number, dates, parties, money and status."""

    order = InvoiceOrderSerializer(read_only=True)
    seller = InvoiceSellerSerializer(source="*", read_only=True)
    buyer = InvoiceBuyerSerializer(source="*", read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Issued or partially paid, and past its due date."
    )
    balance_due = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="Total - credited - paid + refunded (0 for a void invoice); below zero, "
        "a credit owed to the buyer.",
    )
    pdf_url = serializers.SerializerMethodField(help_text="Where to download the PDF.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "status",
            "issue_date",
            "due_date",
            "is_overdue",
            "order",
            "seller",
            "buyer",
            "subtotal",
            "tax_rate",
            "tax",
            "total",
            "amount_paid",
            "amount_credited",
            "amount_refunded",
            "balance_due",
            "pdf_url",
        ]
        read_only_fields = fields

    def get_pdf_url(self, invoice: Invoice) -> str:
        path = reverse("api-invoice-pdf", args=[invoice.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class InvoiceSerializer(InvoiceListSerializer):
    """An invoice in full: everything its PDF shows."""

    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceListSerializer.Meta):
        fields = [
            *InvoiceListSerializer.Meta.fields,
            "ship_to",
            "lines",
            "paid_at",
            "payment_reference",
            "voided_at",
            "void_reason",
            "replaces_id",
        ]
        read_only_fields = fields


# --- Payments --------------------------------------------------------------------------


class PaymentInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PAYMENT,
        help_text="Rupees, at most the invoice's balance due.",
    )
    method = serializers.ChoiceField(choices=RECORDABLE_METHODS)
    received_on = serializers.DateField(help_text="The day the money came in (not in the future).")
    reference = serializers.CharField(
        max_length=REFERENCE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="UTR, cheque number or UPI reference. The same reference and amount again "
        "is the same payment (answered with it, 200).",
    )


class BounceInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH, help_text="Told to the buyer.")


class PaymentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = InvoicePayment
        fields = [
            "id",
            "invoice_id",
            "amount",
            "received_on",
            "method",
            "reference",
            "status",
            "recorded_by",
            "recorded_at",
            "bounced_at",
            "bounce_reason",
        ]
        read_only_fields = fields

    def get_recorded_by(self, payment: InvoicePayment) -> str | None:
        """Who recorded it; null for the system (the gateway)."""
        return payment.recorded_by.get_full_name() if payment.recorded_by else None
