"""The distributor's warehouses API: its warehouses and what each holds; adding one
(POST) and changing one (PATCH), as /distributor/warehouses/ does, through the same
services (inventory.warehouses) and for the same people (the distributor's members).
Another organization's warehouse answers 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.fields import MAX_ID

from ..models import Warehouse, WarehouseStock
from ..selectors import warehouse_stock_of, warehouses_of_distributor
from ..warehouses import warehouse_create, warehouse_update
from .warehouse_serializers import (
    WarehouseSerializer,
    WarehouseStockSerializer,
    WarehouseWriteSerializer,
)

RESPONSES = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN, 404: schema.NOT_FOUND}
WRITE_RESPONSES = {400: schema.VALIDATION_ERROR, 401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}


def _shown(request, warehouse: Warehouse) -> dict:
    """The warehouse as the list shows it (with its stock totals)."""
    found = warehouses_of_distributor(distributor=request.user.organization)
    return WarehouseSerializer(found.get(pk=warehouse.pk)).data


class WarehouseListView(generics.ListAPIView):
    serializer_class = WarehouseSerializer
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Warehouse.objects.none()
        return warehouses_of_distributor(distributor=self.request.user.organization)

    @extend_schema(
        summary="Your warehouses, by priority",
        description=(
            "Orders take stock from the active warehouses by priority (lowest first). Each "
            "with its units on hand, allocated and held. Paginated."
        ),
        responses={200: WarehouseSerializer(many=True), 400: schema.VALIDATION_ERROR, **RESPONSES},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Add a warehouse",
        description=(
            "Name and code unique among your warehouses; the state defaults to your "
            "organization's; a warehouse in another state than your GSTIN's needs your GSTIN "
            "there. 400 keyed by field otherwise."
        ),
        request=WarehouseWriteSerializer,
        responses={201: WarehouseSerializer, **WRITE_RESPONSES},
    )
    def post(self, request, *args, **kwargs):
        body = WarehouseWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        warehouse = warehouse_create(distributor=request.user.organization, **body.validated_data)
        return Response(_shown(request, warehouse), status=status.HTTP_201_CREATED)


class WarehouseDetailView(generics.RetrieveAPIView):
    serializer_class = WarehouseSerializer
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    def get_object(self):
        pk = self.kwargs["pk"]
        found = warehouses_of_distributor(distributor=self.request.user.organization)
        warehouse = found.filter(pk=pk).first() if pk <= MAX_ID else None
        if warehouse is None:
            raise NotFound()
        return warehouse

    @extend_schema(
        summary="One of your warehouses", responses={200: WarehouseSerializer, **RESPONSES}
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Change one of your warehouses",
        description=(
            "Any of name, code, address, state, GSTIN, priority, active. You keep at least one "
            "active warehouse (400 `is_active`); the other checks are those of adding one."
        ),
        request=WarehouseWriteSerializer(partial=True),
        responses={200: WarehouseSerializer, **WRITE_RESPONSES, 404: schema.NOT_FOUND},
    )
    def patch(self, request, *args, **kwargs):
        warehouse = self.get_object()
        body = WarehouseWriteSerializer(warehouse, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        warehouse = warehouse_update(warehouse=warehouse, **body.validated_data)
        return Response(_shown(request, warehouse))


class WarehouseStockListView(generics.ListAPIView):
    serializer_class = WarehouseStockSerializer
    permission_classes = [IsDistributor]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return WarehouseStock.objects.none()
        pk = self.kwargs["pk"]
        if pk > MAX_ID:
            raise NotFound()
        try:
            return warehouse_stock_of(distributor=self.request.user.organization, warehouse_id=pk)
        except Warehouse.DoesNotExist:
            raise NotFound() from None

    @extend_schema(
        summary="What one of your warehouses holds, by product name",
        description=(
            "Per product: on hand, allocated, held and available in this warehouse. Your "
            "totals per product (the sum over your warehouses) are /api/distributor/inventory. "
            "Paginated."
        ),
        responses={
            200: WarehouseStockSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            **RESPONSES,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
