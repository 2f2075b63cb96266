"""Query parameters and answers of the report API (/api/reports/...)."""

import datetime

from django.utils import timezone
from rest_framework import serializers

from accounts.models import Organization
from auromart.api.fields import MAX_ID
from catalog.models import Category, Product

from .. import selectors

FIRST_YEAR, LAST_YEAR = 2000, 2100


class NarrowingQuerySerializer(serializers.Serializer):
    """The optional filters every report takes; ids become objects (404 is not used: a bad id
    is a 400 naming the field)."""

    product = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this product (id)."
    )
    category = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only this category (id) and the categories below it.",
    )
    distributor = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only orders this distributor (id) received. Within your scope: a distributor "
        "asking for another gets nothing.",
    )
    region = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="Only orders received by distributors of this region.",
    )

    LOOKUPS = {
        "product": (Product.objects.all(), "No product with this id."),
        "category": (Category.objects.all(), "No category with this id."),
        "distributor": (
            Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR),
            "No distributor with this id.",
        ),
    }

    def validate(self, attrs):
        errors = {}
        for name, (queryset, message) in self.LOOKUPS.items():
            if name in attrs:
                found = queryset.filter(pk=attrs[name]).first()
                if found is None:
                    errors[name] = [message]
                attrs[name] = found
        if errors:
            raise serializers.ValidationError(errors)
        attrs["region"] = (attrs.get("region") or "").strip()
        return attrs

    def narrowing(self) -> dict:
        data = self.validated_data
        return {
            name: data[name]
            for name in ("product", "category", "distributor", "region")
            if data.get(name)
        }


class MonthlyQuerySerializer(NarrowingQuerySerializer):
    year = serializers.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    month = serializers.IntegerField(min_value=1, max_value=12)


class SalesQuerySerializer(NarrowingQuerySerializer):
    start = serializers.DateField(
        required=False,
        help_text="First day, inclusive (YYYY-MM-DD). Default: the 1st of `end`'s month.",
    )
    end = serializers.DateField(
        required=False, help_text="Last day, inclusive (YYYY-MM-DD). Default: today."
    )
    group_by = serializers.ChoiceField(
        choices=selectors.GROUP_BY, default="product", help_text="How rows are grouped."
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end.replace(day=1)
        if end < start:
            raise serializers.ValidationError({"end": ["The end date is before the start date."]})
        if not (start.year >= FIRST_YEAR and end.year <= LAST_YEAR):
            raise serializers.ValidationError(
                {"start": [f"Use dates from {FIRST_YEAR} to {LAST_YEAR}."]}
            )
        attrs["start"], attrs["end"] = start, end
        return attrs

    def filters(self) -> selectors.ReportFilters:
        data = self.validated_data
        return selectors.ReportFilters(start=data["start"], end=data["end"], **self.narrowing())


# --- Answers ---------------------------------------------------------------------------------


class SalesRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="SKU, category slug, distributor id, region or day (YYYY-MM-DD); null on totals.",
    )
    label = serializers.CharField()
    orders = serializers.IntegerField(help_text="Distinct orders.")
    units = serializers.IntegerField()
    revenue = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="Line totals before tax."
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if isinstance(instance.get("key"), datetime.date):
            data["key"] = instance["key"].isoformat()
        return data


class SalesReportSerializer(serializers.Serializer):
    title = serializers.CharField()
    group_by = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    filters = serializers.DictField(child=serializers.CharField(), help_text="As shown to people.")
    rows = SalesRowSerializer(many=True)
    totals = SalesRowSerializer()


class DurationStatsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean_hours = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    median_hours = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    p90_hours = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


MONEY = {"max_digits": 16, "decimal_places": 2}


class MonthlyReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    filters = serializers.DictField(child=serializers.CharField(), source="filters.labels")
    orders = serializers.IntegerField(
        help_text="Orders placed in the month and not rejected or cancelled."
    )
    orders_placed = serializers.IntegerField()
    orders_cancelled = serializers.IntegerField()
    orders_rejected = serializers.IntegerField()
    units = serializers.IntegerField(help_text="Net of the units credited in the month.")
    subtotal = serializers.DecimalField(
        **MONEY,
        help_text="Revenue before tax (line totals), net of the credit notes dated in the month.",
    )
    credit_notes = serializers.IntegerField(help_text="Credit notes dated in the month.")
    credited = serializers.DecimalField(
        **MONEY, help_text="Their taxable value (already off `subtotal`)."
    )
    tax = serializers.DecimalField(
        **MONEY,
        allow_null=True,
        help_text="Null where whole orders are not in view (manufacturers).",
    )
    total = serializers.DecimalField(**MONEY, allow_null=True)
    average_cart_value = serializers.DecimalField(**MONEY, allow_null=True)
    fulfillment = DurationStatsSerializer(help_text="Placed -> delivered, in hours.")
    top_products = SalesRowSerializer(many=True, source="top_products.rows")
    by_distributor = SalesRowSerializer(many=True, source="by_distributor.rows")
    by_region = SalesRowSerializer(many=True, source="by_region.rows")
