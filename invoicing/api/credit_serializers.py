"""Credit terms in the API: what a distributor gives a buyer, and the buyer's exposure."""

from rest_framework import serializers

from auromart.api.fields import MAX_ID

from ..models import MAX_CREDIT_LIMIT, MAX_PAYMENT_TERMS_DAYS

MONEY = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": True}


class ExposureSerializer(serializers.Serializer):
    unpaid = serializers.DecimalField(
        **MONEY, help_text="Balances of the buyer's issued and partially paid invoices."
    )
    on_order = serializers.DecimalField(
        **MONEY, help_text="What its open orders (held ones included) have not invoiced yet."
    )
    overdue = serializers.DecimalField(**MONEY, help_text="The part of `unpaid` past due.")
    total = serializers.DecimalField(**MONEY, help_text="unpaid + on_order.")


class CreditTermsSerializer(serializers.Serializer):
    """One CreditRow (invoicing.credit): the terms with the buyer's exposure now."""

    id = serializers.IntegerField(source="terms.pk")
    buyer_id = serializers.IntegerField(source="terms.buyer_id")
    buyer_name = serializers.CharField(source="terms.buyer.name")
    payment_terms_days = serializers.IntegerField(source="terms.payment_terms_days")
    credit_limit = serializers.DecimalField(
        source="terms.credit_limit", allow_null=True, **MONEY, help_text="null: no limit."
    )
    active = serializers.BooleanField(source="terms.active")
    exposure = ExposureSerializer()
    available = serializers.DecimalField(
        allow_null=True,
        **MONEY,
        help_text="limit - exposure (negative: over the limit); null without a limit.",
    )
    updated_at = serializers.DateTimeField(source="terms.updated_at")


class CreditTermsInputSerializer(serializers.Serializer):
    payment_terms_days = serializers.IntegerField(
        min_value=0,
        max_value=MAX_PAYMENT_TERMS_DAYS,
        help_text="Net N: invoices fall due N days after issue.",
    )
    credit_limit = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        max_value=MAX_CREDIT_LIMIT,
        allow_null=True,
        help_text="Rupees; null for no limit. Orders over it are held for approval.",
    )
    active = serializers.BooleanField(default=True)


class CreditTermsCreateSerializer(CreditTermsInputSerializer):
    buyer_id = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The retailer organization given the terms."
    )
