"""Query parameters of the catalog API, validated like a request body.

The catalog is filtered by `catalog.selectors.product_search`, which takes all
filters at once; a serializer checks the query string first so that a bad
value answers 400 naming the parameter instead of being silently ignored.
"""

from django.db.models import Q
from rest_framework import serializers

from accounts.api.fields import distributor_from_id
from accounts.models import Organization
from auromart.api.fields import MAX_ID

from ..models import Category
from ..selectors import ORDERINGS, RELEVANCE


class ProductQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=(
            "Words matched against name, SKU and description, case-insensitively; every word "
            "must match. A word matches from the start of a word (`lamp` finds “Lamps”, not "
            "“Clamp”); any character other than a letter, digit or `_` separates words "
            '(`CS-050017` is `CS` and `050017`), so `+ - " * ( ) ~ < > @` are not operators. '
            "Words shorter than the index takes (3 characters) match anywhere, inside words "
            "too. The first 8 words are used."
        ),
    )
    category = serializers.CharField(
        required=False,
        max_length=140,
        help_text="A category id or slug; its sub-categories are included.",
    )
    min_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Inclusive."
    )
    max_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, help_text="Inclusive."
    )
    in_stock = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Only products the distributor can sell now.",
    )
    distributor = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Id of the distributor whose stock is shown. Default: the store.",
    )
    ordering = serializers.ChoiceField(
        choices=list(ORDERINGS),
        required=False,
        default=RELEVANCE,
        help_text=(
            "`relevance` (the default): with a `search`, the best matches first, as the "
            "search index ranks them (ties: the product indexed first, first); the index "
            "serves this order, so it stays fast however many products match. Without a "
            "`search`, or where no search index exists, `relevance` is `name`. `newest` is "
            "the same as `-created_at`. Any other order sorts every match first."
        ),
    )

    def validate_category(self, value: str) -> Category:
        value = value.strip()
        lookup = Q(slug=value)
        if value.isdigit() and int(value) <= MAX_ID:
            lookup |= Q(pk=int(value))
        category = Category.objects.filter(lookup).first()
        if category is None:
            raise serializers.ValidationError(f"No category with id or slug “{value}”.")
        return category

    def validate_distributor(self, value: int) -> Organization:
        return distributor_from_id(value)

    def validate(self, attrs):
        low, high = attrs.get("min_price"), attrs.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError({"max_price": f"Must be at least min_price ({low})."})
        return attrs
