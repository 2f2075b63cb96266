"""The manufacturer API (/api/manufacturer/...): its own products, stock, orders and sales.

Manufacturer accounts only (others 403). Everything is scoped to the
caller's organization: another manufacturer's product answers 404.
"""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsManufacturer
from auromart.api import schema
from inventory.services import stock_assign_by_manufacturer
from orders.models import Order
from orders.selectors import manufacturer_sales, orders_with_products_of

from .. import selectors, services
from ..models import Product
from .manufacturer_serializers import (
    ManufacturerOrderQuerySerializer,
    ManufacturerOrderSerializer,
    ManufacturerProductQuerySerializer,
    ManufacturerProductSerializer,
    SalesQuerySerializer,
    SalesSummarySerializer,
    StockAssignSerializer,
    StockLevelSerializer,
)

COMMON_ERRORS = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}


class ManufacturerAPIMixin:
    permission_classes = [IsManufacturer]
    parser_classes = [JSONParser]
    filter_backends = []

    @property
    def manufacturer(self):
        return self.request.user.organization

    def own_products(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Product.objects.none()
        return selectors.products_of_manufacturer(manufacturer=self.manufacturer)


class ProductListCreateView(ManufacturerAPIMixin, generics.ListAPIView):
    serializer_class = ManufacturerProductSerializer

    @extend_schema(
        summary="Your products",
        description=(
            "Your organization's products, on sale and deactivated, by name, each with its "
            "stock at all distributors. Paginated."
        ),
        parameters=[ManufacturerProductQuerySerializer],
        responses={
            200: ManufacturerProductSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        query = ManufacturerProductQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.products_of_manufacturer(
            manufacturer=self.manufacturer,
            search=query.validated_data.get("search", ""),
            is_active=query.validated_data["is_active"],
        )

    @extend_schema(
        summary="Add a product",
        description=(
            "Creates a product made by your organization. `category` names an existing "
            "category by id, slug or name (an unknown one is a 400 listing close matches); "
            "without it the product is “Uncategorised”. The slug is made from the name; "
            "the supplier defaults to you; the SKU is stored upper-case and must be unique; "
            "`order_up_to_level`, when given, must be above `reorder_level`."
        ),
        request=ManufacturerProductSerializer,
        responses={
            201: ManufacturerProductSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = ManufacturerProductSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["category"] = data.get("category") or services.category_default()
        product = services.product_create(manufacturer=self.manufacturer, **data)
        product = self.own_products().get(pk=product.pk)
        return Response(
            ManufacturerProductSerializer(product).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-manufacturer-product", args=[product.pk])},
        )


class ProductDetailView(ManufacturerAPIMixin, generics.RetrieveAPIView):
    serializer_class = ManufacturerProductSerializer

    def get_queryset(self):
        return self.own_products()

    @extend_schema(
        summary="One of your products",
        responses={200: ManufacturerProductSerializer, **COMMON_ERRORS, 404: schema.NOT_FOUND},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def _update(self, request, partial: bool):
        product = self.get_object()
        serializer = ManufacturerProductSerializer(
            product, data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        services.product_update(product=product, data=serializer.validated_data)
        return Response(ManufacturerProductSerializer(self.own_products().get(pk=product.pk)).data)

    @extend_schema(
        summary="Replace a product's details",
        description="All writable fields; the rules are those of creating one.",
        request=ManufacturerProductSerializer,
        responses={
            200: ManufacturerProductSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def put(self, request, *args, **kwargs):
        return self._update(request, partial=False)

    @extend_schema(
        summary="Change some of a product's details",
        description="Only the fields sent change. `is_active: true` puts a product back on sale.",
        request=ManufacturerProductSerializer,
        responses={
            200: ManufacturerProductSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def patch(self, request, *args, **kwargs):
        return self._update(request, partial=True)

    @extend_schema(
        summary="Withdraw a product",
        description=(
            "A product that was ever ordered or stocked stays in the records: it is "
            "deactivated (taken off sale) and the answer is 200 with the product, "
            "`is_active` false. A product nothing refers to is deleted: 204."
        ),
        responses={
            200: ManufacturerProductSerializer,
            204: OpenApiResponse(description="Deleted: nothing referred to it."),
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def delete(self, request, *args, **kwargs):
        product = self.get_object()
        pk = product.pk
        if services.product_deactivate_or_delete(product=product):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ManufacturerProductSerializer(self.own_products().get(pk=pk)).data)


class StockAssignView(ManufacturerAPIMixin, APIView):
    @extend_schema(
        summary="Assign stock to a distributor",
        description=(
            "Puts `quantity` units of one of your products into a distributor's stock, "
            "recorded as an `assignment` movement in the ledger. Answers the distributor's "
            "new stock level. Another manufacturer's product answers 404; a deactivated "
            "product, an organization that is not a distributor or a quantity below 1, 400."
        ),
        request=StockAssignSerializer,
        responses={
            201: StockLevelSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def post(self, request):
        serializer = StockAssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = Product.objects.filter(
            pk=data["product_id"], manufacturer=self.manufacturer
        ).first()
        if product is None:
            raise NotFound(f"You have no product {data['product_id']}.")
        item = stock_assign_by_manufacturer(
            product=product,
            distributor=data["distributor_id"],
            quantity=data["quantity"],
            by=request.user,
            note=data["note"],
        )
        return Response(StockLevelSerializer(item).data, status=status.HTTP_201_CREATED)


class OrderListView(ManufacturerAPIMixin, generics.ListAPIView):
    serializer_class = ManufacturerOrderSerializer

    @extend_schema(
        summary="Downstream orders of your products",
        description=(
            "Orders placed with any distributor that hold at least one of your products, "
            "newest first, each with only your products' lines. Read only. Paginated."
        ),
        parameters=[ManufacturerOrderQuerySerializer],
        responses={
            200: ManufacturerOrderSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            **COMMON_ERRORS,
            404: schema.NOT_FOUND,
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        query = ManufacturerOrderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return orders_with_products_of(
            manufacturer=self.manufacturer,
            status=data.get("status", ""),
            placed_from=data.get("date_from"),
            placed_to=data.get("date_to"),
        )


class SalesSummaryView(ManufacturerAPIMixin, APIView):
    @extend_schema(
        summary="Sales of your products",
        description=(
            "Units and revenue of your products, in total, per product and per distributor, "
            "for orders placed between `date_from` and `date_to` (inclusive; default this "
            "month). Rejected and cancelled orders do not count."
        ),
        parameters=[SalesQuerySerializer],
        responses={200: SalesSummarySerializer, 400: schema.VALIDATION_ERROR, **COMMON_ERRORS},
    )
    def get(self, request):
        query = SalesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        date_to = query.validated_data.get("date_to") or today
        date_from = query.validated_data.get("date_from") or date_to.replace(day=1)
        summary = manufacturer_sales(
            manufacturer=self.manufacturer, date_from=date_from, date_to=date_to
        )
        return Response(SalesSummarySerializer(summary).data)
