from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from auromart.api import schema
from pricing.selectors import quotes_attach

from .. import selectors, services
from ..models import Category, Product
from .filters import ProductQuerySerializer
from .pagination import CatalogPagination
from .serializers import CategorySerializer, CategoryWriteSerializer, ProductSerializer

# The category list is not paginated; this bounds it all the same.
MAX_CATEGORIES = 1000


class IsStaffOrReadOnly(permissions.BasePermission):
    message = "Only staff create or change categories."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_active and request.user.is_staff)


class PublicReadsMixin:
    """Reads are public and take no authentication (a stale token is ignored); writes need it."""

    permission_classes = [IsStaffOrReadOnly]

    def initialize_request(self, request, *args, **kwargs):
        self._public_read = request.method in permissions.SAFE_METHODS
        return super().initialize_request(request, *args, **kwargs)

    def get_authenticators(self):
        if getattr(self, "_public_read", False):
            return []
        return super().get_authenticators()


# The reads' security requirement: none (auromart.api.schema writes it `[]`).
PUBLIC = [{}]
WRITE_ERRORS = {
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
}


class CategoryListView(PublicReadsMixin, generics.ListCreateAPIView):
    serializer_class = CategorySerializer
    pagination_class = None
    filter_backends = []
    parser_classes = [JSONParser]

    @extend_schema(
        summary="All categories",
        description=(
            "Every category (at most 1000), ordered by name. `parent` is the id of the "
            "category above it, so a client can build the tree."
        ),
        responses={200: CategorySerializer(many=True)},
        auth=PUBLIC,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Create a category (staff)",
        description=(
            "Staff only. `parent` names the category above it by id, slug or name; absent or "
            "null: the top level. The slug is made from the names and never changes."
        ),
        request=CategoryWriteSerializer,
        responses={201: CategorySerializer, **WRITE_ERRORS},
    )
    def post(self, request, *args, **kwargs):
        body = CategoryWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        category = services.category_create(
            name=body.validated_data["name"], parent=body.validated_data.get("parent")
        )
        return Response(
            CategorySerializer(category).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-category-detail", args=[category.pk])},
        )

    def get_queryset(self):
        return Category.objects.order_by("name", "pk")[:MAX_CATEGORIES]


class CategoryDetailView(PublicReadsMixin, generics.RetrieveAPIView):
    serializer_class = CategorySerializer
    parser_classes = [JSONParser]
    queryset = Category.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(
        summary="One category",
        responses={200: CategorySerializer, 404: schema.NOT_FOUND},
        auth=PUBLIC,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Rename or move a category (staff)",
        description=(
            "Staff only. `name` renames it (the slug stays); `parent` moves it (by id, slug or "
            "name; null: to the top level). A category cannot move inside itself."
        ),
        request=CategoryWriteSerializer(partial=True),
        responses={200: CategorySerializer, **WRITE_ERRORS, 404: schema.NOT_FOUND},
    )
    def patch(self, request, *args, **kwargs):
        category = self.get_object()
        body = CategoryWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changes = {}
        if "name" in body.validated_data:
            changes["name"] = body.validated_data["name"]
        if "parent" in body.validated_data:
            changes["parent"] = body.validated_data["parent"]
        category = services.category_update(category=category, **changes)
        return Response(CategorySerializer(category).data)


class ProductListView(generics.ListAPIView):
    serializer_class = ProductSerializer
    authentication_classes = []  # public: a stale token is ignored, not a 401
    permission_classes = [permissions.AllowAny]
    # The query string is validated by ProductQuerySerializer and filtered by
    # the selector; the default filter backends would add a second `ordering`.
    filter_backends = []
    pagination_class = CatalogPagination

    @extend_schema(
        summary="Search the catalog",
        description=(
            "Active products with the live stock of one distributor (default: the store). "
            "Open to visitors. Paginated with `page` and `page_size` (at most 100). "
            "`count` is exact up to 1,000 products; past that it is a lower bound and "
            "`count_exact` is false (`next` still leads to every page)."
        ),
        parameters=[ProductQuerySerializer],
        responses={
            200: ProductSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset):
        # The API is open and unauthenticated: it quotes the customers' prices.
        page = super().paginate_queryset(queryset)
        return quotes_attach(page, organization=None, distributor=self.distributor)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        params = ProductQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        distributor = query.get("distributor") or selectors.default_store()
        self.distributor = distributor
        return selectors.product_search(
            distributor=distributor,
            search=query.get("search", ""),
            category=query.get("category"),
            min_price=query.get("min_price"),
            max_price=query.get("max_price"),
            in_stock=query["in_stock"],
            ordering=query["ordering"],
        ).prefetch_related("images")
