"""A distributor's credit terms: /api/distributor/credit-terms (GET, POST) and .../{id} (GET, PUT).

Distributors only (403 for other roles); each sees and sets the terms its own
organization gives: another distributor's terms answer 404. Writes go
through invoicing.credit.credit_terms_set, as the pages do; a bad body is 400
with field errors.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.models import Organization
from accounts.permissions import IsDistributor
from auromart.api import schema
from auromart.api.fields import MAX_ID

from ..credit import credit_rows, credit_terms_of, credit_terms_set
from ..models import CreditTerms
from .credit_serializers import (
    CreditTermsCreateSerializer,
    CreditTermsInputSerializer,
    CreditTermsSerializer,
)

COMMON = {401: schema.UNAUTHORIZED, 403: schema.FORBIDDEN}
EXAMPLE = OpenApiExample(
    "Net 30, ₹50,000",
    value={"buyer_id": 12, "payment_terms_days": 30, "credit_limit": "50000.00", "active": True},
    request_only=True,
)


def _row(request, terms: CreditTerms) -> dict:
    row = credit_rows(seller=request.user.organization, terms=[terms])[0]
    return CreditTermsSerializer(row).data


def _set(request, *, buyer, data) -> CreditTerms:
    return credit_terms_set(
        seller=request.user.organization,
        buyer=buyer,
        payment_terms_days=data["payment_terms_days"],
        credit_limit=data["credit_limit"],
        active=data["active"],
        by=request.user,
    )


class CreditTermsListView(GenericAPIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]
    serializer_class = CreditTermsSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CreditTerms.objects.none()
        return credit_terms_of(seller=self.request.user.organization)

    @extend_schema(
        summary="Your buyers' credit terms, with their exposure",
        description=(
            "The terms your organization gives, buyers by name: net days, credit limit, "
            "whether in force, and each buyer's exposure now (unpaid invoice balances plus "
            "what open orders have not invoiced yet, the overdue part) and what is left "
            "under the limit. Paginated."
        ),
        responses={200: CreditTermsSerializer(many=True), 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        rows = credit_rows(seller=request.user.organization, terms=page)
        return self.get_paginated_response(CreditTermsSerializer(rows, many=True).data)

    @extend_schema(
        summary="Give a buyer credit terms (or replace them)",
        description=(
            "Sets the terms for `buyer_id`, a retailer organization: 201 when new, 200 when "
            "they replaced its terms. New terms apply to invoices issued and orders placed "
            "from now on."
        ),
        request=CreditTermsCreateSerializer,
        responses={
            201: CreditTermsSerializer,
            200: CreditTermsSerializer,
            400: schema.VALIDATION_ERROR,
            **COMMON,
        },
        examples=[EXAMPLE],
    )
    def post(self, request):
        body = CreditTermsCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        buyer = Organization.objects.filter(pk=data["buyer_id"]).first()
        if buyer is None:
            raise ValidationError({"buyer_id": ["No such organization."]})
        existed = CreditTerms.objects.filter(seller=request.user.organization, buyer=buyer).exists()
        terms = _set(request, buyer=buyer, data=data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(_row(request, terms), status=code)


class CreditTermsDetailView(GenericAPIView):
    permission_classes = [IsDistributor]
    parser_classes = [JSONParser]
    serializer_class = CreditTermsSerializer

    def terms(self, request, pk: int) -> CreditTerms:
        if pk > MAX_ID:
            raise NotFound()
        terms = (
            CreditTerms.objects.select_related("buyer")
            .filter(pk=pk, seller=request.user.organization)
            .first()
        )
        if terms is None:
            raise NotFound()
        return terms

    @extend_schema(
        summary="One buyer's credit terms, with its exposure",
        responses={200: CreditTermsSerializer, 404: schema.NOT_FOUND, **COMMON},
    )
    def get(self, request, pk: int):
        return Response(_row(request, self.terms(request, pk)))

    @extend_schema(
        summary="Change one buyer's credit terms",
        request=CreditTermsInputSerializer,
        responses={
            200: CreditTermsSerializer,
            400: schema.VALIDATION_ERROR,
            404: schema.NOT_FOUND,
            **COMMON,
        },
    )
    def put(self, request, pk: int):
        terms = self.terms(request, pk)
        body = CreditTermsInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        terms = _set(request, buyer=terms.buyer, data=body.validated_data)
        return Response(_row(request, terms))
