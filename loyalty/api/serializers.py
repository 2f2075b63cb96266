from rest_framework import serializers

from ..models import PointsEntry


class PointsSummarySerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Whether the programme is running.")
    balance = serializers.IntegerField(help_text="Your points: the sum of your ledger.")
    point_value = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="Rupees a point takes off an order."
    )
    value = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="What your balance is worth now."
    )


class PointsEntrySerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(
        source="order.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PointsEntry
        fields = ["id", "created_at", "kind", "points", "order_number", "amount", "expires_on"]
        read_only_fields = fields
