"""The distributor's order API: its incoming orders, and moving them through their states.

Distributors only; each sees the orders placed with its own organization
(another's answers 404). Moves go through orders.transitions.order_move_by_distributor:
a bad body is 400 with field errors, a move the state machine refuses is 409
naming the allowed ones.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.exceptions import error_response
from auromart.api.fields import MAX_ID

from .. import transitions
from ..exceptions import IllegalTransition
from ..models import Order, OrderStatus
from ..selectors import order_for_distributor, orders_for_distributor
from .distributor_serializers import (
    DistributorOrderListQuerySerializer,
    DistributorOrderListSerializer,
    DistributorOrderSerializer,
    OrderNoteSerializer,
    OrderRejectSerializer,
    OrderStatusUpdateSerializer,
)

ILLEGAL_TRANSITION = schema.error(
    "`illegal_transition`: the order's current status does not allow this move; `detail` "
    "names the statuses it may move to next. Nothing was changed."
)
MOVE_RESPONSES = {
    200: DistributorOrderSerializer,
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
    409: ILLEGAL_TRANSITION,
}


def distributor_order(request, pk: int) -> Order:
    """The caller's organization's order `pk`, with buyer, lines and history; else 404."""
    if pk > MAX_ID:
        raise NotFound()
    try:
        return order_for_distributor(distributor=request.user.organization, pk=pk)
    except Order.DoesNotExist:
        raise NotFound() from None


def move(request, order: Order, to_status: str, note: str = "", tracking_reference: str = ""):
    """Make the move and answer the order as it now stands (or 409 naming the allowed moves)."""
    try:
        transitions.order_move_by_distributor(
            order=order,
            to_status=to_status,
            by=request.user,
            note=note,
            tracking_reference=tracking_reference,
        )
    except IllegalTransition as exc:
        return error_response(str(exc), "illegal_transition", status.HTTP_409_CONFLICT)
    fresh = order_for_distributor(distributor=request.user.organization, pk=order.pk)
    return Response(DistributorOrderSerializer(fresh).data)


class DistributorOrderListView(generics.ListAPIView):
    """The orders placed with the caller's organization, newest first."""

    serializer_class = DistributorOrderListSerializer
    permission_classes = [IsDistributor]
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Order.objects.none()
        query = DistributorOrderListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        day = data.get("date")
        return orders_for_distributor(
            distributor=self.request.user.organization,
            status=data.get("status", ""),
            placed_from=day or data.get("placed_after"),
            placed_to=day or data.get("placed_before"),
            search=data.get("search", ""),
            sort=data.get("sort", ""),
        )

    @extend_schema(
        summary="Incoming orders (newest first unless sorted)",
        description=(
            "Orders placed with your distributor organization, with the buyer and totals. "
            "Filter by `status`, by the day placed (`date`, or `placed_after` / "
            "`placed_before`, inclusive, local dates) and by `search` (number, buyer, SKU); "
            "order with `sort` (e.g. `requested` for the buyer's delivery date). Paginated."
        ),
        parameters=[DistributorOrderListQuerySerializer],
        responses={
            200: DistributorOrderListSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DistributorOrderDetailView(APIView):
    permission_classes = [IsDistributor]

    @extend_schema(
        summary="One incoming order",
        description=(
            "The order with its buyer, lines, delivery, status history (who, when, note), "
            "tracking reference and the statuses it may move to next (`allowed_next`)."
        ),
        responses={
            200: DistributorOrderSerializer,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, pk: int):
        return Response(DistributorOrderSerializer(distributor_order(request, pk)).data)


class DistributorOrderAcceptView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Accept an order",
        description=(
            "placed -> accepted. The buyer is notified. Any other current status answers 409."
        ),
        request=OrderNoteSerializer,
        responses=MOVE_RESPONSES,
    )
    def post(self, request, pk: int):
        order = distributor_order(request, pk)
        body = OrderNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return move(request, order, OrderStatus.ACCEPTED, note=body.validated_data["note"])


class DistributorOrderRejectView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Reject an order",
        description=(
            "placed (or held for credit) -> rejected, with the reason the buyer is told. "
            "The order's stock goes back through the ledger (once, however often this is "
            "retried). Any other current status answers 409."
        ),
        request=OrderRejectSerializer,
        responses=MOVE_RESPONSES,
        examples=[OpenApiExample("Out of stock", value={"reason": "Out of stock until May."})],
    )
    def post(self, request, pk: int):
        order = distributor_order(request, pk)
        body = OrderRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return move(request, order, OrderStatus.REJECTED, note=body.validated_data["reason"])


class DistributorOrderStatusView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Move an order to a new status",
        description=(
            "Along the state machine: credit_hold -> placed (released), rejected or "
            "cancelled; placed -> accepted, rejected or cancelled; accepted -> "
            "processing or cancelled; processing -> shipped; shipped -> delivered. Shipping "
            "needs a `tracking_reference`; rejecting and cancelling need a `note` (the "
            "reason). Rejected and cancelled orders give their stock back. The buyer is "
            "notified of every move. A move the current status does not allow answers 409 "
            "naming the allowed ones."
        ),
        request=OrderStatusUpdateSerializer,
        responses=MOVE_RESPONSES,
        examples=[
            OpenApiExample(
                "Ship", value={"status": "shipped", "tracking_reference": "BLUEDART 7788123456"}
            )
        ],
    )
    def put(self, request, pk: int):
        order = distributor_order(request, pk)
        body = OrderStatusUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return move(
            request,
            order,
            data["status"],
            note=data["note"],
            tracking_reference=data["tracking_reference"],
        )


class DistributorOrderReleaseView(APIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Release an order held for credit (approve the credit)",
        description=(
            "credit_hold -> placed: the order took the buyer over the credit limit you gave "
            "it and waited for your approval; it now goes on as any placed order (its stock "
            "stayed allocated). The buyer is notified. To refuse it, reject it instead. Any "
            "other current status answers 409."
        ),
        request=OrderNoteSerializer,
        responses=MOVE_RESPONSES,
    )
    def post(self, request, pk: int):
        order = distributor_order(request, pk)
        body = OrderNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # To placed is the release of a credit hold only (order_move_by_distributor).
        return move(request, order, OrderStatus.PLACED, note=body.validated_data["note"])
