"""The distributor's warehouses API: its warehouses and what each holds.

Read-only: warehouses are added and changed on /distributor/warehouses/ and in
the admin (inventory.warehouses). Another organization's warehouse answers 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound

from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.fields import MAX_ID

from ..models import Warehouse, WarehouseStock
from ..selectors import warehouse_stock_of, warehouses_of_distributor
from .warehouse_serializers import WarehouseSerializer, WarehouseStockSerializer

RESPONSES = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN, 404: schema.NOT_FOUND}


class WarehouseListView(generics.ListAPIView):
    serializer_class = WarehouseSerializer
    permission_classes = [IsDistributor]
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


class WarehouseDetailView(generics.RetrieveAPIView):
    serializer_class = WarehouseSerializer
    permission_classes = [IsDistributor]

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
