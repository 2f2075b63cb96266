"""Shapes of the manufacturer API: its own products, stock assignment, orders and sales.

Serializers check types and ranges; the product rules (Product.clean, a
unique SKU) are catalog.services', whose ValidationError answers 400 the same way.
"""

from rest_framework import serializers

from accounts.agreements import suppliers_allowed_for
from accounts.api.fields import distributor_from_id
from accounts.models import Organization
from auromart.api.fields import MAX_ID, StrictIntegerField
from inventory.models import StockItem
from orders.models import Order, OrderItem, OrderStatus

from ..manufacturer_forms import MAX_ASSIGN_QUANTITY
from ..models import SUPPLIER_RULE, Product
from .fields import CategoryReferenceField
from .serializers import ProductCategorySerializer


class OrganizationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name"]
        read_only_fields = fields


class ManufacturerProductSerializer(serializers.ModelSerializer):
    """A product as its manufacturer manages it, with its stock at all distributors."""

    category = CategoryReferenceField(
        required=False,
        help_text=(
            "The product's category: its id, slug or name. Absent when creating: "
            "“Uncategorised”. Only staff create categories."
        ),
    )
    supplier = serializers.PrimaryKeyRelatedField(
        # Narrowed to the caller's allowed suppliers in __init__: any other id
        # answers as an unknown one would, naming no organization.
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": SUPPLIER_RULE, "incorrect_type": SUPPLIER_RULE},
        help_text=(
            "Id of the organization purchase orders go to: you, or a distributor that has "
            "accepted your supply agreement (GET /api/manufacturer/agreements). "
            "Empty or null: you, the manufacturer."
        ),
    )
    units_at_distributors = serializers.IntegerField(
        read_only=True, help_text="Units on hand at all distributors together."
    )
    distributor_count = serializers.IntegerField(
        read_only=True, help_text="How many distributors hold stock of it."
    )
    category_detail = ProductCategorySerializer(source="category", read_only=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        organization = getattr(getattr(request, "user", None), "organization", None)
        if organization is not None and "supplier" in self.fields:
            self.fields["supplier"].queryset = suppliers_allowed_for(manufacturer=organization)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "slug",
            "description",
            "category",
            "category_detail",
            "price",
            "cost_price",
            "supplier",
            "reorder_level",
            "reorder_quantity",
            "order_up_to_level",
            "pack_size",
            "minimum_order_quantity",
            "lead_time_days",
            "is_active",
            "units_at_distributors",
            "distributor_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "slug", "created_at", "updated_at"]
        extra_kwargs = {
            # Uniqueness is product_create's and product_update's to check (a
            # 400 on `sku` all the same), so the serializer does not query for it.
            "sku": {"validators": [], "help_text": "Stored upper-case; unique."},
            "description": {"required": False},
        }


class ManufacturerProductQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words matched against name and SKU; every word must match.",
    )
    is_active = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: on sale only; false: deactivated only; absent: both.",
    )


class StockAssignSerializer(serializers.Serializer):
    product_id = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="One of your products (another's answers 404)."
    )
    distributor_id = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="The distributor that receives the stock."
    )
    quantity = StrictIntegerField(min_value=1, max_value=MAX_ASSIGN_QUANTITY)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")

    def validate_distributor_id(self, value: int) -> Organization:
        return distributor_from_id(value)


class StockProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "sku", "name"]
        read_only_fields = fields


class StockLevelSerializer(serializers.ModelSerializer):
    """A distributor's stock of one product after the change."""

    product = StockProductSerializer(read_only=True)
    distributor = OrganizationRefSerializer(read_only=True)
    available = serializers.IntegerField(
        read_only=True, help_text="On hand less what is allocated to orders and held."
    )

    class Meta:
        model = StockItem
        fields = [
            "id",
            "product",
            "distributor",
            "on_hand",
            "allocated",
            "held",
            "available",
            "updated_at",
        ]
        read_only_fields = fields


class ManufacturerOrderQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, required=False, help_text="Only orders in this status."
    )
    date_from = serializers.DateField(required=False, help_text="Placed on or after this day.")
    date_to = serializers.DateField(required=False, help_text="Placed on or before this day.")

    def validate(self, attrs):
        low, high = attrs.get("date_from"), attrs.get("date_to")
        if low and high and low > high:
            raise serializers.ValidationError({"date_to": f"Must be on or after {low}."})
        return attrs


class ManufacturerOrderLineSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="product_name", read_only=True)

    class Meta:
        model = OrderItem
        fields = ["product_id", "sku", "name", "quantity", "unit_price", "line_total"]
        read_only_fields = fields


class ManufacturerOrderSerializer(serializers.ModelSerializer):
    """A downstream order as the manufacturer sees it: only the lines of its own products."""

    distributor = OrganizationRefSerializer(read_only=True)
    buyer_organization = OrganizationRefSerializer(
        read_only=True, allow_null=True, help_text="The retailer; null for a private customer."
    )
    lines = ManufacturerOrderLineSerializer(source="manufacturer_items", many=True, read_only=True)
    units = serializers.IntegerField(
        source="manufacturer_units", read_only=True, help_text="Units of your products."
    )
    total = serializers.DecimalField(
        source="manufacturer_total",
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="What the buyer paid for your products' lines (before tax).",
    )

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "created_at",
            "distributor",
            "buyer_organization",
            "units",
            "total",
            "lines",
        ]
        read_only_fields = fields


class SalesQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text="Default: the 1st of date_to's month."
    )
    date_to = serializers.DateField(required=False, help_text="Default: today.")

    def validate(self, attrs):
        low, high = attrs.get("date_from"), attrs.get("date_to")
        if low and high and low > high:
            raise serializers.ValidationError({"date_to": f"Must be on or after {low}."})
        return attrs


class _SalesFigures(serializers.Serializer):
    units = serializers.IntegerField()
    revenue = serializers.DecimalField(max_digits=16, decimal_places=2)
    orders = serializers.IntegerField(help_text="Orders holding these lines.")


class SalesProductSerializer(_SalesFigures):
    product_id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()


class SalesDistributorSerializer(_SalesFigures):
    distributor_id = serializers.IntegerField()
    name = serializers.CharField()


class SalesSummarySerializer(_SalesFigures):
    """Units and revenue of your products in orders placed in the range, less rejected and
    cancelled ones; revenue is what buyers paid for the lines, before tax."""

    date_from = serializers.DateField()
    date_to = serializers.DateField()
    by_product = SalesProductSerializer(many=True)
    by_distributor = SalesDistributorSerializer(many=True)
