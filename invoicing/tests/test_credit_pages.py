"""The distributor's credit terms pages and API, and held orders on its order pages."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from invoicing.models import CreditTerms
from orders.models import OrderStatus
from orders.tests.factories import place_order

from .factories import invoice_owing

pytestmark = pytest.mark.django_db

LIST_URL = "/api/distributor/credit-terms"


@pytest.fixture
def member():
    return DistributorUserFactory(organization__name="Depot Credit")


@pytest.fixture
def seller(member):
    return member.organization


@pytest.fixture
def page(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def api(member):
    client = APIClient()
    client.force_authenticate(member)
    return client


def buyer_with_terms(seller, *, limit="1000.00", days=30, owing=None):
    user = RetailerUserFactory()
    terms = CreditTerms.objects.create(
        seller=seller,
        buyer=user.organization,
        payment_terms_days=days,
        credit_limit=None if limit is None else Decimal(limit),
    )
    if owing is not None:
        invoice_owing(owing, customer=user, distributor=seller)
    return user, terms


def held_order(seller):
    user, _ = buyer_with_terms(seller, limit="0.00")
    order = place_order(customer=user, distributor=seller)
    assert order.status == OrderStatus.CREDIT_HOLD
    return order


def queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = callable_()
    assert response.status_code == 200
    return len(captured)


# --- Pages ---------------------------------------------------------------------------------


def test_the_credit_page_lists_buyers_with_limit_exposure_and_overdue(page, seller):
    user, terms = buyer_with_terms(seller, limit="1000.00", days=45, owing="1234.50")
    buyer_with_terms(DistributorUserFactory().organization)  # another depot's buyer
    response = page.get(reverse("credit:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert user.organization.name in body and "net 45" in body
    assert "₹1,000.00" in body and "₹1,234.50" in body and "₹234.50 over" in body
    assert body.count("/distributor/credit-terms/") >= 1
    assert reverse("credit:edit", args=[terms.pk]) in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert CreditTerms.objects.count() == 2
    assert body.count('aria-label="Edit the terms of') == 1  # only its own buyer


def test_the_credit_page_costs_the_same_queries_for_three_buyers_or_thirty(page, seller):
    buyer_with_terms(seller, owing="10.00")
    url = reverse("credit:list")
    few = queries(lambda: page.get(url))
    for _ in range(5):
        user, _ = buyer_with_terms(seller, owing="20.00")
        place_order(customer=user, distributor=seller)
    assert queries(lambda: page.get(url)) == few


def test_giving_a_buyer_terms_from_the_page(page, seller):
    retailer = RetailerUserFactory().organization
    response = page.post(
        reverse("credit:list"),
        {
            "buyer": retailer.pk,
            "payment_terms_days": "60",
            "credit_limit": "25000.50",
            "active": "on",
        },
    )
    assert response.status_code == 302
    terms = CreditTerms.objects.get(seller=seller, buyer=retailer)
    assert (terms.payment_terms_days, terms.credit_limit, terms.active) == (
        60,
        Decimal("25000.50"),
        True,
    )


@pytest.mark.parametrize(
    ("days", "limit", "field", "message"),
    [
        ("181", "10", "payment_terms_days", "less than or equal to 180"),
        ("-1", "10", "payment_terms_days", "greater than or equal to 0"),
        ("30", "-5", "credit_limit", "greater than or equal to 0"),
        ("30", "100000000.01", "credit_limit", "less than or equal to 100000000"),
        ("30", "12.345", "credit_limit", "no more than 2 decimal places"),
    ],
)
def test_the_page_refuses_numbers_out_of_bounds(page, seller, days, limit, field, message):
    retailer = RetailerUserFactory().organization
    response = page.post(
        reverse("credit:list"),
        {"buyer": retailer.pk, "payment_terms_days": days, "credit_limit": limit},
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not CreditTerms.objects.exists()


def test_editing_terms_and_another_distributors_terms_are_404(page, seller):
    _, terms = buyer_with_terms(seller)
    url = reverse("credit:edit", args=[terms.pk])
    assert page.get(url).status_code == 200
    response = page.post(url, {"payment_terms_days": "15", "credit_limit": ""})
    assert response.status_code == 302
    terms.refresh_from_db()
    assert (terms.payment_terms_days, terms.credit_limit, terms.active) == (15, None, False)
    assert page.post(url, {"payment_terms_days": "999"}).status_code == 400
    _, theirs = buyer_with_terms(DistributorUserFactory().organization)
    their_url = reverse("credit:edit", args=[theirs.pk])
    assert page.get(their_url).status_code == 404
    assert page.post(their_url, {"payment_terms_days": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.payment_terms_days == 30


def test_held_orders_show_on_the_order_list_and_page_with_release_and_reject(page, seller):
    order = held_order(seller)
    listing = page.get(reverse("distributor:orders") + "?status=credit_hold").content.decode()
    assert order.number in listing and "Held for credit approval" in listing
    detail = page.get(reverse("distributor:order", args=[order.number])).content.decode()
    assert "Release (approve credit)" in detail and "Reject order" in detail
    assert 'id="credit-hold"' in detail and "₹0.00" in detail  # its limit
    response = page.post(
        reverse("distributor:order_move", args=[order.number]), {"status": "placed"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert (
        "Accept order"
        in page.get(reverse("distributor:order", args=[order.number])).content.decode()
    )


# --- API -------------------------------------------------------------------------------------


def test_the_api_lists_terms_with_exposure(api, seller):
    user, terms = buyer_with_terms(seller, limit="1000.00", owing="250.25")
    buyer_with_terms(DistributorUserFactory().organization)
    body = api.get(LIST_URL).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == terms.pk and row["buyer_id"] == user.organization_id
    assert row["credit_limit"] == "1000.00" and row["available"] == "749.75"
    assert row["exposure"] == {
        "unpaid": "250.25",
        "on_order": "0.00",
        "overdue": "0.00",
        "total": "250.25",
    }


def test_the_api_list_costs_the_same_queries_for_few_or_many(api, seller):
    buyer_with_terms(seller, owing="10.00")
    few = queries(lambda: api.get(LIST_URL))
    for _ in range(5):
        user, _ = buyer_with_terms(seller, owing="10.00")
        place_order(customer=user, distributor=seller)
    assert queries(lambda: api.get(LIST_URL)) == few


def test_the_api_sets_terms_201_then_200_and_refuses_bad_input(api, seller):
    retailer = RetailerUserFactory().organization
    body = {"buyer_id": retailer.pk, "payment_terms_days": 30, "credit_limit": "5000.00"}
    created = api.post(LIST_URL, body, format="json")
    assert created.status_code == 201 and created.json()["active"] is True
    again = api.post(LIST_URL, {**body, "credit_limit": None}, format="json")
    assert again.status_code == 200 and again.json()["credit_limit"] is None
    assert CreditTerms.objects.get().credit_limit is None
    bad = api.post(
        LIST_URL,
        {"buyer_id": retailer.pk, "payment_terms_days": 181, "credit_limit": "-1"},
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"payment_terms_days", "credit_limit"}
    unknown = api.post(LIST_URL, {**body, "buyer_id": 10**9}, format="json")
    assert unknown.status_code == 400 and "buyer_id" in unknown.json()["errors"]
    distributor = api.post(LIST_URL, {**body, "buyer_id": seller.pk}, format="json")
    assert distributor.status_code == 400 and "buyer_id" in distributor.json()["errors"]


def test_the_api_changes_one_buyers_terms_and_hides_anothers(api, seller):
    _, terms = buyer_with_terms(seller)
    url = f"{LIST_URL}/{terms.pk}"
    changed = api.put(
        url, {"payment_terms_days": 7, "credit_limit": "99.99", "active": False}, format="json"
    )
    assert changed.status_code == 200
    assert (changed.json()["payment_terms_days"], changed.json()["active"]) == (7, False)
    _, theirs = buyer_with_terms(DistributorUserFactory().organization)
    assert api.get(f"{LIST_URL}/{theirs.pk}").status_code == 404
    refused = api.put(
        f"{LIST_URL}/{theirs.pk}", {"payment_terms_days": 1, "credit_limit": None}, format="json"
    )
    assert refused.status_code == 404


def test_the_api_releases_a_held_order(api, seller):
    order = held_order(seller)
    url = f"/api/distributor/orders/{order.pk}/release"
    response = api.post(url, {"note": "Paid by cheque."}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "placed"
    again = api.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "illegal_transition"
    theirs = held_order(DistributorUserFactory().organization)
    assert (
        api.post(f"/api/distributor/orders/{theirs.pk}/release", {}, format="json").status_code
        == 404
    )
