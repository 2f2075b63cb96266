"""The replenishment screen and the supplier scorecard through the API.

The same rows as the pages (procurement.replenishment), for procurement staff
at /api/admin/procurement/replenishment (every distributor) and for a
distributor at /api/distributor/replenishment (its own items): one set of
views parametrized by the actor. Bulk actions: POST .../order-now and
.../snooze. An item id the caller may not see is a 400 naming it; a request
that stopped being open is 409.
"""

from django.core.paginator import EmptyPage
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Organization
from accounts.permissions import IsProcurementStaff
from auromart.api import schema
from auromart.api.exceptions import error_response

from ..exceptions import ProcurementConflict
from ..replenishment import (
    ReplenishmentFilters,
    replenishment_items,
    replenishment_page,
    replenishment_rows,
)
from ..replenishment_actions import replenishment_order_now, replenishment_snooze
from ..replenishment_views import STAFF, actor_scope, scoped_items
from ..scorecard import supplier_scorecard
from .replenishment_serializers import (
    ItemsSerializer,
    OrderNowResultSerializer,
    ReplenishmentQuerySerializer,
    ReplenishmentRowSerializer,
    ScorecardQuerySerializer,
    SnoozeResultSerializer,
    SnoozeSerializer,
    SupplierScoreSerializer,
)

COMMON = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}
DEFAULT_PAGE_SIZE = 25

PageSerializer = inline_serializer(
    name="ReplenishmentPage",
    fields={
        "count": serializers.IntegerField(),
        "page": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "results": ReplenishmentRowSerializer(many=True),
    },
)


class ActorMixin:
    """`actor` is STAFF (every distributor) or DISTRIBUTOR (the caller's own items)."""

    actor = STAFF
    permission_classes = [IsAuthenticated]

    def scope(self, request):
        """The distributor whose items the caller sees (None: all); PermissionDenied is a 403."""
        return actor_scope(request.user, self.actor)


class ReplenishmentListView(ActorMixin, APIView):
    @extend_schema(
        summary="Items at or below their reorder point, with what is on order and why not",
        description="Every stock item whose available stock is at or below its reorder point "
        "(the replenishment screen's rows), by product name. Paginated: `page`, `page_size` "
        "(at most 100). A distributor sees its own items; `distributor` is for staff.",
        parameters=[ReplenishmentQuerySerializer],
        responses={
            200: PageSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def get(self, request):
        distributor = self.scope(request)
        query = ReplenishmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = ReplenishmentFilters(
            distributor_id=data.get("distributor") if distributor is None else None,
            supplier_id=data.get("supplier"),
            reason=data.get("reason", ""),
            search=data.get("q", "").strip(),
        )
        items = replenishment_items(filters=filters, distributor=distributor)
        try:
            page, page_items = replenishment_page(
                items,
                number=data.get("page", 1),
                per_page=data.get("page_size", DEFAULT_PAGE_SIZE),
                strict=True,
            )
        except EmptyPage:
            return error_response("No such page.", "not_found", status.HTTP_404_NOT_FOUND)
        paginator = page.paginator
        rows = replenishment_rows(page_items)
        return Response(
            {
                "count": paginator.count,
                "page": page.number,
                "pages": paginator.num_pages,
                "results": ReplenishmentRowSerializer(rows, many=True).data,
            }
        )


class ReplenishmentOrderNowView(ActorMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Order the items now",
        description="A request for each item without an open one; when the caller is "
        "procurement staff, every chosen item's open request is approved and its purchase "
        "order issued. All or nothing.",
        request=ItemsSerializer,
        responses={
            200: OrderNowResultSerializer,
            400: schema.VALIDATION_ERROR,
            409: schema.error("`request_not_open`: a request stopped being open; nothing changed."),
            **COMMON,
        },
    )
    def post(self, request):
        distributor = self.scope(request)
        body = ItemsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = scoped_items(ids=body.validated_data["items"], distributor=distributor)
        try:
            result = replenishment_order_now(items=items, by=request.user)
        except ProcurementConflict as exc:
            return error_response(exc.message, exc.code, status.HTTP_409_CONFLICT)
        return Response(
            {
                "opened": [r.number for r in result.opened],
                "purchase_orders": [po.number for po in result.purchase_orders],
            }
        )


class ReplenishmentSnoozeView(ActorMixin, APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        summary="Snooze the items until a date (or lift the snooze)",
        request=SnoozeSerializer,
        responses={200: SnoozeResultSerializer, 400: schema.VALIDATION_ERROR, **COMMON},
    )
    def post(self, request):
        distributor = self.scope(request)
        body = SnoozeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = scoped_items(ids=body.validated_data["items"], distributor=distributor)
        until = body.validated_data["until"]
        count = replenishment_snooze(items=items, until=until)
        return Response({"snoozed": count, "until": until})


class ScorecardView(APIView):
    permission_classes = [IsProcurementStaff]

    @extend_schema(
        summary="Supplier scorecard for a period",
        description="Per supplier, over the purchase orders sent in [start, end]: response "
        "time, on-time rate against the original date, fill rate, short closes, measured lead "
        "time and cost variance. Best on-time rate first.",
        parameters=[ScorecardQuerySerializer],
        responses={200: SupplierScoreSerializer(many=True), 400: schema.VALIDATION_ERROR, **COMMON},
    )
    def get(self, request):
        query = ScorecardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        start, end = data["period"]
        distributor = None
        if data.get("distributor"):
            distributor = Organization.objects.filter(pk=data["distributor"]).first()
            if distributor is None:
                return error_response(
                    "Invalid input.",
                    "invalid",
                    status.HTTP_400_BAD_REQUEST,
                    {"distributor": ["No such distributor."]},
                )
        scores = supplier_scorecard(
            start=start, end=end, distributor=distributor, supplier_id=data.get("supplier")
        )
        return Response(SupplierScoreSerializer(scores, many=True).data)
