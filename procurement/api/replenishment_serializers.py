"""Serializers of the replenishment and scorecard API (procurement.api.replenishment_views)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from auromart.api.fields import MAX_ID

from ..models import NotOrderedReason, POStatus, RequestStatus
from ..replenishment import ANY_REASON
from ..replenishment_actions import MAX_BULK_ITEMS
from ..scorecard import scorecard_period
from .serializers import ProcurementOrganizationSerializer, ProcurementProductSerializer


class ReplenishmentQuerySerializer(serializers.Serializer):
    distributor = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Staff only: one distributor."
    )
    supplier = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Items with an active supplier line from this supplier.",
    )
    reason = serializers.ChoiceField(
        required=False,
        choices=[(ANY_REASON, "Any reason"), *NotOrderedReason.choices],
        help_text="Items not ordered for this reason (`any`: for any reason).",
    )
    q = serializers.CharField(required=False, max_length=100, help_text="SKU or product name.")
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class OpenOrderSerializer(serializers.Serializer):
    request_id = serializers.IntegerField()
    request_number = serializers.CharField()
    request_status = serializers.ChoiceField(choices=RequestStatus.choices)
    po_id = serializers.IntegerField(allow_null=True)
    po_number = serializers.CharField(allow_blank=True)
    po_status = serializers.ChoiceField(choices=POStatus.choices, allow_blank=True)


class PolicySerializer(serializers.Serializer):
    name = serializers.CharField(help_text="`fixed` today; `dynamic` once computed policies land.")
    reorder_point = serializers.IntegerField()
    order_up_to = serializers.IntegerField(allow_null=True)


class ReplenishmentRowSerializer(serializers.Serializer):
    stock_item_id = serializers.IntegerField(source="item.pk")
    product = ProcurementProductSerializer(source="item.product")
    distributor = ProcurementOrganizationSerializer(source="item.distributor")
    on_hand = serializers.IntegerField(source="item.on_hand")
    allocated = serializers.IntegerField(source="item.allocated")
    held = serializers.IntegerField(source="item.held")
    incoming = serializers.IntegerField(
        help_text="Units on open purchase orders and inbound transfers, not received yet"
    )
    backordered = serializers.IntegerField()
    position = serializers.IntegerField(
        help_text="on hand - allocated - held + incoming - backordered"
    )
    policy = PolicySerializer()
    suggested_quantity = serializers.IntegerField(source="suggested", allow_null=True)
    rule = serializers.CharField(help_text="How the suggested quantity was worked out.")
    supplier = ProcurementOrganizationSerializer(allow_null=True)
    supplier_line_id = serializers.IntegerField(allow_null=True)
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    daily_demand = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    days_of_cover = serializers.DecimalField(max_digits=14, decimal_places=1, allow_null=True)
    open_orders = OpenOrderSerializer(source="orders", many=True)
    reason = serializers.ChoiceField(choices=NotOrderedReason.choices, allow_blank=True)
    reason_detail = serializers.CharField(allow_blank=True)
    snoozed_until = serializers.DateField(allow_null=True)


class ItemsSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        help_text="Stock item ids (`stock_item_id` of the rows).",
    )


class SnoozeSerializer(ItemsSerializer):
    until = serializers.DateField(
        allow_null=True, help_text="After today, at most 365 days ahead; null lifts the snooze."
    )


class OrderNowResultSerializer(serializers.Serializer):
    opened = serializers.ListField(child=serializers.CharField(), help_text="Request numbers.")
    purchase_orders = serializers.ListField(
        child=serializers.CharField(), help_text="PO numbers (when the caller may approve)."
    )


class SnoozeResultSerializer(serializers.Serializer):
    snoozed = serializers.IntegerField()
    until = serializers.DateField(allow_null=True)


class ScorecardQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="Default: 90 days before `end`.")
    end = serializers.DateField(required=False, help_text="Default: today (inclusive).")
    distributor = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    supplier = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def validate(self, attrs):
        try:
            attrs["period"] = scorecard_period(attrs.get("start"), attrs.get("end"))
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        return attrs


class SupplierScoreSerializer(serializers.Serializer):
    supplier_id = serializers.IntegerField()
    supplier = serializers.CharField()
    purchase_orders = serializers.IntegerField(help_text="Sent in the period.")
    answered = serializers.IntegerField()
    response_hours = serializers.DecimalField(max_digits=12, decimal_places=1, allow_null=True)
    completed = serializers.IntegerField(help_text="Received in full or closed short.")
    on_time = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True, help_text="Against the original date."
    )
    units_ordered = serializers.IntegerField()
    units_received = serializers.IntegerField()
    fill_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    short_closes = serializers.IntegerField()
    lead_time_days_mean = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    lead_time_days_std = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    quoted_cost = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    po_cost = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    cost_variance = serializers.DecimalField(
        max_digits=12,
        decimal_places=4,
        allow_null=True,
        help_text="(PO cost - quoted cost) / quoted cost; 0.05 is 5 % over the quote.",
    )
