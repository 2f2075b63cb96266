"""The retailer's side of the catalog API: the distributors to order from, and each one's
catalog with its stock. Retailer accounts only (403 for other roles)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts.permissions import IsRetailer
from auromart.api import schema
from orders.selectors import distributors_to_order_from
from pricing.selectors import buyer_organization, quotes_attach

from .. import selectors
from ..models import Product
from .pagination import CatalogPagination
from .retailer_serializers import RetailerCatalogQuerySerializer, RetailerDistributorSerializer
from .serializers import ProductSerializer


class RetailerDistributorListView(generics.ListAPIView):
    serializer_class = RetailerDistributorSerializer
    permission_classes = [IsRetailer]
    filter_backends = []

    @extend_schema(
        summary="Distributors to order from",
        description=(
            "Every distributor, by name, with how many products it can sell now. Pass an "
            "`id` as `distributor` to `/api/retailer/catalog` and as `distributor_id` to "
            "`POST /api/retailer/orders`. Paginated."
        ),
        responses={
            200: RetailerDistributorSerializer(many=True),
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return distributors_to_order_from()


class RetailerCatalogView(generics.ListAPIView):
    serializer_class = ProductSerializer
    permission_classes = [IsRetailer]
    # The query string is validated by its serializer and filtered by the selector.
    filter_backends = []
    pagination_class = CatalogPagination

    @extend_schema(
        summary="A distributor's catalog",
        description=(
            "The active products the chosen `distributor` carries, with its live stock "
            "(`stock_quantity`; sold-out products are listed with 0). Same filters, search, "
            "ordering and item shape as `/api/customer/products`, but `distributor` is "
            "required. Paginated with `page` and `page_size` (at most 100); `count` and "
            "`count_exact` as there."
        ),
        parameters=[RetailerCatalogQuerySerializer],
        responses={
            200: ProductSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return quotes_attach(
            page, organization=buyer_organization(self.request.user), distributor=self.distributor
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        params = RetailerCatalogQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        self.distributor = query["distributor"]
        return selectors.distributor_catalog(
            distributor=query["distributor"],
            search=query.get("search", ""),
            category=query.get("category"),
            min_price=query.get("min_price"),
            max_price=query.get("max_price"),
            in_stock=query["in_stock"],
            ordering=query["ordering"],
        ).prefetch_related("images")
