"""/api/manufacturer/products/{id}/images and .../specifications: the manufacturer's
pictures and specifications of its own products (another's product answers 404)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema

from .. import services_media
from ..models import Product, ProductImage
from .manufacturer_views import COMMON_ERRORS, ManufacturerAPIMixin
from .media_serializers import (
    ProductImageSerializer,
    ProductImageUploadSerializer,
    SpecificationsSerializer,
)


class OwnProductMixin(ManufacturerAPIMixin):
    def own_product(self, pk: int) -> Product:
        return get_object_or_404(Product, pk=pk, manufacturer=self.manufacturer)


class ProductImagesView(OwnProductMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Your product's pictures",
        responses={200: ProductImageSerializer(many=True), **COMMON_ERRORS, 404: schema.NOT_FOUND},
    )
    def get(self, request, pk: int):
        product = self.own_product(pk)
        return Response(
            ProductImageSerializer(
                product.images.all(), many=True, context={"request": request}
            ).data
        )

    @extend_schema(
        summary="Add a picture to your product",
        description=(
            "Multipart upload (`image`, optional `alt_text`). Thumbnails are made at once; "
            "at most 12 pictures a product."
        ),
        request=ProductImageUploadSerializer,
        responses={
            201: ProductImageSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def post(self, request, pk: int):
        product = self.own_product(pk)
        upload = ProductImageUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        image = services_media.product_image_add(
            product=product,
            upload=upload.validated_data["image"],
            alt_text=upload.validated_data.get("alt_text", ""),
        )
        return Response(
            ProductImageSerializer(image, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ProductImageDetailView(OwnProductMixin, APIView):
    @extend_schema(
        summary="Remove a picture of your product",
        responses={204: None, **COMMON_ERRORS, 404: schema.NOT_FOUND},
    )
    def delete(self, request, pk: int, image_id: int):
        image = get_object_or_404(ProductImage, pk=image_id, product=self.own_product(pk))
        services_media.product_image_remove(image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductSpecificationsView(OwnProductMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Your product's specifications",
        responses={200: SpecificationsSerializer, **COMMON_ERRORS, 404: schema.NOT_FOUND},
    )
    def get(self, request, pk: int):
        product = self.own_product(pk)
        return Response(SpecificationsSerializer({"attributes": product.attributes.all()}).data)

    @extend_schema(
        summary="Replace your product's specifications",
        description="Name/value pairs in the order to show them; names unique per product.",
        request=SpecificationsSerializer,
        responses={
            200: SpecificationsSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def put(self, request, pk: int):
        product = self.own_product(pk)
        body = SpecificationsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pairs = [(a["name"].strip(), a["value"].strip()) for a in body.validated_data["attributes"]]
        services_media.product_attributes_set(product=product, pairs=pairs)
        return Response(SpecificationsSerializer({"attributes": product.attributes.all()}).data)
