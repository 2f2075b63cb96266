"""The order flow of the B2B seed, end to end through the API, as its three parties do it.

A manufacturer asks a distributor to take its products, the distributor accepts,
the manufacturer adds a product and assigns stock to it; a retailer
browses that distributor's catalog and orders; the distributor is told,
accepts, and moves the order on to delivered; the retailer sees every status
and is told of every step. Only API calls act; the database is read to check
the ledger, the in-app notifications and the outbox.
"""

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.tests.factories import (
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import CategoryFactory
from inventory.models import StockItem
from notifications.models import Notification, OutboundMessage

# Committed rows: the retailer's catalog search uses a FULLTEXT index on MariaDB, which
# sees nothing else.
pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = "4 Lake Road, Pune 411001"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """Make one API call and run what it scheduled after commit (outbox delivery)."""

    def call(client, method, url, body=None, expect=200):
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(client, method)(url, body, format="json")
        assert response.status_code == expect, response.content
        return response.json() if response.content else None

    return call


def test_the_seed_order_flow_end_to_end(act):
    maker_user = ManufacturerUserFactory(organization__name="Auro Sleep Industries")
    depot_user = DistributorUserFactory(
        organization__name="Southern Supply Hub", email="depot@example.test"
    )
    buyer = RetailerUserFactory(
        organization__name="Lakeside Retail Mart", email="buyer@example.test"
    )
    depot = depot_user.organization
    maker, retailer, distributor = (
        client_for(maker_user),
        client_for(buyer),
        client_for(depot_user),
    )

    # 0. The manufacturer asks the distributor to take its products; the distributor accepts.
    agreement = act(
        maker,
        "post",
        "/api/manufacturer/agreements",
        {"distributor_id": depot.pk, "note": "Mattresses"},
        expect=201,
    )
    assert agreement["status"] == "requested"
    accepted = act(distributor, "post", f"/api/distributor/agreements/{agreement['id']}/accept")
    assert accepted["status"] == "accepted"

    # 1. The manufacturer adds a product and assigns 40 units to the distributor.
    product = act(
        maker,
        "post",
        "/api/manufacturer/products",
        {
            "sku": "mat-flow-1",
            "name": "CloudRest Flow Mattress",
            "category": CategoryFactory().pk,
            "price": "20000.00",
            "reorder_level": 5,
        },
        expect=201,
    )
    level = act(
        maker,
        "post",
        "/api/manufacturer/inventory/assign",
        {"product_id": product["id"], "distributor_id": depot.pk, "quantity": 40},
        expect=201,
    )
    assert (level["on_hand"], level["distributor"]["id"]) == (40, depot.pk)

    # 2. The retailer finds it in that distributor's catalog, with its stock, and orders 3.
    catalog = act(retailer, "get", f"/api/retailer/catalog?distributor={depot.pk}&search=flow")
    assert [(p["id"], p["stock_quantity"]) for p in catalog["results"]] == [(product["id"], 40)]
    mail.outbox.clear()
    order = act(
        retailer,
        "post",
        "/api/retailer/orders",
        {
            "distributor_id": depot.pk,
            "items": [{"product_id": product["id"], "quantity": 3}],
            "shipping_address": ADDRESS,
        },
        expect=201,
    )
    order_id, number = order["id"], order["number"]
    assert order["status"] == "placed"
    item = StockItem.objects.get(product_id=product["id"], distributor=depot)
    # Allocated, still on the shelf: on_hand moves when the order is dispatched.
    assert (item.on_hand, item.allocated, item.available) == (40, 3, 37)
    assert list(item.movements.order_by("pk").values_list("kind", "quantity")) == [
        ("assignment", 40),
    ]

    # 3. The distributor is told: an in-app notification and an e-mail sent to its member.
    received = Notification.objects.get(user=depot_user, event="order_received")
    assert number in received.title + received.message
    assert (
        OutboundMessage.objects.get(
            user=depot_user, template="order_received", channel="email"
        ).status
        == "sent"
    )
    assert any(m.to == ["depot@example.test"] and number in m.subject for m in mail.outbox)
    incoming = act(distributor, "get", "/api/distributor/orders?status=placed")
    assert [o["id"] for o in incoming["results"]] == [order_id]

    # 4. The distributor accepts and moves the order on; the retailer sees each status.
    act(distributor, "post", f"/api/distributor/orders/{order_id}/accept", {})
    steps = [
        ("processing", {}),
        ("shipped", {"tracking_reference": "BLUEDART 7788123456"}),
        ("delivered", {}),
    ]
    seen = [act(retailer, "get", f"/api/retailer/orders/{order_id}")["status"]]
    for status, extra in steps:
        act(
            distributor,
            "put",
            f"/api/distributor/orders/{order_id}/status",
            {"status": status, **extra},
        )
        seen.append(act(retailer, "get", f"/api/retailer/orders/{order_id}")["status"])
    assert seen == ["accepted", "processing", "shipped", "delivered"]

    final = act(retailer, "get", f"/api/retailer/orders/{order_id}")
    assert final["tracking_reference"] == "BLUEDART 7788123456"
    history = [(step["from_status"], step["to_status"]) for step in final["status_history"]]
    assert history == [
        ("", "placed"),
        ("placed", "accepted"),
        ("accepted", "processing"),
        ("processing", "shipped"),
        ("shipped", "delivered"),
    ]

    # 5. The retailer was told of every step, in the app and by e-mail (its defaults).
    told = list(
        Notification.objects.filter(user=buyer, event="order_status")
        .order_by("pk")
        .values_list("dedup_key", flat=True)
    )
    # (Shipping is told by the shipment's own message, with its invoice.)
    assert told == [
        f"order_status:{order_id}:{status}:in_app"
        for status in ("accepted", "processing", "delivered")
    ]
    emails = OutboundMessage.objects.filter(user=buyer, template="order_status", channel="email")
    assert sorted(emails.values_list("dedup_key", "status")) == sorted(
        (f"order_status:{order_id}:{status}:email", "sent")
        for status in ("accepted", "processing", "delivered")
    )
    shipment_mail = OutboundMessage.objects.get(user=buyer, template="invoice", channel="email")
    assert "BLUEDART 7788123456" in shipment_mail.body_text and shipment_mail.status == "sent"
    shipped_mail = [
        m for m in mail.outbox if m.to == ["buyer@example.test"] and "BLUEDART" in m.body
    ]
    assert len(shipped_mail) == 1

    # The stock left the shelf once, at dispatch; the manufacturer sees the order and the sale.
    item.refresh_from_db()
    assert (item.on_hand, item.allocated, item.available) == (37, 0, 37)
    assert list(item.movements.order_by("pk").values_list("kind", "quantity")) == [
        ("assignment", 40),
        ("shipment", -3),
    ]
    downstream = act(maker, "get", "/api/manufacturer/orders")
    assert [(o["number"], o["status"], o["units"]) for o in downstream["results"]] == [
        (number, "delivered", 3)
    ]
    sales = act(maker, "get", "/api/manufacturer/sales")
    assert (sales["units"], sales["revenue"]) == (3, "60000.00")
