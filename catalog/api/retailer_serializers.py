"""Query and output shapes of the retailer's catalog API (GET /api/retailer/...)."""

from rest_framework import serializers

from accounts.models import Organization
from auromart.api.fields import MAX_ID

from .filters import ProductQuerySerializer


class RetailerCatalogQuerySerializer(ProductQuerySerializer):
    """The customer catalog's filters, with the distributor chosen, not defaulted."""

    distributor = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text=(
            "Id of the distributor to order from (see `/api/retailer/distributors`): the "
            "catalog lists the products it carries, with its stock."
        ),
    )


class RetailerDistributorSerializer(serializers.ModelSerializer):
    """A distributor a retailer can order from."""

    products_available = serializers.IntegerField(
        read_only=True, help_text="Products it can sell now (available above 0)."
    )

    class Meta:
        model = Organization
        fields = ["id", "name", "city", "region", "products_available"]
        read_only_fields = fields
