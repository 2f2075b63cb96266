"""Shapes of product pictures and specifications in the API."""

from rest_framework import serializers

from ..models import ProductAttribute, ProductImage
from ..services_media import MAX_ATTRIBUTES


class ProductImageSerializer(serializers.ModelSerializer):
    """A picture of the product: the full image and its two thumbnails (absolute URLs)."""

    url = serializers.SerializerMethodField(help_text="The full picture.")
    card = serializers.SerializerMethodField(help_text="480 x 360 thumbnail.")
    small = serializers.SerializerMethodField(help_text="120 x 120 thumbnail.")

    class Meta:
        model = ProductImage
        fields = ["id", "url", "card", "small", "alt_text", "position"]
        read_only_fields = fields

    def _url(self, file) -> str:
        if not file:
            return ""
        url = file.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request and url.startswith("/") else url

    def get_url(self, image) -> str:
        return self._url(image.image)

    def get_card(self, image) -> str:
        return self._url(image.card)

    def get_small(self, image) -> str:
        return self._url(image.small)


class ProductImageUploadSerializer(serializers.Serializer):
    image = serializers.ImageField(help_text="JPEG, PNG, WebP or GIF, at most 8 MB.")
    alt_text = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Default: the product's name."
    )


class ProductAttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductAttribute
        fields = ["name", "value"]
        extra_kwargs = {"name": {"max_length": 80}, "value": {"max_length": 200}}


class SpecificationsSerializer(serializers.Serializer):
    attributes = ProductAttributeSerializer(
        many=True, max_length=MAX_ATTRIBUTES, help_text="In the order to show them."
    )
