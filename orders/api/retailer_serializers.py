"""Request and response shapes of the retailer's orders API: the customer's, plus who
in the organization placed the order, and a distributor that must be chosen."""

from rest_framework import serializers

from accounts.api.fields import distributor_from_id
from accounts.models import User
from auromart.api.fields import MAX_ID, StrictIntegerField

from .serializers import OrderCreateSerializer, OrderListQuerySerializer, OrderSerializer


class RetailerOrderCreateSerializer(OrderCreateSerializer):
    distributor_id = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The distributor to buy from (see `/api/retailer/distributors`).",
    )

    def validate_distributor_id(self, value):
        return distributor_from_id(value)

    def validate(self, attrs):
        # No default store here: a retailer always chooses its distributor.
        attrs["distributor"] = attrs.pop("distributor_id")
        return attrs


class RetailerOrderListQuerySerializer(OrderListQuerySerializer):
    distributor = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only orders placed with this distributor (its id).",
    )


class OrderPlacedBySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email"]
        read_only_fields = fields


class RetailerOrderSerializer(OrderSerializer):
    """The customer order shape, plus the member of the organization who placed it."""

    placed_by = OrderPlacedBySerializer(source="customer", read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "placed_by"]
        read_only_fields = fields
