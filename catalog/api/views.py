from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from auromart.api import schema

from .. import selectors
from ..models import Category, Product
from .filters import ProductQuerySerializer
from .serializers import CategorySerializer, ProductSerializer

# The category list is not paginated; this bounds it all the same.
MAX_CATEGORIES = 1000


class CategoryListView(generics.ListAPIView):
    serializer_class = CategorySerializer
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    filter_backends = []

    @extend_schema(
        summary="All categories",
        description=(
            "Every category (at most 1000), ordered by name. `parent` is the id of the "
            "category above it, so a client can build the tree."
        ),
        responses={200: CategorySerializer(many=True), 401: schema.UNAUTHORIZED},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Category.objects.order_by("name", "pk")[:MAX_CATEGORIES]


class ProductListView(generics.ListAPIView):
    serializer_class = ProductSerializer
    permission_classes = [permissions.AllowAny]
    # The query string is validated by ProductQuerySerializer and filtered by
    # the selector; the default filter backends would add a second `ordering`.
    filter_backends = []

    @extend_schema(
        summary="Search the catalog",
        description=(
            "Active products with the live stock of one distributor (default: the store). "
            "Open to visitors. Paginated with `page` and `page_size` (at most 100)."
        ),
        parameters=[ProductQuerySerializer],
        responses={
            200: ProductSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        params = ProductQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        distributor = query.get("distributor") or selectors.default_store()
        return selectors.product_search(
            distributor=distributor,
            search=query.get("search", ""),
            category=query.get("category"),
            min_price=query.get("min_price"),
            max_price=query.get("max_price"),
            in_stock=query["in_stock"],
            ordering=query["ordering"],
        ).prefetch_related("images")
