from rest_framework import serializers

from ..models import (
    MAX_NOTE,
    MAX_RETURN_QUANTITY,
    ReturnLine,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
    ReturnStatusChange,
)


class ReturnLineSerializer(serializers.ModelSerializer):
    order_item_id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(source="order_item.sku", read_only=True)
    product_name = serializers.CharField(source="order_item.product_name", read_only=True)

    class Meta:
        model = ReturnLine
        fields = [
            "id",
            "order_item_id",
            "sku",
            "product_name",
            "quantity",
            "reason",
            "note",
            "quantity_restocked",
            "quantity_damaged",
        ]


class ReturnHistorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReturnStatusChange
        fields = ["from_status", "to_status", "note", "created_at"]


class ReturnSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number", read_only=True)
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    buyer_name = serializers.SerializerMethodField()
    units = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReturnRequest
        fields = [
            "id",
            "number",
            "order_number",
            "distributor_name",
            "buyer_name",
            "status",
            "units",
            "created_at",
            "decided_at",
            "received_at",
            "closed_at",
        ]

    def get_buyer_name(self, rma) -> str:
        if rma.buyer_organization_id:
            return rma.buyer_organization.name
        return rma.customer.get_full_name()


class ReturnDetailSerializer(ReturnSerializer):
    lines = ReturnLineSerializer(many=True, read_only=True)
    history = ReturnHistorySerializer(source="status_changes", many=True, read_only=True)

    class Meta(ReturnSerializer.Meta):
        fields = [
            *ReturnSerializer.Meta.fields,
            "note",
            "decision_note",
            "allowed_next",
            "lines",
            "history",
        ]

    allowed_next = serializers.ListField(
        child=serializers.ChoiceField(choices=ReturnStatus.choices), read_only=True
    )


class ReturnRequestLineSerializer(serializers.Serializer):
    order_item_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_RETURN_QUANTITY)
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ReturnCreateSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=20)
    lines = ReturnRequestLineSerializer(many=True, allow_empty=False, max_length=100)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ReturnNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ReturnRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=MAX_NOTE, help_text="Why: the buyer reads it.")


class ReturnReceiveLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1, help_text="A line's `id` of this return.")
    restocked = serializers.IntegerField(min_value=0, max_value=MAX_RETURN_QUANTITY)
    damaged = serializers.IntegerField(min_value=0, max_value=MAX_RETURN_QUANTITY, default=0)


class ReturnReceiveSerializer(serializers.Serializer):
    lines = ReturnReceiveLineSerializer(many=True, allow_empty=False, max_length=100)
    note = serializers.CharField(max_length=MAX_NOTE, required=False, allow_blank=True, default="")


class ReturnListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ReturnStatus.choices, required=False)
    q = serializers.CharField(
        max_length=100, required=False, help_text="Return or order number, buyer."
    )
