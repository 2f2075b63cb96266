"""The transfers API: create (bounded, 400 with field errors), the steps (409 when the
status refuses), a stranger's transfer 404, and the stock it moves."""

import pytest
from rest_framework.test import APIClient

from catalog.tests.factories import ProductFactory
from transfers.models import TransferOrder, TransferStatus

from .factories import distributor_with_member, on_hand, stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    east, east_clerk = distributor_with_member(name="East")
    west, west_clerk = distributor_with_member(name="West")
    product = ProductFactory()
    stock(product, east, 30)
    return product, east, east_clerk, west, west_clerk


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_create_confirm_ship_receive_through_the_api(pair):
    product, east, east_clerk, west, west_clerk = pair
    sender, receiver = client_for(east_clerk), client_for(west_clerk)
    bad = sender.post(
        "/api/distributor/transfers",
        {
            "source_id": east.pk,
            "destination_id": west.pk,
            "lines": [{"product_id": product.pk, "quantity": 100_001}],
        },
        format="json",
    )
    assert bad.status_code == 400 and "lines.0.quantity" in bad.json()["errors"]
    created = sender.post(
        "/api/distributor/transfers",
        {
            "source_id": east.pk,
            "destination_id": west.pk,
            "lines": [{"product_id": product.pk, "quantity": 12}],
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    number = created.json()["number"]
    base = f"/api/distributor/transfers/{number}"
    early = receiver.post(
        f"{base}/receive", {"lines": [{"line_id": 1, "received": 1}]}, format="json"
    )
    assert early.status_code == 409
    assert sender.post(f"{base}/confirm", format="json").status_code == 200
    shipped = sender.post(f"{base}/ship", {"tracking_reference": "LR-1"}, format="json")
    assert shipped.status_code == 200 and shipped.json()["lines"][0]["in_transit"] == 12
    line_id = shipped.json()["lines"][0]["id"]
    no_reason = receiver.post(
        f"{base}/receive", {"lines": [{"line_id": line_id, "received": 10}]}, format="json"
    )
    assert no_reason.status_code == 400 and f"reason_{line_id}" in no_reason.json()["errors"]
    done = receiver.post(
        f"{base}/receive",
        {"lines": [{"line_id": line_id, "received": 10, "reason": "2 broken"}]},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == TransferStatus.RECEIVED_SHORT
    assert (on_hand(product, east), on_hand(product, west)) == (18, 10)
    assert done.json()["lines"][0]["in_transit"] == 2


def test_confirm_short_of_stock_is_409_and_a_stranger_gets_404(pair):
    product, east, east_clerk, west, _ = pair
    created = client_for(east_clerk).post(
        "/api/distributor/transfers",
        {
            "source_id": east.pk,
            "destination_id": west.pk,
            "lines": [{"product_id": product.pk, "quantity": 31}],
        },
        format="json",
    )
    number = created.json()["number"]
    short = client_for(east_clerk).post(f"/api/distributor/transfers/{number}/confirm")
    assert short.status_code == 409
    assert TransferOrder.objects.get().status == TransferStatus.DRAFT
    _stranger, stranger_clerk = distributor_with_member(name="Stranger")
    assert client_for(stranger_clerk).get(f"/api/distributor/transfers/{number}").status_code == 404
    assert (
        client_for(stranger_clerk).post(f"/api/distributor/transfers/{number}/confirm").status_code
        == 404
    )
