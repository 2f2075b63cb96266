"""The retailer's orders API (/api/retailer/orders): the buyer's order views of
orders.api.views with the organization as the buyer.

Retailer accounts only (403 for other roles). Every member of a retailer sees
and reads all of its organization's orders (Order.buyer_organization);
another organization's order answers 404. Orders are placed with a chosen
distributor, against that distributor's stock.
"""

from rest_framework import generics

from accounts.permissions import IsRetailer

from .retailer_serializers import (
    RetailerOrderCreateSerializer,
    RetailerOrderListQuerySerializer,
    RetailerOrderSerializer,
)
from .views import (
    BuyerBackorderCancelView,
    BuyerOrderListCreateView,
    BuyerOrderMixin,
    backorder_cancel_schema,
    detail_schema,
    list_create_schema,
)


class RetailerOrderMixin(BuyerOrderMixin):
    serializer_class = RetailerOrderSerializer
    create_serializer_class = RetailerOrderCreateSerializer
    query_serializer_class = RetailerOrderListQuerySerializer
    detail_url_name = "api-retailer-order-detail"
    organization = True
    permission_classes = [IsRetailer]


@list_create_schema(
    summary="Your organization's orders, newest first",
    description=(
        "Every order placed for your retailer organization, by any of its members, with "
        "lines, status history, tracking reference and who placed it. Paginated."
    ),
    place_summary="Place an order for your organization",
    place_description=(
        "Buy from the chosen distributor (`distributor_id`, required), against its stock; "
        "the order belongs to your organization. Same rules as `POST /api/customer/orders`: "
        "stock is allocated in the same transaction; shipping complete, either the whole "
        "order is placed or nothing is written (409 when a line asks for more than the "
        "distributor has); with `backorder` true the rest is backordered. "
        "Send an `Idempotency-Key` to retry safely; a replay answers 201 with the first "
        "order and the header `Idempotent-Replayed: true`."
    ),
    serializer=RetailerOrderSerializer,
)
class RetailerOrderListCreateView(RetailerOrderMixin, BuyerOrderListCreateView):
    pass


@detail_schema(summary="One of your organization's orders", serializer=RetailerOrderSerializer)
class RetailerOrderDetailView(RetailerOrderMixin, generics.RetrieveAPIView):
    """One of the organization's orders; another organization's answers 404."""


class RetailerBackorderCancelView(RetailerOrderMixin, BuyerBackorderCancelView):
    @backorder_cancel_schema(RetailerOrderSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)
