"""Shapes of the distributor's stock API."""

from rest_framework import serializers

from catalog.models import Product

from ..models import StockItem

OVERRIDE_MAX = 1_000_000


class StockListQuerySerializer(serializers.Serializer):
    # default=None: a BooleanField missing from a query string would otherwise read as false.
    low = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "`true`: only items at or below their reorder level; `false`: only the others. "
            "Default: all."
        ),
    )
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=100,
        help_text="Part of the product's SKU or name (case-insensitive).",
    )


class ReorderOverridesSerializer(serializers.Serializer):
    """Only the fields sent change; null goes back to the product's default."""

    reorder_level_override = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=OVERRIDE_MAX,
        help_text="Reorder when available stock falls to this. Null: the product's level.",
    )
    reorder_quantity_override = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=OVERRIDE_MAX,
        help_text="How much to reorder. Null: the product's quantity.",
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(
                "Send reorder_level_override, reorder_quantity_override or both."
            )
        return attrs


class DistributorStockProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name"]
        read_only_fields = fields


class StockItemSerializer(serializers.ModelSerializer):
    """One product's stock at the caller's distributor, with its effective reorder settings."""

    product = DistributorStockProductSerializer(read_only=True)
    available = serializers.IntegerField(
        read_only=True, help_text="What can still be sold: on hand less allocated and held."
    )
    reorder_level = serializers.IntegerField(
        read_only=True, help_text="The effective level: the override, else the product's."
    )
    reorder_quantity = serializers.IntegerField(
        read_only=True, help_text="The effective quantity: the override, else the product's."
    )
    is_low = serializers.BooleanField(
        read_only=True, help_text="Available is at or below the reorder level."
    )
    reserved = serializers.IntegerField(
        source="held",
        read_only=True,
        help_text="Deprecated: the old name of `held`, kept read-only for one release.",
    )

    class Meta:
        model = StockItem
        fields = [
            "id",
            "product",
            "on_hand",
            "allocated",
            "held",
            "reserved",
            "available",
            "reorder_level",
            "reorder_quantity",
            "reorder_level_override",
            "reorder_quantity_override",
            "is_low",
            "updated_at",
        ]
        read_only_fields = fields
