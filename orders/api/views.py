from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.models import BUYER_ROLES
from accounts.permissions import role_permission
from auromart.api import schema
from auromart.api.exceptions import error_response
from inventory.exceptions import InsufficientStock

from .. import services
from ..exceptions import IdempotencyKeyReused, OrderPlacementBusy
from ..models import Order
from ..selectors import orders_for_customer
from . import schema as orders_schema
from .serializers import OrderCreateSerializer, OrderListQuerySerializer, OrderSerializer

# Seconds a client waits before retrying an order the database was too busy to take.
BUSY_RETRY_AFTER = 2

IsBuyer = role_permission(*BUYER_ROLES)


class CustomerOrderMixin:
    """The caller's own orders, each with its lines, distributor and history loaded."""

    serializer_class = OrderSerializer
    permission_classes = [IsBuyer]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Order.objects.none()
        return orders_for_customer(customer=self.request.user, with_history=True)


class OrderListCreateView(CustomerOrderMixin, generics.ListAPIView):
    """The caller's orders (GET) and placing a new one (POST)."""

    parser_classes = [JSONParser]

    @extend_schema(
        summary="Your orders, newest first",
        description="Orders you placed, with their lines and status history. Paginated.",
        parameters=[OrderListQuerySerializer],
        responses={
            200: OrderSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        query = OrderListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if "status" in query.validated_data:
            queryset = queryset.filter(status=query.validated_data["status"])
        return queryset

    @extend_schema(
        summary="Place an order",
        description=(
            "Customers and retailers buy from one distributor (default: the store). Stock is "
            "taken in the same transaction: either the whole order is placed or nothing is "
            "written. Send an `Idempotency-Key` to retry safely; a replay answers 201 with "
            "the first order and the header `Idempotent-Replayed: true`."
        ),
        request=OrderCreateSerializer,
        parameters=[
            orders_schema.IDEMPOTENCY_KEY,
            orders_schema.IDEMPOTENT_REPLAYED,
            orders_schema.RETRY_AFTER,
        ],
        responses={
            201: OrderSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            409: orders_schema.INSUFFICIENT_STOCK,
            422: orders_schema.UNPROCESSABLE,
            503: orders_schema.SERVICE_UNAVAILABLE,
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        lines = [(line["product_id"], line["quantity"]) for line in data["items"]]
        try:
            placed = services.order_place(
                customer=request.user,
                items=lines,
                distributor=data["distributor"],
                fulfillment_type=data["fulfillment_type"],
                shipping_address=data["shipping_address"],
                idempotency_key=request.headers.get("Idempotency-Key"),
            )
        except InsufficientStock as exc:
            return insufficient_stock_response(exc, lines)
        except IdempotencyKeyReused as exc:
            return error_response(
                str(exc), "idempotency_key_reused", status.HTTP_422_UNPROCESSABLE_ENTITY
            )
        except OrderPlacementBusy as exc:
            response = error_response(
                str(exc), "order_placement_busy", status.HTTP_503_SERVICE_UNAVAILABLE
            )
            response["Retry-After"] = str(BUSY_RETRY_AFTER)
            return response

        # A new order comes back with its lines and history loaded; a replay is read.
        order = self.get_queryset().get(pk=placed.pk) if placed.replayed else placed
        response = Response(
            OrderSerializer(order).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-order-detail", args=[order.pk])},
        )
        if placed.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


def insufficient_stock_response(exc: InsufficientStock, lines: list[tuple[int, int]]) -> Response:
    """409 naming the product, what is available, and the line that asked for too much."""
    errors = {}
    for index, (product_id, _quantity) in enumerate(lines):
        if product_id == exc.product.pk:
            errors[f"items.{index}.quantity"] = [
                f"Only {exc.available} available of {exc.product}."
            ]
    return error_response(str(exc), "insufficient_stock", status.HTTP_409_CONFLICT, errors)


class OrderDetailView(CustomerOrderMixin, generics.RetrieveAPIView):
    """One of the caller's orders; anybody else's answers 404."""

    @extend_schema(
        summary="One of your orders",
        responses={
            200: OrderSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
