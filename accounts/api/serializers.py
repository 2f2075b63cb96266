from rest_framework import serializers

from ..models import Organization, Role, User


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "contact_email",
            "phone",
            "address",
            "city",
            "region",
            "country",
        ]
        read_only_fields = fields


class StaffOrganizationSerializer(OrganizationSerializer):
    """An organization as staff manage it: also whether it is the portal's store."""

    is_default_store = serializers.BooleanField(
        help_text="The distributor the customer portal sells from; one at most.",
    )

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "is_default_store"]
        read_only_fields = OrganizationSerializer.Meta.fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["is_default_store"] = bool(instance.is_default_store)
        return data


class OrganizationQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Organization.Kind.choices, required=False)


class UserSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    organization = OrganizationSerializer(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "phone",
            "role",
            "organization",
            "is_org_admin",
            "is_staff",
            "date_joined",
        ]
        read_only_fields = [
            "id",
            "email",
            "role",
            "organization",
            "is_org_admin",
            "is_staff",
            "date_joined",
        ]


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, trim_whitespace=False, max_length=128)
    name = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)
    organization_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    country = serializers.CharField(max_length=100, required=False, allow_blank=True)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, trim_whitespace=False)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()
    user = UserSerializer()


class RefreshTokenSerializer(serializers.Serializer):
    refresh = serializers.CharField()
