"""Shapes of the distributor's warehouses API."""

from rest_framework import serializers

from ..models import Warehouse, WarehouseStock


class WarehouseSerializer(serializers.ModelSerializer):
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
