from rest_framework import serializers

from catalog.models import Product

from ..models import (
    MAX_DAY_OF_MONTH,
    MAX_INTERVAL_WEEKS,
    MAX_LINE_QUANTITY,
    MAX_LINES,
    Frequency,
    StandingOrder,
    StandingOrderLine,
    StandingOrderRun,
)


class LineSerializer(serializers.ModelSerializer):
    product_id = serializers.IntegerField(read_only=True)
    sku = serializers.CharField(source="product.sku", read_only=True)
    name = serializers.CharField(source="product.name", read_only=True)

    class Meta:
        model = StandingOrderLine
        fields = ["product_id", "sku", "name", "quantity"]


class RunSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(
        source="order.number", default=None, read_only=True, allow_null=True
    )

    class Meta:
        model = StandingOrderRun
        fields = [
            "run_date",
            "outcome",
            "order_number",
            "lines_placed",
            "units_backordered",
            "refused",
            "message",
        ]


class StandingOrderSerializer(serializers.ModelSerializer):
    distributor_id = serializers.IntegerField(read_only=True)
    distributor_name = serializers.CharField(source="distributor.name", read_only=True)
    lines = LineSerializer(many=True, read_only=True)

    class Meta:
        model = StandingOrder
        fields = [
            "id",
            "name",
            "distributor_id",
            "distributor_name",
            "frequency",
            "interval_weeks",
            "day_of_month",
            "next_run_date",
            "status",
            "shipping_address",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class StandingOrderDetailSerializer(StandingOrderSerializer):
    runs = serializers.SerializerMethodField()

    class Meta(StandingOrderSerializer.Meta):
        fields = [*StandingOrderSerializer.Meta.fields, "runs"]
        read_only_fields = fields

    def get_runs(self, standing_order) -> list[dict]:
        return RunSerializer(standing_order.runs.all()[:50], many=True).data

    get_runs.__annotations__["return"] = RunSerializer(many=True)  # for the schema


class LineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)


class StandingOrderWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    distributor_id = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="Retailers: the distributor to order from. Customers order from the store.",
    )
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    interval_weeks = serializers.IntegerField(min_value=1, max_value=MAX_INTERVAL_WEEKS, default=1)
    day_of_month = serializers.IntegerField(
        min_value=1, max_value=MAX_DAY_OF_MONTH, required=False, allow_null=True, default=None
    )
    next_run_date = serializers.DateField()
    shipping_address = serializers.CharField(max_length=500)
    lines = LineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)

    def validate_lines(self, rows):
        skus = {row["sku"] for row in rows}
        products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
        errors, lines = {}, []
        for index, row in enumerate(rows):
            product = products.get(row["sku"])
            if product is None:
                errors[index] = {"sku": [f"No product has the SKU {row['sku']}."]}
            else:
                lines.append((product, row["quantity"]))
        if errors:
            raise serializers.ValidationError(errors)
        return lines
