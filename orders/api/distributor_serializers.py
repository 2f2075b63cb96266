"""Shapes of the distributor's order API: incoming orders, their buyers, and the moves."""

from rest_framework import serializers

from accounts.models import Organization, User

from ..models import Order, OrderStatus, OrderStatusChange
from ..selectors import DISTRIBUTOR_ORDER_SORTS
from ..transitions import DISTRIBUTOR_MOVES, TRACKING_REFERENCE_MAX_LENGTH
from .serializers import OrderItemSerializer, ShipmentSerializer

NOTE_MAX_LENGTH = 1000

# --- Input -------------------------------------------------------------------


class DistributorOrderListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, required=False, help_text="Only orders in this status."
    )
    date = serializers.DateField(
        required=False, help_text="Only orders placed on this day (YYYY-MM-DD, local time)."
    )
    placed_after = serializers.DateField(
        required=False, help_text="Only orders placed on or after this day (YYYY-MM-DD)."
    )
    placed_before = serializers.DateField(
        required=False, help_text="Only orders placed on or before this day (YYYY-MM-DD)."
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Order number, buyer (name, e-mail, retailer) or a line's SKU; any case.",
    )
    sort = serializers.ChoiceField(
        choices=[(key, label) for key, (label, _) in DISTRIBUTOR_ORDER_SORTS.items()],
        required=False,
        help_text="Order of the list; default `-placed` (newest first). `requested`: the "
        "buyer's requested delivery date, soonest first, orders without one last.",
    )

    def validate(self, attrs):
        if "date" in attrs and ("placed_after" in attrs or "placed_before" in attrs):
            raise serializers.ValidationError(
                {"date": "Give either a day or a range (placed_after/placed_before), not both."}
            )
        start, end = attrs.get("placed_after"), attrs.get("placed_before")
        if start and end and start > end:
            raise serializers.ValidationError({"placed_before": "The range ends before it starts."})
        return attrs


class OrderNoteSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX_LENGTH,
        help_text="Optional; recorded in the history and shown to the buyer.",
    )


class OrderRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=NOTE_MAX_LENGTH,
        help_text="Why the order is rejected; recorded in the history and told to the buyer.",
    )


class OrderStatusUpdateSerializer(serializers.Serializer):
    # All of Order.status's choices, so the schema reuses its enum; `placed` is
    # refused by order_move_by_distributor (400) like any other bad field.
    status = serializers.ChoiceField(
        choices=OrderStatus.choices,
        help_text=(
            f"The new status: one of {', '.join(DISTRIBUTOR_MOVES)}, and one the order may "
            "move to next."
        ),
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=NOTE_MAX_LENGTH,
        help_text="Recorded in the history and shown to the buyer; required to reject or cancel.",
    )
    tracking_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TRACKING_REFERENCE_MAX_LENGTH,
        help_text="The carrier's reference; required to ship, refused for other statuses.",
    )


# --- Output ------------------------------------------------------------------


class BuyerUserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email", "phone"]
        read_only_fields = fields


class BuyerOrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "city"]
        read_only_fields = fields


class ChangedBySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name"]
        read_only_fields = fields


class DistributorStatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(
        read_only=True, help_text="The order status before this step; empty for the first."
    )
    to_status = serializers.CharField(read_only=True, help_text="The order status after it.")
    changed_by = ChangedBySerializer(
        read_only=True, allow_null=True, help_text="Who made the change; null when unknown."
    )

    class Meta:
        model = OrderStatusChange
        fields = ["from_status", "to_status", "changed_by", "note", "created_at"]
        read_only_fields = fields


class DistributorOrderListSerializer(serializers.ModelSerializer):
    """An incoming order in a list: who bought, what it is worth, where it stands."""

    customer = BuyerUserSerializer(read_only=True, help_text="The person who placed it.")
    buyer_organization = BuyerOrganizationSerializer(
        read_only=True,
        allow_null=True,
        help_text="The retailer it was ordered for; null for a private customer.",
    )
    item_count = serializers.IntegerField(read_only=True, help_text="Units across all lines.")

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "created_at",
            "customer",
            "buyer_organization",
            "fulfillment_type",
            "item_count",
            "total",
            "estimated_delivery",
            "buyer_reference",
            "requested_delivery_date",
            "tracking_reference",
        ]
        read_only_fields = fields


class DistributorOrderSerializer(DistributorOrderListSerializer):
    """An incoming order in full: lines, delivery, history, and the moves it allows now."""

    items = OrderItemSerializer(many=True, read_only=True)
    status_history = DistributorStatusChangeSerializer(
        source="status_changes", many=True, read_only=True
    )
    shipments = ShipmentSerializer(many=True, read_only=True)
    allowed_next = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The statuses the order may move to now; empty when it is final.",
    )

    class Meta(DistributorOrderListSerializer.Meta):
        fields = [
            *DistributorOrderListSerializer.Meta.fields,
            "shipping_address",
            "items",
            "subtotal",
            "tax",
            "status_history",
            "shipments",
            "allowed_next",
        ]
        read_only_fields = fields
