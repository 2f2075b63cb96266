from rest_framework import serializers

from ..models import Category, Product
from .fields import CategoryReferenceField
from .media_serializers import ProductImageSerializer


class CategorySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text="Id of the parent category; null at the top of the tree.",
    )

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "parent"]
        read_only_fields = fields


class CategoryWriteSerializer(serializers.Serializer):
    """Staff create, rename and move categories."""

    name = serializers.CharField(max_length=120)
    parent = CategoryReferenceField(
        required=False,
        allow_null=True,
        help_text="The category above it, by id, slug or name; null or absent: the top level.",
    )


class ProductCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class PriceBreakSerializer(serializers.Serializer):
    min_quantity = serializers.IntegerField(read_only=True, help_text="From this many units.")
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)


class ProductSerializer(serializers.ModelSerializer):
    """A product as a shopper sees it, with the chosen distributor's live stock.

    The view attaches `quote` (pricing.selectors.quotes_attach): the caller's
    price at that distributor for one unit, and the list's quantity breaks.
    """

    category = ProductCategorySerializer(read_only=True)
    stock_quantity = serializers.IntegerField(
        read_only=True,
        help_text="Units the distributor can sell now (on hand less allocated and held).",
    )
    in_stock = serializers.SerializerMethodField()
    images = ProductImageSerializer(many=True, read_only=True)
    unit_price = serializers.DecimalField(
        source="quote.unit_price",
        max_digits=12,
        decimal_places=2,
        read_only=True,
        help_text="What this buyer pays for one unit from this distributor (their price "
        "list); `price` is the manufacturer's list price.",
    )
    price_list = serializers.CharField(
        source="quote.price_list_name",
        read_only=True,
        help_text="The price list that gives `unit_price`; empty: the list price.",
    )
    price_breaks = PriceBreakSerializer(
        source="quote.breaks",
        many=True,
        read_only=True,
        help_text="Quantity breaks: from `min_quantity` units, `unit_price` each.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "slug",
            "description",
            "category",
            "price",
            "unit_price",
            "price_list",
            "price_breaks",
            "stock_quantity",
            "in_stock",
            "images",
        ]
        read_only_fields = fields

    def get_in_stock(self, product) -> bool:
        return product.stock_quantity > 0
