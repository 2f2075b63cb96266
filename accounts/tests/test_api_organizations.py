"""Staff manage organizations through the API (#20): flag the customer portal's store."""

import pytest
from rest_framework.test import APIClient

from accounts.models import Organization
from accounts.tests.factories import (
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ORGS = "/api/organizations"


def as_user(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def staff():
    return as_user(UserFactory(is_staff=True))


def test_staff_list_organizations_by_kind(staff, django_assert_max_num_queries):
    depot = OrganizationFactory(name="Depot", kind="distributor")
    OrganizationFactory(name="Maker", kind="manufacturer")
    with django_assert_max_num_queries(4):
        listed = staff.get(ORGS, {"kind": "distributor"})
    assert [(o["id"], o["name"], o["is_default_store"]) for o in listed.json()["results"]] == [
        (depot.pk, "Depot", False)
    ]
    assert staff.get(ORGS).json()["count"] == 2
    assert staff.get(ORGS, {"kind": "nope"}).status_code == 400


def test_staff_flag_the_store_and_the_flag_moves(staff):
    one = OrganizationFactory(name="One", kind="distributor")
    two = OrganizationFactory(name="Two", kind="distributor")
    assert staff.patch(f"{ORGS}/{one.pk}", {"is_default_store": True}).json()["is_default_store"]
    response = staff.patch(f"{ORGS}/{two.pk}", {"is_default_store": True})
    assert response.status_code == 200
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.is_default_store, two.is_default_store) == (None, True)
    # Name and kind are not writable here.
    staff.patch(f"{ORGS}/{two.pk}", {"name": "Renamed", "kind": "retailer"})
    two.refresh_from_db()
    assert (two.name, two.kind) == ("Two", "distributor")
    cleared = staff.patch(f"{ORGS}/{two.pk}", {"is_default_store": False})
    assert cleared.json()["is_default_store"] is False
    assert not Organization.objects.filter(is_default_store=True).exists()


def test_only_a_distributor_can_be_the_store(staff):
    maker = OrganizationFactory(name="Maker", kind="manufacturer")
    response = staff.patch(f"{ORGS}/{maker.pk}", {"is_default_store": True})
    assert response.status_code == 400
    assert "is_default_store" in response.json()["errors"]
    maker.refresh_from_db()
    assert maker.is_default_store is None
    assert staff.patch(f"{ORGS}/{maker.pk}", {"is_default_store": "maybe"}).status_code == 400
    assert staff.get(f"{ORGS}/999999").status_code == 404


@pytest.mark.parametrize("factory", [None, DistributorUserFactory, ManufacturerUserFactory])
def test_non_staff_cannot_see_or_flag(factory):
    user = factory() if factory else None
    depot = user.organization if user and user.organization.kind == "distributor" else None
    depot = depot or OrganizationFactory(kind="distributor")
    client = as_user(user)
    expected = 401 if user is None else 403
    assert client.get(ORGS).status_code == expected
    assert client.patch(f"{ORGS}/{depot.pk}", {"is_default_store": True}).status_code == expected
    depot.refresh_from_db()
    assert depot.is_default_store is None
