"""Supplier lines over the API, one set of views for two actors.

Procurement staff (/api/admin/procurement/supplier-lines) see and change every
line; a manufacturer (/api/manufacturer/supplier-lines) the lines of its own
products. Another manufacturer's line answers 404.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from accounts.models import Organization
from accounts.permissions import IsManufacturer, IsProcurementStaff
from auromart.api import schema

from ..models import Product, SupplierLine
from ..models_suppliers import MAX_LEAD_TIME_DAYS, MAX_PACK_SIZE, MAX_PRIORITY, MAX_UNIT_COST
from ..suppliers import supplier_line_create, supplier_line_update, supplier_lines

ERRORS = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN, 404: schema.NOT_FOUND}


class SupplierLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    supplier = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    supplier_name = serializers.CharField(source="supplier.name", read_only=True)
    unit_cost = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=0,
        max_value=MAX_UNIT_COST,
        allow_null=True,
        required=False,
    )
    pack_size = serializers.IntegerField(min_value=1, max_value=MAX_PACK_SIZE, required=False)
    minimum_order_quantity = serializers.IntegerField(
        min_value=1, max_value=MAX_PACK_SIZE * 100, required=False
    )
    lead_time_days = serializers.IntegerField(
        min_value=0, max_value=MAX_LEAD_TIME_DAYS, required=False
    )
    priority = serializers.IntegerField(min_value=0, max_value=MAX_PRIORITY, required=False)

    class Meta:
        model = SupplierLine
        fields = [
            "id",
            "product",
            "product_sku",
            "supplier",
            "supplier_name",
            "supplier_sku",
            "unit_cost",
            "pack_size",
            "minimum_order_quantity",
            "lead_time_days",
            "priority",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]


class SupplierLineUpdateSerializer(SupplierLineSerializer):
    product = serializers.PrimaryKeyRelatedField(read_only=True)
    supplier = serializers.PrimaryKeyRelatedField(read_only=True)


class SupplierLineMixin:
    """`actor` is "staff" or "manufacturer"; it sets the permission and the scope."""

    actor = "staff"

    def get_permissions(self):
        return [IsProcurementStaff() if self.actor == "staff" else IsManufacturer()]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupplierLine.objects.none()
        if self.actor == "staff":
            return supplier_lines()
        return supplier_lines(manufacturer=self.request.user.organization)

    @staticmethod
    def _call(service, **kwargs):
        try:
            return service(**kwargs)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc


class SupplierLineListCreateView(SupplierLineMixin, generics.ListCreateAPIView):
    serializer_class = SupplierLineSerializer

    @extend_schema(
        summary="Supplier lines",
        description="Paginated, by product and priority.",
        responses={200: SupplierLineSerializer(many=True), **ERRORS},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a supplier to a product",
        responses={201: SupplierLineSerializer, 400: schema.VALIDATION_ERROR, **ERRORS},
    )
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        product, supplier = data.pop("product"), data.pop("supplier")
        if (
            self.actor == "manufacturer"
            and product.manufacturer_id != self.request.user.organization_id
        ):
            raise ValidationError({"product": "Not one of your products."})
        serializer.instance = self._call(
            supplier_line_create, product=product, supplier=supplier, **data
        )


class SupplierLineDetailView(SupplierLineMixin, generics.RetrieveUpdateAPIView):
    serializer_class = SupplierLineUpdateSerializer
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(summary="One supplier line", responses={200: SupplierLineSerializer, **ERRORS})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change a supplier line",
        responses={200: SupplierLineSerializer, 400: schema.VALIDATION_ERROR, **ERRORS},
    )
    def patch(self, request, *args, **kwargs):
        return super().patch(request, *args, **kwargs)

    def perform_update(self, serializer):
        serializer.instance = self._call(
            supplier_line_update, line=serializer.instance, **serializer.validated_data
        )
