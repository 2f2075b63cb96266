"""Input helpers for other apps' serializers that refer to accounts' rows."""

from rest_framework import serializers

from ..models import Organization


def distributor_from_id(value: int) -> Organization:
    """The distributor with this id, or a field error naming the id."""
    distributor = Organization.objects.filter(pk=value, kind=Organization.Kind.DISTRIBUTOR).first()
    if distributor is None:
        raise serializers.ValidationError(f"Organization {value} is not a distributor.")
    return distributor
