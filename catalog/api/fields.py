"""A category named the way a person would: by id, slug or name."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Category
from ..selectors import category_by_reference


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string", "maxLength": 140}],
        "description": "A category's id, slug or name.",
    }
)
class CategoryReferenceField(serializers.Field):
    """Input: an id (a JSON integer or digits), a slug or a name, ignoring case. Output: the id.

    An unknown category is a field error listing close matches; creating one is
    staff's (POST /api/categories)."""

    default_error_messages = {"invalid": "Name a category by its id, slug or name."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("invalid")
        if isinstance(data, str) and not (0 < len(data.strip()) <= 140):
            self.fail("invalid")
        try:
            return category_by_reference(data)
        except (Category.DoesNotExist, Category.MultipleObjectsReturned) as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return value.pk
