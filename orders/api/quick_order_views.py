"""Quick order through the API: SKU rows checked at today's prices, optionally into the cart.

`POST /api/customer/quick-order` (the store's customers) and
`POST /api/retailer/quick-order` (a retailer, with `distributor_id`). The rows are
checked exactly as on the quick-order page (orders.quick_order): each valid row
comes back priced, each bad one with its row number and the reason. With
`add_to_cart` true the valid rows go into the buyer's cart (the one the site's
checkout uses) in one write; an API client that places orders directly can use
the answer's product ids with `POST .../orders`.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from accounts.permissions import IsRetailer
from auromart.api import schema
from catalog.selectors import default_store, distributor_catalog, product_search
from orders.cart import DatabaseCart
from orders.quick_order import (
    MAX_QUICK_ROWS,
    MAX_SKU_LENGTH,
    QuickRow,
    quick_order_add,
    quick_order_preview,
)
from orders.services_cart import MAX_CART_QUANTITY
from pricing.selectors import buyer_organization

from .views import IsBuyer


class QuickRowSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=MAX_SKU_LENGTH)
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_CART_QUANTITY)


class QuickOrderRequestSerializer(serializers.Serializer):
    rows = QuickRowSerializer(many=True, allow_empty=False, max_length=MAX_QUICK_ROWS)
    add_to_cart = serializers.BooleanField(default=False)


class RetailerQuickOrderRequestSerializer(QuickOrderRequestSerializer):
    distributor_id = serializers.IntegerField(min_value=1)


QuickOrderAnswer = inline_serializer(
    "QuickOrderAnswer",
    {
        "lines": inline_serializer(
            "QuickOrderLine",
            {
                "row": serializers.IntegerField(),
                "product_id": serializers.IntegerField(),
                "sku": serializers.CharField(),
                "name": serializers.CharField(),
                "quantity": serializers.IntegerField(),
                "unit_price": serializers.DecimalField(max_digits=12, decimal_places=2),
                "prices_include_tax": serializers.BooleanField(),
                "line_total": serializers.DecimalField(max_digits=14, decimal_places=2),
            },
            many=True,
        ),
        "errors": inline_serializer(
            "QuickOrderRowError",
            {
                "row": serializers.IntegerField(),
                "sku": serializers.CharField(),
                "message": serializers.CharField(),
            },
            many=True,
        ),
        "added_to_cart": serializers.IntegerField(),
    },
)


def _money(value) -> str:
    return f"{value:.2f}"


class BuyerQuickOrderView(APIView):
    parser_classes = [JSONParser]
    permission_classes = [IsBuyer]
    request_serializer = QuickOrderRequestSerializer

    def distributor(self, data) -> Organization:
        store = default_store()
        if store is None:
            raise serializers.ValidationError({"non_field_errors": ["The shop is not open yet."]})
        return store

    def catalog(self, distributor):
        return product_search(distributor=distributor)

    def post(self, request):
        body = self.request_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        distributor = self.distributor(data)
        rows = [
            QuickRow(n, row["sku"], str(row["quantity"])) for n, row in enumerate(data["rows"], 1)
        ]
        preview = quick_order_preview(
            catalog=self.catalog(distributor),
            organization=buyer_organization(request.user),
            distributor=distributor,
            rows=rows,
            in_cart=DatabaseCart(request.user, distributor).quantities(),
        )
        added = 0
        if data["add_to_cart"]:
            added = quick_order_add(user=request.user, distributor=distributor, preview=preview)
        return Response(
            {
                "lines": [
                    {
                        "row": line.row,
                        "product_id": line.product.pk,
                        "sku": line.product.sku,
                        "name": line.product.name,
                        "quantity": line.quantity,
                        "unit_price": _money(line.quote.unit_price),
                        "prices_include_tax": line.quote.prices_include_tax,
                        "line_total": _money(line.line_total),
                    }
                    for line in preview.lines
                ],
                "errors": [
                    {"row": e.row, "sku": e.sku, "message": e.message} for e in preview.errors
                ],
                "added_to_cart": added,
            },
            status=status.HTTP_200_OK,
        )


DESCRIPTION = (
    f"Check up to {MAX_QUICK_ROWS} rows of SKU and quantity at today's prices, as the "
    "quick-order page does: each valid row comes back priced (`lines`), each bad one with "
    "its row number and the reason (`errors`: unknown SKU, withdrawn product, short stock, "
    f"repeated SKU, over {MAX_CART_QUANTITY} units with the cart). With `add_to_cart` the "
    "valid rows go into your cart."
)


QUICK_ORDER_RESPONSES = {
    200: QuickOrderAnswer,
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
}


@extend_schema(
    summary="Quick order from the store by SKU",
    description=DESCRIPTION,
    request=QuickOrderRequestSerializer,
    responses=QUICK_ORDER_RESPONSES,
)
class CustomerQuickOrderView(BuyerQuickOrderView):
    def post(self, request):
        return super().post(request)


@extend_schema(
    summary="Quick order from a distributor by SKU",
    description=DESCRIPTION + " `distributor_id` names the distributor (404 if it is not one).",
    request=RetailerQuickOrderRequestSerializer,
    responses=QUICK_ORDER_RESPONSES,
)
class RetailerQuickOrderView(BuyerQuickOrderView):
    permission_classes = [IsRetailer]
    request_serializer = RetailerQuickOrderRequestSerializer

    def distributor(self, data) -> Organization:
        return get_object_or_404(
            Organization, pk=data["distributor_id"], kind=Organization.Kind.DISTRIBUTOR
        )

    def catalog(self, distributor):
        return distributor_catalog(distributor=distributor)

    def post(self, request):
        return super().post(request)
