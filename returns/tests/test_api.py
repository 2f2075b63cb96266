"""The returns API: the buyer asks and reads; the distributor lists, approves, refuses and
receives; 400 with field errors, 404 across organizations, constant queries on lists."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from inventory.models import StockMovement
from returns.models import ReturnStatus

from .factories import approved, delivered, requested

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_buyer_asks_for_a_return_and_reads_it():
    order = delivered(quantity=5)
    item = order.items.get()
    client = api(order.customer)
    response = client.post(
        "/api/returns",
        {
            "order_number": order.number,
            "lines": [{"order_item_id": item.pk, "quantity": 2, "reason": "defective"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested" and body["units"] == 2
    assert body["lines"][0]["reason"] == "defective" and body["allowed_next"] == [
        "approved",
        "rejected",
    ]
    assert client.get(f"/api/returns/{body['id']}").json()["number"] == body["number"]
    assert [r["id"] for r in client.get("/api/returns").json()["results"]] == [body["id"]]


def test_bad_requests_name_the_field():
    order = delivered(quantity=5)
    item = order.items.get()
    client = api(order.customer)
    response = client.post(
        "/api/returns",
        {
            "order_number": order.number,
            "lines": [{"order_item_id": item.pk, "quantity": 9, "reason": "defective"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert f"quantity_{item.pk}" in response.json()["errors"]
    response = client.post(
        "/api/returns", {"order_number": order.number, "lines": []}, format="json"
    )
    assert response.status_code == 400 and "lines.non_field_errors" in response.json()["errors"]
    other = api(CustomerFactory()).post(
        "/api/returns",
        {
            "order_number": order.number,
            "lines": [{"order_item_id": item.pk, "quantity": 1, "reason": "defective"}],
        },
        format="json",
    )
    assert other.status_code == 404


def test_the_distributor_approves_and_receives_and_a_retry_books_nothing_twice():
    member = DistributorUserFactory()
    rma = requested(delivered(distributor=member.organization, quantity=5), quantity=3)
    client = api(member)
    listed = client.get("/api/distributor/returns", {"status": "requested"}).json()
    assert [r["number"] for r in listed["results"]] == [rma.number]
    assert client.get("/api/distributor/returns", {"status": "nope"}).status_code == 400
    assert client.post(f"/api/distributor/returns/{rma.pk}/approve", {}, format="json").json()[
        "status"
    ] == ("approved")
    line = rma.lines.get()
    body = {"lines": [{"line_id": line.pk, "restocked": 2, "damaged": 1}]}
    for _ in range(2):
        response = client.post(f"/api/distributor/returns/{rma.pk}/receive", body, format="json")
        assert response.status_code == 200
    assert response.json()["status"] == ReturnStatus.RECEIVED
    assert response.json()["lines"][0]["quantity_damaged"] == 1
    assert StockMovement.objects.filter(reference=f"rma:{rma.pk}").count() == 3
    response = client.post(
        f"/api/distributor/returns/{rma.pk}/reject", {"note": "Late."}, format="json"
    )
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_receipt_bounds_and_another_distributors_return():
    member = DistributorUserFactory()
    rma = approved(delivered(distributor=member.organization, quantity=5), quantity=2)
    line = rma.lines.get()
    client = api(member)
    response = client.post(
        f"/api/distributor/returns/{rma.pk}/receive",
        {"lines": [{"line_id": line.pk, "restocked": 2, "damaged": 2}]},
        format="json",
    )
    assert response.status_code == 400 and f"damaged_{line.pk}" in response.json()["errors"]
    stranger = api(DistributorUserFactory())
    assert stranger.get(f"/api/distributor/returns/{rma.pk}").status_code == 404
    assert stranger.post(f"/api/distributor/returns/{rma.pk}/approve", {}).status_code == 404
    assert api(CustomerFactory()).get(f"/api/returns/{rma.pk}").status_code == 404
    assert api(rma.customer).get("/api/distributor/returns").status_code == 403
    assert APIClient().get("/api/returns").status_code == 401


def test_the_lists_make_the_same_queries_for_one_or_many(django_assert_max_num_queries):
    member = DistributorUserFactory()
    buyer = CustomerFactory()
    requested(delivered(customer=buyer, distributor=member.organization, quantity=2))
    lists = ((buyer, "/api/returns"), (member, "/api/distributor/returns"))
    counts = {}
    for user, url in lists:
        with django_assert_max_num_queries(12) as few:
            api(user).get(url)
        counts[url] = len(few.captured_queries)
    for _ in range(4):
        requested(delivered(customer=buyer, distributor=member.organization, quantity=2))
    for user, url in lists:
        with django_assert_max_num_queries(counts[url]):
            assert api(user).get(url).json()["count"] == 5
