"""The buyer's orders API: one set of views for customers (/api/customer/orders) and
retailers (/api/retailer/orders), parametrized like the pages by the buyer.

A customer lists and reads the orders they placed, and places orders with the
store by default. A retailer member acts for its organization: every member
lists and reads all of the organization's orders (who placed each is in
`placed_by`), another organization's order answers 404, and the distributor
must be chosen. Both place orders through services.order_place, whose rules
and errors they share.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import BUYER_ROLES
from accounts.permissions import role_permission
from auromart.api import schema
from auromart.api.exceptions import error_response
from auromart.api.fields import MAX_ID
from inventory.exceptions import InsufficientStock
from payments.checkout import payment_required

from .. import backorders, selectors, services
from ..exceptions import IdempotencyKeyReused, IllegalTransition, OrderPlacementBusy
from ..models import Order
from . import schema as orders_schema
from .serializers import OrderCreateSerializer, OrderListQuerySerializer, OrderSerializer

# Seconds a client waits before retrying an order the database was too busy to take.
BUSY_RETRY_AFTER = 2

IsBuyer = role_permission(*BUYER_ROLES)


def insufficient_stock_response(exc: InsufficientStock, lines: list[tuple[int, int]]) -> Response:
    """409 naming the product, what is available, and the line that asked for too much."""
    errors = {}
    for index, (product_id, _quantity) in enumerate(lines):
        if product_id == exc.product.pk:
            errors[f"items.{index}.quantity"] = [
                f"Only {exc.available} available of {exc.product}."
            ]
    return error_response(str(exc), "insufficient_stock", status.HTTP_409_CONFLICT, errors)


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
            shipping_state=data["shipping_state"],
            idempotency_key=request.headers.get("Idempotency-Key"),
            backorder=data.get("backorder"),
            buyer_reference=data.get("buyer_reference", ""),
            requested_delivery_date=data.get("requested_delivery_date"),
            loyalty_points=data.get("loyalty_points", 0),
            awaiting_payment=payment_required(
                customer=request.user,
                distributor=data["distributor"],
                choice=data.get("payment") or "",
            ),
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


class BuyerOrderMixin:
    """The buyer's orders, each with lines, distributor and history loaded.

    Subclasses for another buyer set the class attributes below; `organization`
    True scopes to the caller's organization instead of the caller.
    """

    serializer_class = OrderSerializer
    create_serializer_class = OrderCreateSerializer
    query_serializer_class = OrderListQuerySerializer
    detail_url_name = "api-order-detail"
    organization = False
    permission_classes = [IsBuyer]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Order.objects.none()
        if self.organization:
            return selectors.orders_for_retailer_organization(
                organization=self.request.user.organization, with_history=True
            )
        return selectors.orders_for_customer(customer=self.request.user, with_history=True)


def list_create_schema(*, summary, description, place_summary, place_description, serializer):
    """The OpenAPI description of a buyer's order list (GET) and order placing (POST)."""

    def decorate(view_class):
        return extend_schema_view(
            get=extend_schema(
                summary=summary,
                description=description,
                parameters=[view_class.query_serializer_class],
                responses={
                    200: serializer(many=True),
                    400: schema.VALIDATION_ERROR,
                    401: schema.UNAUTHORIZED,
                    403: schema.FORBIDDEN,
                    404: schema.NOT_FOUND,
                },
            ),
            post=extend_schema(
                summary=place_summary,
                description=place_description,
                request=view_class.create_serializer_class,
                parameters=[
                    orders_schema.IDEMPOTENCY_KEY,
                    orders_schema.IDEMPOTENT_REPLAYED,
                    orders_schema.RETRY_AFTER,
                ],
                responses={
                    201: serializer,
                    400: schema.VALIDATION_ERROR,
                    401: schema.UNAUTHORIZED,
                    403: schema.FORBIDDEN,
                    409: orders_schema.INSUFFICIENT_STOCK,
                    422: orders_schema.UNPROCESSABLE,
                    503: orders_schema.SERVICE_UNAVAILABLE,
                },
            ),
        )(view_class)

    return decorate


def detail_schema(*, summary, serializer):
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            responses={
                200: serializer,
                401: schema.UNAUTHORIZED,
                403: schema.FORBIDDEN,
                404: schema.NOT_FOUND,
            },
        )
    )


class BuyerOrderListCreateView(BuyerOrderMixin, generics.ListAPIView):
    """The buyer's orders (GET) and placing a new one (POST)."""

    parser_classes = [JSONParser]

    def filter_queryset(self, queryset):
        query = self.query_serializer_class(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        if "status" in query.validated_data:
            queryset = queryset.filter(status=query.validated_data["status"])
        if "distributor" in query.validated_data:
            queryset = queryset.filter(distributor_id=query.validated_data["distributor"])
        return queryset

    def post(self, request, *args, **kwargs):
        serializer = self.create_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        placed, error = place_order_or_error(request, serializer.validated_data)
        if error is not None:
            return error
        # A new order comes back with its lines and history loaded; a replay is read.
        order = self.get_queryset().get(pk=placed.pk) if placed.replayed else placed
        response = Response(
            self.serializer_class(order).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse(self.detail_url_name, args=[order.pk])},
        )
        if placed.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


@list_create_schema(
    summary="Your orders, newest first",
    description="Orders you placed, with their lines and status history. Paginated.",
    place_summary="Place an order",
    place_description=(
        "Customers and retailers buy from one distributor (default: the store). Stock is "
        "allocated in the same transaction: shipping complete (`backorder` false, the "
        "default setting), either the whole order is placed or nothing is written (409); "
        "with `backorder` true each line gets what is available and the rest is "
        "backordered. Send an `Idempotency-Key` to retry safely; a replay answers 201 with "
        "the first order and the header `Idempotent-Replayed: true`."
    ),
    serializer=OrderSerializer,
)
class OrderListCreateView(BuyerOrderListCreateView):
    pass


class BuyerBackorderCancelView(BuyerOrderMixin, APIView):
    """POST: the buyer calls off the backordered rest of one of its orders."""

    parser_classes = [JSONParser]

    def post(self, request, pk: int):
        order = self.get_queryset().filter(pk=pk).first() if pk <= MAX_ID else None
        if order is None:
            raise NotFound()
        try:
            backorders.order_backorder_cancel(order=order, by=request.user)
        except IllegalTransition as exc:
            return error_response(str(exc), "nothing_backordered", status.HTTP_409_CONFLICT)
        return Response(self.serializer_class(self.get_queryset().get(pk=pk)).data)


def backorder_cancel_schema(serializer):
    return extend_schema(
        summary="Cancel the backordered rest of an order",
        description=(
            "The units still waiting for stock are cancelled; what is allocated or shipped "
            "stays. An order with nothing else left is cancelled (or, partly shipped, "
            "shipped). Nothing backordered, or an order no longer open: 409."
        ),
        request=None,
        responses={
            200: serializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
            409: schema.error("`nothing_backordered`: the order owes no backordered units."),
        },
    )


class OrderBackorderCancelView(BuyerBackorderCancelView):
    @backorder_cancel_schema(OrderSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)


@detail_schema(summary="One of your orders", serializer=OrderSerializer)
class OrderDetailView(BuyerOrderMixin, generics.RetrieveAPIView):
    """One of the buyer's orders; anybody else's answers 404."""
