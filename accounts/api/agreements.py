"""Supply agreements through the API, for both sides with one set of views.

/api/manufacturer/agreements (GET list, POST request), .../{id}/end;
/api/manufacturer/distributors (whom to ask);
/api/distributor/agreements (GET list), .../{id}/accept, .../{id}/end.
Each side sees only its own agreements (another's is 404); the rules are
accounts.agreements'.
"""

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from auromart.api import schema
from auromart.api.exceptions import error_response
from auromart.api.fields import MAX_ID, StrictIntegerField

from ..agreements import (
    NOTE_MAX_LENGTH,
    AgreementConflict,
    agreement_accept,
    agreement_end,
    agreement_request,
    agreements_of,
)
from ..models import Organization, SupplyAgreement
from ..permissions import IsDistributor, IsManufacturer
from .fields import distributor_from_id

AGREEMENT_CONFLICT = schema.error(
    "`agreement_conflict`: the agreement's status does not allow this (already accepted, "
    "already ended, or a request is already open). Nothing was changed."
)


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "city", "region"]
        read_only_fields = fields


class SupplyAgreementSerializer(serializers.ModelSerializer):
    manufacturer = PartySerializer(read_only=True)
    distributor = PartySerializer(read_only=True)

    class Meta:
        model = SupplyAgreement
        fields = [
            "id",
            "manufacturer",
            "distributor",
            "status",
            "note",
            "requested_at",
            "accepted_at",
            "ended_at",
            "end_reason",
        ]
        read_only_fields = fields


class AgreementRequestSerializer(serializers.Serializer):
    distributor_id = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        help_text="The distributor to ask (GET /api/manufacturer/distributors).",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default=""
    )

    def validate_distributor_id(self, value: int) -> Organization:
        return distributor_from_id(value)


class AgreementEndSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=NOTE_MAX_LENGTH, default=""
    )


class AgreementListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=SupplyAgreement.Status.choices, required=False, allow_blank=True
    )


class DistributorChoiceSerializer(PartySerializer):
    agreement_status = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="Your agreement's status with this distributor; null when there is none.",
    )

    class Meta(PartySerializer.Meta):
        fields = [*PartySerializer.Meta.fields, "agreement_status"]
        read_only_fields = fields


def _conflict(exc: AgreementConflict) -> Response:
    return error_response(exc.message, "agreement_conflict", status.HTTP_409_CONFLICT)


