"""Shapes of the distributor's warehouses API."""

from rest_framework import serializers

from ..models import MAX_WAREHOUSE_PRIORITY, Warehouse, WarehouseStock
from ..warehouses import WAREHOUSE_FIELDS


class WarehouseSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True, help_text='GST state code of its address ("": not given).'
    )
    on_hand = serializers.IntegerField(
        source="units_on_hand", read_only=True, help_text="Units on its shelves, all products."
    )
    allocated = serializers.IntegerField(
        source="units_allocated", read_only=True, help_text="Units promised to open orders."
    )
    held = serializers.IntegerField(source="units_held", read_only=True)
    products = serializers.IntegerField(
        source="product_count", read_only=True, help_text="Products with units on hand."
    )

    class Meta:
        model = Warehouse
        fields = [
            "id",
            "name",
            "code",
            "address",
            "state",
            "gstin",
            "priority",
            "is_active",
            "on_hand",
            "allocated",
            "held",
            "products",
        ]
        read_only_fields = fields


class WarehouseWriteSerializer(serializers.ModelSerializer):
    """What a distributor sends to add or change one of its warehouses (its bounds are the
    model's: name 100, code 20, address 255 characters, priority 0-999); the service
    (inventory.warehouses) checks the rest: a name or code used twice, the GSTIN's state,
    the last active warehouse switched off."""

    priority = serializers.IntegerField(
        min_value=0,
        max_value=MAX_WAREHOUSE_PRIORITY,
        required=False,
        help_text="Orders take stock from the lowest number first (0-999; default 10).",
    )

    class Meta:
        model = Warehouse
        fields = WAREHOUSE_FIELDS
        extra_kwargs = {
            "state": {"help_text": 'GST state code of its address ("": your organization\'s).'},
            "gstin": {"help_text": 'Your GSTIN in its state ("": your organization\'s).'},
        }


class WarehouseStockSerializer(serializers.ModelSerializer):
    stock_item_id = serializers.IntegerField(read_only=True)
    product_id = serializers.IntegerField(source="stock_item.product_id", read_only=True)
    sku = serializers.CharField(source="stock_item.product.sku", read_only=True)
    name = serializers.CharField(source="stock_item.product.name", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = WarehouseStock
        fields = [
            "stock_item_id",
            "product_id",
            "sku",
            "name",
            "on_hand",
            "allocated",
            "held",
            "available",
        ]
        read_only_fields = fields
