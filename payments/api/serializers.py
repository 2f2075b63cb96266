from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from auromart.api.fields import MAX_ID, StrictIntegerField

from ..models import Payment


class OnlinePaymentStartSerializer(serializers.Serializer):
    """What to pay: an order awaiting payment, or an invoice's balance due (one of the two)."""

    order_id = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)
    invoice_id = StrictIntegerField(required=False, min_value=1, max_value=MAX_ID)

    def validate(self, attrs):
        if ("order_id" in attrs) == ("invoice_id" in attrs):
            raise serializers.ValidationError(
                {"order_id": "Give either order_id or invoice_id (one of them)."}
            )
        return attrs


class OnlinePaymentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(
        source="order.number", default=None, read_only=True, allow_null=True
    )
    invoice_number = serializers.CharField(
        source="invoice.number", default=None, read_only=True, allow_null=True
    )
    key_id = serializers.SerializerMethodField(
        help_text="The provider's public key for its checkout (empty with the test gateway)."
    )
    checkout_url = serializers.SerializerMethodField(
        help_text="The page that hands the buyer to the provider's checkout."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "status",
            "amount",
            "currency",
            "order_id",
            "order_number",
            "invoice_id",
            "invoice_number",
            "gateway",
            "provider_order_id",
            "provider_payment_id",
            "key_id",
            "checkout_url",
            "paid_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_key_id(self, obj) -> str:
        return settings.RAZORPAY_KEY_ID if obj.gateway == "razorpay" else ""

    def get_checkout_url(self, obj) -> str:
        return reverse("payments:checkout", args=[obj.pk])
