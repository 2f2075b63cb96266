"""The retailer's orders API (/api/retailer/orders): the customer endpoints' shapes and
rules, scoped to the caller's organization.

Retailer accounts only (403 for other roles). Every member of a retailer sees
and reads all of its organization's orders (Order.buyer_organization);
another organization's order answers 404. Orders are placed with a chosen
distributor, against that distributor's stock.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.permissions import IsRetailer
from auromart.api import schema
from auromart.api.exceptions import error_response
from inventory.exceptions import InsufficientStock

from .. import services
from ..exceptions import IdempotencyKeyReused, OrderPlacementBusy
from ..models import Order
from ..selectors import orders_for_retailer_organization
from . import schema as orders_schema
from .retailer_serializers import (
    RetailerOrderCreateSerializer,
    RetailerOrderListQuerySerializer,
    RetailerOrderSerializer,
)
from .views import BUSY_RETRY_AFTER, insufficient_stock_response


def place_order_or_error(request, data: dict) -> tuple[Order | None, Response | None]:
    """Place the order a validated create serializer describes, as the caller.

    Returns (order, None), or (None, the error response): 409 for too little
    stock, 422 for a reused Idempotency-Key, 503 when the database kept
    refusing the locks. Other ValidationErrors of order_place propagate and
    answer 400 through the API's exception handler.
    """
    lines = [(line["product_id"], line["quantity"]) for line in data["items"]]
    try:
        order = services.order_place(
            customer=request.user,
            items=lines,
            distributor=data["distributor"],
            fulfillment_type=data["fulfillment_type"],
            shipping_address=data["shipping_address"],
            idempotency_key=request.headers.get("Idempotency-Key"),
        )
    except InsufficientStock as exc:
        return None, insufficient_stock_response(exc, lines)
    except IdempotencyKeyReused as exc:
        return None, error_response(
            str(exc), "idempotency_key_reused", status.HTTP_422_UNPROCESSABLE_ENTITY
        )
    except OrderPlacementBusy as exc:
        response = error_response(
            str(exc), "order_placement_busy", status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return None, response
    return order, None


class RetailerOrderMixin:
    """The caller's organization's orders, each with lines, distributor, buyer and history."""

    serializer_class = RetailerOrderSerializer
    permission_classes = [IsRetailer]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Order.objects.none()
        return orders_for_retailer_organization(
            organization=self.request.user.organization, with_history=True
        )


class RetailerOrderListCreateView(RetailerOrderMixin, generics.ListAPIView):
    """The organization's orders (GET) and placing a new one for it (POST)."""

    parser_classes = [JSONParser]

    @extend_schema(
        summary="Your organization's orders, newest first",
        description=(
            "Every order placed for your retailer organization, by any of its members, with "
            "lines, status history, tracking reference and who placed it. Paginated."
        ),
        parameters=[RetailerOrderListQuerySerializer],
        responses={
            200: RetailerOrderSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        query = RetailerOrderListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if "status" in query.validated_data:
            queryset = queryset.filter(status=query.validated_data["status"])
        if "distributor" in query.validated_data:
            queryset = queryset.filter(distributor_id=query.validated_data["distributor"])
        return queryset

    @extend_schema(
        summary="Place an order for your organization",
        description=(
            "Buy from the chosen distributor (`distributor_id`, required), against its stock; "
            "the order belongs to your organization. Same rules as `POST /api/customer/orders`: "
            "stock is taken in the same transaction, either the whole order is placed or "
            "nothing is written (409 when a line asks for more than the distributor has). "
            "Send an `Idempotency-Key` to retry safely; a replay answers 201 with the first "
            "order and the header `Idempotent-Replayed: true`."
        ),
        request=RetailerOrderCreateSerializer,
        parameters=[
            orders_schema.IDEMPOTENCY_KEY,
            orders_schema.IDEMPOTENT_REPLAYED,
            orders_schema.RETRY_AFTER,
        ],
        responses={
            201: RetailerOrderSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            409: orders_schema.INSUFFICIENT_STOCK,
            422: orders_schema.UNPROCESSABLE,
            503: orders_schema.SERVICE_UNAVAILABLE,
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = RetailerOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        placed, error = place_order_or_error(request, serializer.validated_data)
        if error is not None:
            return error
        # A new order comes back with its lines and history loaded; a replay is read.
        order = self.get_queryset().get(pk=placed.pk) if placed.replayed else placed
        response = Response(
            RetailerOrderSerializer(order).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-retailer-order-detail", args=[order.pk])},
        )
        if placed.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class RetailerOrderDetailView(RetailerOrderMixin, generics.RetrieveAPIView):
    """One of the organization's orders; another organization's answers 404."""

    @extend_schema(
        summary="One of your organization's orders",
        responses={
            200: RetailerOrderSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
