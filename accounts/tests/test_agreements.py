"""Supply agreements: the manufacturer requests, the distributor accepts or ends (#12 §1)."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import SupplyAgreement
from accounts.tests.factories import (
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    SupplyAgreementFactory,
)
from catalog.tests.factories import ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory

pytestmark = pytest.mark.django_db

M_AGREEMENTS = "/api/manufacturer/agreements"
D_AGREEMENTS = "/api/distributor/agreements"
ASSIGN = "/api/manufacturer/inventory/assign"


@pytest.fixture
def maker():
    return ManufacturerUserFactory(organization__name="Auro Sleep")


@pytest.fixture
def depot():
    return DistributorUserFactory(organization__name="North Depot")


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_request_accept_assign_end_through_the_api(maker, depot):
    m, d = client_for(maker), client_for(depot)
    product = ProductFactory(manufacturer=maker.organization)
    assign = {"product_id": product.pk, "distributor_id": depot.organization.pk, "quantity": 7}

    assert m.post(ASSIGN, assign, format="json").status_code == 403
    created = m.post(
        M_AGREEMENTS,
        {"distributor_id": depot.organization.pk, "note": "Mattresses, 30-day terms"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["distributor"]["name"], body["note"]) == (
        "requested",
        "North Depot",
        "Mattresses, 30-day terms",
    )
    again = m.post(M_AGREEMENTS, {"distributor_id": depot.organization.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "agreement_conflict")
    assert m.post(ASSIGN, assign, format="json").status_code == 403  # requested is not accepted

    listed = d.get(D_AGREEMENTS, {"status": "requested"}).json()["results"]
    assert [(a["id"], a["manufacturer"]["name"]) for a in listed] == [(body["id"], "Auro Sleep")]
    accepted = d.post(f"{D_AGREEMENTS}/{body['id']}/accept", format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert d.post(f"{D_AGREEMENTS}/{body['id']}/accept", format="json").status_code == 409

    assert m.post(ASSIGN, assign, format="json").status_code == 201
    assert StockItem.objects.get(product=product).on_hand == 7

    ended = d.post(f"{D_AGREEMENTS}/{body['id']}/end", {"reason": "Range dropped"}, format="json")
    assert (ended.json()["status"], ended.json()["end_reason"]) == ("ended", "Range dropped")
    assert m.post(ASSIGN, assign, format="json").status_code == 403
    assert StockItem.objects.get(product=product).on_hand == 7  # stock stays
    assert m.post(f"{M_AGREEMENTS}/{body['id']}/end", format="json").status_code == 409

    # Asking again reopens the same agreement.
    reopened = m.post(M_AGREEMENTS, {"distributor_id": depot.organization.pk}, format="json")
    assert (reopened.status_code, reopened.json()["id"]) == (201, body["id"])
    assert reopened.json()["status"] == "requested"
    assert SupplyAgreement.objects.count() == 1


def test_each_side_sees_and_moves_only_its_own(maker, depot):
    theirs = SupplyAgreementFactory(status="requested")
    mine = SupplyAgreementFactory(
        manufacturer=maker.organization, distributor=depot.organization, status="requested"
    )
    m, d = client_for(maker), client_for(depot)
    assert [a["id"] for a in m.get(M_AGREEMENTS).json()["results"]] == [mine.pk]
    assert [a["id"] for a in d.get(D_AGREEMENTS).json()["results"]] == [mine.pk]
    assert d.post(f"{D_AGREEMENTS}/{theirs.pk}/accept", format="json").status_code == 404
    assert m.post(f"{M_AGREEMENTS}/{theirs.pk}/end", format="json").status_code == 404
    # The manufacturer cannot accept its own request: accepting is the distributor's.
    assert m.post(f"{D_AGREEMENTS}/{mine.pk}/accept", format="json").status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == "requested"


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "distributor_id"),
        ({"distributor_id": "3"}, "distributor_id"),
        ({"distributor_id": 2**63}, "distributor_id"),
        ({"distributor_id": "retailer"}, "distributor_id"),
        ({"distributor_id": "depot", "note": "x" * 501}, "note"),
    ],
)
def test_bad_requests_are_400_with_the_field(maker, depot, body, field):
    retailer = OrganizationFactory(kind="retailer")
    body = {
        k: {"retailer": retailer.pk, "depot": depot.organization.pk}.get(v, v)
        for k, v in body.items()
    }
    response = client_for(maker).post(M_AGREEMENTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not SupplyAgreement.objects.exists()


def test_the_distributor_list_shows_the_agreement_status(maker, depot):
    other = DistributorFactory(name="South Depot")
    SupplyAgreementFactory(manufacturer=maker.organization, distributor=depot.organization)
    rows = client_for(maker).get("/api/manufacturer/distributors").json()["results"]
    assert [(r["name"], r["agreement_status"]) for r in rows] == [
        ("North Depot", "accepted"),
        ("South Depot", None),
    ]
    assert other.pk in [r["id"] for r in rows]


def test_agreement_lists_cost_the_same_queries_for_3_and_30(maker, depot):
    def counts():
        out = []
        for client, url in [
            (client_for(maker), M_AGREEMENTS),
            (client_for(depot), D_AGREEMENTS),
            (client_for(maker), "/api/manufacturer/distributors"),
        ]:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    def grow(n):
        for _ in range(n):
            SupplyAgreementFactory(manufacturer=maker.organization)
            SupplyAgreementFactory(distributor=depot.organization)

    grow(3)
    small = counts()
    grow(27)
    assert counts() == small


def test_pages_request_accept_and_end(client, maker, depot):
    client.force_login(maker)
    page = client.get(reverse("manufacturer:agreements"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["distributor"].queryset) == [depot.organization]
    response = client.post(
        reverse("manufacturer:agreements"),
        {"distributor": depot.organization.pk, "note": "Hello"},
        follow=True,
    )
    assert "North Depot was asked to take your products" in response.content.decode()
    agreement = SupplyAgreement.objects.get()
    # Nothing left to ask.
    page = client.get(reverse("manufacturer:agreements"))
    assert not page.context["form"].fields["distributor"].queryset.exists()

    client.force_login(depot)
    dashboard = client.get(reverse("distributor:dashboard"))
    figure = next(f for f in dashboard.context["figures"] if f.label == "Agreements to answer")
    assert (figure.value, figure.tone) == (1, "warning")
    page = client.get(reverse("distributor:agreements")).content.decode()
    assert "Auro Sleep" in page and "1 request waiting" in page
    move = reverse("distributor:agreement_move", args=[agreement.pk, "accept"])
    response = client.post(move, follow=True)
    assert "You now take supplies from Auro Sleep" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == "accepted" and agreement.accepted_by == depot

    client.force_login(maker)
    dashboard = client.get(reverse("manufacturer:dashboard"))
    figure = next(f for f in dashboard.context["figures"] if f.label == "Distributors supplied")
    assert figure.value == 1
    end = reverse("manufacturer:agreement_move", args=[agreement.pk, "end"])
    client.post(end, {"reason": "Season over"})
    agreement.refresh_from_db()
    assert (agreement.status, agreement.end_reason, agreement.ended_by) == (
        "ended",
        "Season over",
        maker,
    )
    # A manufacturer cannot "accept" through its own page.
    agreement_2 = SupplyAgreementFactory(manufacturer=maker.organization, status="requested")
    client.post(reverse("manufacturer:agreement_move", args=[agreement_2.pk, "accept"]))
    agreement_2.refresh_from_db()
    assert agreement_2.status == "requested"


def test_the_migration_records_agreements_where_stock_or_supply_exists():
    maker, other_maker = (OrganizationFactory(kind="manufacturer") for _ in range(2))
    north, south, east = (DistributorFactory() for _ in range(3))
    StockItemFactory(product=ProductFactory(manufacturer=maker), distributor=north)
    StockItemFactory(product=ProductFactory(manufacturer=maker), distributor=north)
    supplied = ProductFactory(manufacturer=other_maker)
    type(supplied).objects.filter(pk=supplied.pk).update(supplier=south)  # as before agreements
    SupplyAgreementFactory(manufacturer=maker, distributor=east, status="ended")

    migration = importlib.import_module("inventory.migrations.0005_supply_agreements_from_stock")
    migration.create_agreements(apps, None)
    migration.create_agreements(apps, None)  # run twice: nothing doubles

    pairs = set(
        SupplyAgreement.objects.filter(status="accepted").values_list(
            "manufacturer_id", "distributor_id"
        )
    )
    assert pairs == {(maker.pk, north.pk), (other_maker.pk, south.pk)}
    assert SupplyAgreement.objects.get(distributor=east).status == "ended"