class AgreementSide:
    """What differs between the two sides: the role and the word for the list."""

    permission_classes = [IsManufacturer]
    parser_classes = [JSONParser]

    def agreements(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return SupplyAgreement.objects.none()
        return agreements_of(organization=self.request.user.organization)

    def own_agreement(self, pk: int) -> SupplyAgreement:
        agreement = self.agreements().filter(pk=pk).first() if pk <= MAX_ID else None
        if agreement is None:
            raise NotFound("You have no such agreement.")
        return agreement


class ManufacturerSide(AgreementSide):
    permission_classes = [IsManufacturer]


class DistributorSide(AgreementSide):
    permission_classes = [IsDistributor]


class AgreementListView(generics.ListAPIView):
    serializer_class = SupplyAgreementSerializer
    filter_backends = []

    def get_queryset(self):
        query = AgreementListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        agreements = self.agreements()
        if status_ := query.validated_data.get("status"):
            agreements = agreements.filter(status=status_)
        return agreements


class ManufacturerAgreementListView(ManufacturerSide, AgreementListView):
    @extend_schema(
        summary="Your supply agreements",
        description=(
            "Every distributor you asked to take your products, newest request first: "
            "requested (waiting for the distributor), accepted (you may assign stock and "
            "name it as a supplier), ended. Paginated."
        ),
        parameters=[AgreementListQuerySerializer],
        responses={
            200: SupplyAgreementSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.error("`page` is past the last page."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Ask a distributor to take your products",
        description=(
            "Creates a `requested` agreement (or reopens an ended one). The distributor "
            "accepts or declines it; until it accepts, assigning stock to it answers 403. "
            "An open request or an accepted agreement with the same distributor answers 409."
        ),
        request=AgreementRequestSerializer,
        responses={
            201: SupplyAgreementSerializer,
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            409: AGREEMENT_CONFLICT,
        },
    )
    def post(self, request):
        body = AgreementRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            agreement = agreement_request(
                manufacturer=request.user.organization,
                distributor=body.validated_data["distributor_id"],
                by=request.user,
                note=body.validated_data["note"],
            )
        except AgreementConflict as exc:
            return _conflict(exc)
        return Response(
            SupplyAgreementSerializer(self.own_agreement(agreement.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class DistributorAgreementListView(DistributorSide, AgreementListView):
    @extend_schema(
        summary="Supply agreements manufacturers asked you for",
        description=(
            "Every manufacturer that asked to supply you, newest request first. Accept a "
            "`requested` one to let it assign stock to you. Paginated."
        ),
        parameters=[AgreementListQuerySerializer],
        responses={
            200: SupplyAgreementSerializer(many=True),
            400: schema.VALIDATION_ERROR,
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.error("`page` is past the last page."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


MOVE_RESPONSES = {
    200: SupplyAgreementSerializer,
    400: schema.VALIDATION_ERROR,
    401: schema.UNAUTHORIZED,
    403: schema.FORBIDDEN,
    404: schema.NOT_FOUND,
    409: AGREEMENT_CONFLICT,
}


class AgreementEndView(APIView):
    def post(self, request, pk: int):
        agreement = self.own_agreement(pk)
        body = AgreementEndSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            agreement = agreement_end(
                agreement=agreement, by=request.user, reason=body.validated_data["reason"]
            )
        except AgreementConflict as exc:
            return _conflict(exc)
        return Response(SupplyAgreementSerializer(self.own_agreement(agreement.pk)).data)


def end_schema(*, summary: str, description: str):
    """The OpenAPI text of one side's "end" endpoint (the view is the same for both)."""
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            description=description,
            request=AgreementEndSerializer,
            responses=MOVE_RESPONSES,
        )
    )


@end_schema(
    summary="End a supply agreement (or withdraw a request)",
    description=(
        "From then on you cannot assign stock to the distributor, and your products that "
        "named it as supplier name you again. Stock already there stays the distributor's. "
        "An ended agreement answers 409."
    ),
)
class ManufacturerAgreementEndView(ManufacturerSide, AgreementEndView):
    pass


@end_schema(
    summary="Decline a request or end a supply agreement",
    description=(
        "The manufacturer can no longer assign stock to you; stock you hold stays yours "
        "to sell. An ended agreement answers 409."
    ),
)
class DistributorAgreementEndView(DistributorSide, AgreementEndView):
    pass


class DistributorAgreementAcceptView(DistributorSide, APIView):
    @extend_schema(
        summary="Accept a manufacturer's supply agreement",
        description=(
            "requested -> accepted: the manufacturer may now assign stock to you and name you "
            "as a supplier of its products. Any other status answers 409."
        ),
        request=None,
        responses=MOVE_RESPONSES,
    )
    def post(self, request, pk: int):
        agreement = self.own_agreement(pk)
        try:
            agreement = agreement_accept(agreement=agreement, by=request.user)
        except AgreementConflict as exc:
            return _conflict(exc)
        return Response(SupplyAgreementSerializer(self.own_agreement(agreement.pk)).data)


class ManufacturerDistributorListView(ManufacturerSide, generics.ListAPIView):
    serializer_class = DistributorChoiceSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Organization.objects.none()
        status_of = SupplyAgreement.objects.filter(
            manufacturer=self.request.user.organization, distributor=OuterRef("pk")
        ).values("status")[:1]
        return (
            Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
            .annotate(agreement_status=Subquery(status_of))
            .order_by("name", "pk")
        )

    @extend_schema(
        summary="Distributors you can ask to take your products",
        description="Every distributor, with your agreement's status with it (null: none). "
        "Paginated.",
        responses={
            200: DistributorChoiceSerializer(many=True),
            401: schema.UNAUTHORIZED,
            403: schema.FORBIDDEN,
            404: schema.error("`page` is past the last page."),
        },
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
