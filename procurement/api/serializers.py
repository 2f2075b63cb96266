from rest_framework import serializers

from auromart.api.fields import MAX_ID

from ..limits import MAX_LINE_QUANTITY
from ..models import (
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
    PurchaseOrderLine,
    RequestStatus,
)


class ProcurementOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ProcurementProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()


class PurchaseOrderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=POStatus.choices)


class ComputationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcurementRequest
        fields = [
            "on_hand",
            "allocated",
            "held",
            "incoming",
            "backordered",
            "available",
            "reorder_level",
            "reorder_quantity",
            "order_up_to_level",
            "pack_size",
            "minimum_order_quantity",
            "rule",
        ]


class ProcurementRequestSerializer(serializers.ModelSerializer):
    product = ProcurementProductSerializer()
    distributor = ProcurementOrganizationSerializer()
    supplier = ProcurementOrganizationSerializer()
    supplier_line_id = serializers.IntegerField(read_only=True, allow_null=True)
    computation = serializers.SerializerMethodField()
    purchase_order = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ProcurementRequest
        fields = [
            "id",
            "number",
            "product",
            "distributor",
            "supplier",
            "supplier_line_id",
            "unit_cost",
            "quantity",
            "status",
            "trigger",
            "reference",
            "note",
            "created_at",
            "computation",
            "decided_by",
            "decided_at",
            "rejection_reason",
            "fulfilled_at",
            "purchase_order",
        ]

    def get_computation(self, obj) -> ComputationSerializer:
        return ComputationSerializer(obj).data

    def get_purchase_order(self, obj) -> PurchaseOrderRefSerializer(allow_null=True):
        line = getattr(obj, "po_line", None)
        if line is None:
            return None
        return PurchaseOrderRefSerializer(line.purchase_order).data

    def get_decided_by(self, obj) -> str | None:
        return obj.decided_by.email if obj.decided_by_id else None


class RequestListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RequestStatus.choices, required=False)
    product = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    supplier = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    distributor = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField()
    request_id = serializers.IntegerField()
    outstanding = serializers.IntegerField()

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "product_id",
            "sku",
            "product_name",
            "quantity",
            "quantity_received",
            "quantity_short",
            "outstanding",
            "proposed_quantity",
            "unit_cost",
            "line_total",
            "request_id",
        ]


class PurchaseOrderListSerializer(serializers.ModelSerializer):
    supplier = ProcurementOrganizationSerializer()
    distributor = ProcurementOrganizationSerializer()
    line_count = serializers.IntegerField()

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "distributor",
            "status",
            "total",
            "line_count",
            "expected_date",
            "created_at",
            "sent_at",
            "responded_at",
            "received_at",
        ]


class PurchaseOrderSerializer(serializers.ModelSerializer):
    supplier = ProcurementOrganizationSerializer()
    distributor = ProcurementOrganizationSerializer()
    lines = PurchaseOrderLineSerializer(many=True)
    approved_by = serializers.SerializerMethodField()
    second_approved_by = serializers.SerializerMethodField()

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "distributor",
            "status",
            "total",
            "expected_date",
            "original_expected_date",
            "delivery_address",
            "delivery_instructions",
            "approved_by",
            "approved_at",
            "second_approved_by",
            "second_approved_at",
            "created_at",
            "sent_at",
            "reminder_sent_at",
            "responded_at",
            "responded_by",
            "proposed_date",
            "supplier_note",
            "received_at",
            "received_unconfirmed",
            "closed_at",
            "close_reason",
            "cancelled_at",
            "cancel_reason",
            "lines",
        ]

    def get_approved_by(self, obj) -> str:
        return obj.approved_by.email

    def get_second_approved_by(self, obj) -> str | None:
        return obj.second_approved_by.email if obj.second_approved_by_id else None


class PurchaseOrderListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=POStatus.choices, required=False)
    supplier = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    distributor = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ReceiptLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class ReceiptSerializer(serializers.Serializer):
    lines = ReceiptLineSerializer(many=True, allow_empty=False)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    warehouse = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2_147_483_647,
        help_text=(
            "Id of the warehouse the goods arrived at: one of the active warehouses of the "
            "PO's distributor (the buyer); absent or null: its default warehouse. Another "
            "distributor's or a closed one is a 400 keyed `warehouse`."
        ),
    )


class ReceiptResultSerializer(serializers.Serializer):
    receipt_id = serializers.IntegerField()
    purchase_order = PurchaseOrderSerializer()
