from rest_framework import serializers

from ..models import MAX_LINE_QUANTITY, MAX_LINES, TransferLine, TransferOrder, TransferStatus


class TransferLineSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    in_transit = serializers.IntegerField(read_only=True)

    class Meta:
        model = TransferLine
        fields = [
            "id",
            "product_id",
            "sku",
            "product_name",
            "quantity",
            "shipped",
            "received",
            "in_transit",
            "written_off",
            "short_reason",
        ]


class TransferSerializer(serializers.ModelSerializer):
    source = serializers.CharField(source="source.name", read_only=True)
    destination = serializers.CharField(source="destination.name", read_only=True)
    purchase_order = serializers.CharField(
        source="purchase_order.number", read_only=True, default=None, allow_null=True
    )
    status = serializers.ChoiceField(choices=TransferStatus.choices, read_only=True)
    lines = TransferLineSerializer(many=True, read_only=True)

    class Meta:
        model = TransferOrder
        fields = [
            "number",
            "status",
            "source_id",
            "source",
            "source_warehouse_id",
            "destination_id",
            "destination",
            "destination_warehouse_id",
            "purchase_order",
            "note",
            "tracking_reference",
            "created_at",
            "confirmed_at",
            "shipped_at",
            "received_at",
            "cancelled_at",
            "cancel_reason",
            "closed_at",
            "write_off_reason",
            "invoice_number",
            "taxable_total",
            "cgst",
            "sgst",
            "igst",
            "lines",
        ]


class TransferLineInSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class TransferCreateSerializer(serializers.Serializer):
    source_id = serializers.IntegerField(min_value=1, help_text="Your organization to send.")
    destination_id = serializers.IntegerField(min_value=1, help_text="Your organization to ask.")
    source_warehouse_id = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The source's warehouse; empty: its default.",
    )
    destination_warehouse_id = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        default=None,
        help_text="The destination's warehouse; empty: its default.",
    )
    lines = TransferLineInSerializer(many=True, min_length=1, max_length=MAX_LINES)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ShipSerializer(serializers.Serializer):
    tracking_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class ReceiveLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1)
    received = serializers.IntegerField(min_value=0, max_value=MAX_LINE_QUANTITY)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ReceiveSerializer(serializers.Serializer):
    lines = ReceiveLineSerializer(many=True, min_length=1, max_length=MAX_LINES)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
