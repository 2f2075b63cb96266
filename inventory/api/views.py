"""The distributor's stock API: its stock items and their reorder settings.

Distributors only; each sees its own organization's stock (another's item
answers 404). Stock levels change through the ledger elsewhere; here only
the reorder overrides are written, through
inventory.services.stock_item_set_reorder_overrides.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.fields import MAX_ID

from ..models import StockItem
from ..selectors import stock_item_for_distributor, stock_items_for_distributor
from ..services import stock_item_set_reorder_overrides
from .serializers import ReorderOverridesSerializer, StockItemSerializer, StockListQuerySerializer


class DistributorStockListView(generics.ListAPIView):
    serializer_class = StockItemSerializer
    permission_classes = [IsDistributor]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return StockItem.objects.none()
        query = StockListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return stock_items_for_distributor(
            distributor=self.request.user.organization,
            search=query.validated_data["search"].strip(),
            low=query.validated_data["low"],
        )

    @extend_schema(
        summary="Your stock, by product name",
        description=(
            "Each product your organization stocks: on hand, allocated, held, available, the "
            "effective reorder level and quantity (your override, else the product's) and "
            "whether it is low. Filter with `low` and `search`. Paginated."
        ),
        parameters=[StockListQuerySerializer],
        responses={
            200: StockItemSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DistributorStockDetailView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    def _item(self, request, pk: int) -> StockItem:
        if pk > MAX_ID:
            raise NotFound()
        try:
            return stock_item_for_distributor(distributor=request.user.organization, pk=pk)
        except StockItem.DoesNotExist:
            raise NotFound() from None

    @extend_schema(
        summary="One of your stock items",
        responses={
            200: StockItemSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        return Response(StockItemSerializer(self._item(request, pk)).data)

    @extend_schema(
        summary="Set a stock item's reorder level and quantity",
        description=(
            "Your own reorder level and quantity for this product. Only the fields sent "
            "change; `null` goes back to the product's default. Stock levels are not "
            "changed here."
        ),
        request=ReorderOverridesSerializer,
        responses={
            200: StockItemSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def patch(self, request, pk: int):
        item = self._item(request, pk)
        body = ReorderOverridesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item = stock_item_set_reorder_overrides(
            stock_item=item,
            reorder_level_override=data.get("reorder_level_override", item.reorder_level_override),
            reorder_quantity_override=data.get(
                "reorder_quantity_override", item.reorder_quantity_override
            ),
        )
        return Response(StockItemSerializer(item).data)
