"""The distributor's warehouses API writes (#23 §1): add (POST) and change (PATCH) its own
warehouses through inventory.warehouses, with the same checks as the page; 401, 403,
404 for another's; bounds; the list's query count does not grow with its rows."""

import pytest
from rest_framework.test import APIClient

from accounts.gst import gstin_check_character
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from inventory.models import Warehouse
from inventory.tests.factories import DistributorFactory
from inventory.warehouses import warehouse_create, warehouse_default

pytestmark = pytest.mark.django_db

LIST = "/api/distributor/warehouses"


def gstin(state: str) -> str:
    first14 = f"{state}AABCD1234F1Z"
    return first14 + gstin_check_character(first14)


@pytest.fixture
def depot():
    distributor = DistributorFactory(name="Deccan Distribution", state="27", gstin=gstin("27"))
    main = warehouse_default(distributor)
    api = APIClient()
    api.force_authenticate(DistributorUserFactory(organization=distributor))
    return distributor, main, api


def test_a_distributor_adds_a_warehouse_and_changes_it(depot):
    distributor, main, api = depot
    added = api.post(
        LIST,
        {"name": "Nashik godown", "code": "nsk", "address": "MIDC, Nashik", "priority": 5},
        format="json",
    )
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["code"], body["state"], body["priority"], body["is_active"]) == (
        "NSK",
        "27",  # the distributor's state
        5,
        True,
    )
    assert body["on_hand"] == 0
    nashik = Warehouse.objects.get(pk=body["id"])
    assert nashik.distributor == distributor

    changed = api.patch(f"{LIST}/{nashik.pk}", {"priority": 0, "name": "Nashik"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["name"], changed.json()["priority"]) == ("Nashik", 0)
    assert warehouse_default(distributor) == nashik  # now first by priority
    closed = api.patch(f"{LIST}/{main.pk}", {"is_active": False}, format="json")
    assert closed.status_code == 200 and closed.json()["is_active"] is False


def test_bad_input_is_a_400_keyed_by_field_and_writes_nothing(depot):
    _distributor, main, api = depot
    cases = [
        ({"name": "Annex", "code": "MAIN"}, "code"),  # the main warehouse's code
        ({"name": "Main warehouse", "code": "ANX"}, "name"),
        ({"name": "Annex", "code": "ANX", "priority": 1000}, "priority"),
        ({"name": "Annex", "code": "ANX", "priority": -1}, "priority"),
        ({"name": "x" * 101, "code": "ANX"}, "name"),
        ({"name": "Annex", "code": "A" * 21}, "code"),
        ({"name": "Annex", "code": "ANX", "address": "a" * 256}, "address"),
        ({"name": "Annex", "code": "ANX", "state": "XX"}, "state"),
        ({"name": "Bengaluru", "code": "BLR", "state": "29"}, "gstin"),  # needs its GSTIN there
        ({"code": "ANX"}, "name"),
    ]
    for payload, field in cases:
        response = api.post(LIST, payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json()["errors"], (payload, response.json())
    assert Warehouse.objects.count() == 1
    last = api.patch(f"{LIST}/{main.pk}", {"is_active": False}, format="json")
    assert last.status_code == 400 and "is_active" in last.json()["errors"]
    assert api.patch(f"{LIST}/{main.pk}", {"priority": 5000}, format="json").status_code == 400
    main.refresh_from_db()
    assert (main.is_active, main.priority) == (True, 1)


def test_anonymous_401_other_roles_403_and_anothers_warehouse_404(depot):
    _distributor, main, api = depot
    payload = {"name": "Annex", "code": "ANX"}
    anonymous = APIClient()
    assert anonymous.post(LIST, payload, format="json").status_code == 401
    assert anonymous.patch(f"{LIST}/{main.pk}", {"priority": 2}, format="json").status_code == 401
    for factory in (CustomerFactory, RetailerUserFactory, ManufacturerUserFactory):
        other = APIClient()
        other.force_authenticate(factory())
        assert other.post(LIST, payload, format="json").status_code == 403
        assert other.patch(f"{LIST}/{main.pk}", {"priority": 2}, format="json").status_code == 403
    stranger = warehouse_default(DistributorFactory(name="Other Depot"))
    assert api.patch(f"{LIST}/{stranger.pk}", {"priority": 2}, format="json").status_code == 404
    assert api.patch(f"{LIST}/99999999999999", {"priority": 2}, format="json").status_code == 404
    stranger.refresh_from_db()
    assert stranger.priority == 1
    assert Warehouse.objects.count() == 2


def test_the_list_runs_a_constant_number_of_queries(depot, django_assert_max_num_queries):
    distributor, _main, api = depot
    with django_assert_max_num_queries(10) as few:
        assert api.get(LIST).status_code == 200
    baseline = len(few.captured_queries)
    for i in range(12):
        warehouse_create(distributor=distributor, name=f"Godown {i}", code=f"G{i}")
    with django_assert_max_num_queries(baseline):
        listed = api.get(LIST)
    assert listed.json()["count"] == 13
