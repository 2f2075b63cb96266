"""Shapes of the credit note and refund API (issue 24)."""

from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers

from ..credit_notes import REASON_MAX_LENGTH
from ..models import CreditNote, CreditNoteKind, CreditNoteLine, Refund, RefundMethod
from ..receipts import MAX_PAYMENT, REFERENCE_MAX_LENGTH

MAX_LINES = 500  # more than any invoice holds

# --- Input -------------------------------------------------------------------


class CreditAmountSerializer(serializers.Serializer):
    invoice_line_id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PAYMENT,
        help_text="Taxable value to credit on the line (rupees), at most what is left on it.",
    )


class CreditNoteInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=CreditNoteKind.choices,
        help_text="`price`: `amounts` per line; `cancellation`: everything not credited yet. "
        "`return` is refused here: returns are credited when the return is received.",
    )
    amounts = CreditAmountSerializer(many=True, required=False, max_length=MAX_LINES)
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)

    def validate_kind(self, kind):
        if kind == CreditNoteKind.RETURN:
            raise serializers.ValidationError("Returns are credited when the return is received.")
        return kind

    def validate(self, data):
        if data["kind"] == CreditNoteKind.PRICE and not data.get("amounts"):
            raise serializers.ValidationError({"amounts": "Name the value to credit per line."})
        if data["kind"] == CreditNoteKind.CANCELLATION and data.get("amounts"):
            raise serializers.ValidationError({"amounts": "A cancellation takes no amounts."})
        return data


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=MAX_PAYMENT,
        help_text="Rupees, at most what the buyer is owed on the invoice.",
    )
    method = serializers.ChoiceField(choices=RefundMethod.choices)
    reference = serializers.CharField(
        max_length=REFERENCE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    refunded_on = serializers.DateField(required=False, allow_null=True, default=None)
    idempotency_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The same key again is the same refund (answered with it, 200).",
    )


# --- Output ------------------------------------------------------------------


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = [
            "position",
            "invoice_line_id",
            "sku",
            "description",
            "hsn_code",
            "quantity",
            "unit_price",
            "line_total",
            "tax_rate",
            "cgst",
            "sgst",
            "igst",
        ]
        read_only_fields = fields


class CreditNoteSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    url = serializers.SerializerMethodField()
    lines = CreditNoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice_id",
            "invoice_number",
            "kind",
            "issue_date",
            "reason",
            "reference",
            "subtotal",
            "cgst",
            "sgst",
            "igst",
            "tax",
            "total",
            "url",
            "lines",
        ]
        read_only_fields = fields

    def get_url(self, note: CreditNote) -> str:
        """The credit note's page (its PDF is at `url` + `pdf/`)."""
        return reverse("invoicing:credit_note_detail", args=[note.seller_slug, note.number])


class CreditNoteListSerializer(CreditNoteSerializer):
    class Meta(CreditNoteSerializer.Meta):
        fields = [f for f in CreditNoteSerializer.Meta.fields if f != "lines"]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = [
            "id",
            "invoice_id",
            "credit_note_id",
            "amount",
            "method",
            "status",
            "reference",
            "refunded_on",
            "created_at",
        ]
        read_only_fields = fields
