"""Shipments (#12 §4): ship all or part of an order, now or later, each with its own tax invoice."""

import re
import subprocess

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from inventory.models import StockItem
from inventory.services import stock_receive
from inventory.tests.factories import DistributorFactory
from invoicing.models import Invoice
from notifications.tests.conftest import (
    parts,
    smtp_server,  # noqa: F401  (the real SMTP fixture)
)
from orders.models import Order, OrderStatus, Shipment
from orders.shipments import shipment_create
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def to_processing(order, by=None):
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING):
        order = order_transition(order=order, to_status=status, by=by)
    return order


def figures(item: StockItem) -> tuple[int, int, int]:
    item.refresh_from_db()
    ledger = item.movements.aggregate(total=Sum("quantity"))["total"]
    assert ledger == item.on_hand  # the ledger always sums to the shelf
    return item.on_hand, item.allocated, item.available


def test_partial_shipment_and_backorders_end_to_end_with_two_invoices(
    client,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    store = DistributorFactory(name="Deccan Distribution", is_default_store=True)
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, on_hand=10, name="Assam tea")
    rice = stocked_product(distributor=store, on_hand=5, name="Sona rice")
    retailer = OrganizationFactory(kind="retailer", name="Fresh Mart", backorder_policy="backorder")
    buyer = RetailerUserFactory(organization=retailer)
    late_buyer = CustomerFactory()
    clerk_api = api_for(clerk)

    with django_capture_on_commit_callbacks(execute=True):
        # 1. The retailer orders more rice than the shelf holds: 2 are backordered.
        placed = api_for(buyer).post(
            "/api/retailer/orders",
            {
                "distributor_id": store.pk,
                "items": [
                    {"product_id": tea.pk, "quantity": 8},
                    {"product_id": rice.pk, "quantity": 7},
                ],
                "shipping_address": "4 Market Road, Pune",
            },
            format="json",
        )
        assert placed.status_code == 201, placed.content
        order = Order.objects.get(pk=placed.json()["id"])
        # A second buyer waits for rice behind it (first in, first out).
        second = place_order(
            customer=late_buyer, distributor=store, lines=[(rice, 3)], backorder=True
        )
        assert second.items.get().quantity_backordered == 3
        to_processing(order, by=clerk)

        # 2. Shipment 1 through the API: part of the tea and all the rice there is.
        shipped = clerk_api.post(
            f"/api/distributor/orders/{order.pk}/shipments",
            {
                "lines": [
                    {"product_id": tea.pk, "quantity": 5},
                    {"product_id": rice.pk, "quantity": 5},
                ],
                "tracking_reference": "DTDC-1001",
            },
            format="json",
        )
        assert shipped.status_code == 201, shipped.content
        first = shipped.json()
        assert (first["number"], first["status"]) == (f"{order.number}-S1", "dispatched")
        assert [(line["sku"], line["quantity"]) for line in first["lines"]] == [
            (tea.sku, 5),
            (rice.sku, 5),
        ]
        order.refresh_from_db()
        assert order.status == OrderStatus.PARTIALLY_SHIPPED
        # The units left the shelf at dispatch, not before.
        assert figures(StockItem.objects.get(product=tea)) == (5, 3, 2)
        assert figures(StockItem.objects.get(product=rice)) == (0, 0, 0)

        # 3. Rice arrives: the two waiting backorders fill first in, first out.
        stock_receive(product=rice, distributor=store, quantity=4, reference="po:77")
        lines = {item.product_id: item for item in order.items.all()}
        assert (lines[rice.pk].quantity_allocated, lines[rice.pk].quantity_backordered) == (2, 0)
        later = second.items.get()
        assert (later.quantity_allocated, later.quantity_backordered) == (2, 1)

        # 4. Shipment 2 through the page: everything now set aside.
        client.force_login(clerk)
        page = client.get(f"/distributor/orders/{order.number}/")
        form = page.context["ship_form"]
        assert {item.product_id: field.initial for item, field in form.line_fields()} == {
            tea.pk: 3,
            rice.pk: 2,
        }
        response = client.post(
            f"/distributor/orders/{order.number}/ship/",
            {f"qty_{tea.pk}": 3, f"qty_{rice.pk}": 2, "tracking_reference": "DTDC-1002"},
            follow=True,
        )
        assert response.status_code == 200
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED
        html = response.content.decode()
        assert f"{order.number}-S1" in html and f"{order.number}-S2" in html

        # 5. Delivered when the last shipment is: the first through the API ...
        [s1, s2] = order.shipments.all()
        delivered = clerk_api.post(f"/api/distributor/shipments/{s1.pk}/deliver")
        assert delivered.json()["status"] == "delivered"
        order.refresh_from_db()
        assert order.status == OrderStatus.SHIPPED  # the second is still on its way
        # ... the second on the page.
        client.post(f"/distributor/shipments/{s2.number}/deliver/")
        order.refresh_from_db()
        assert order.status == OrderStatus.DELIVERED

    # Two invoices, one per shipment, numbered one after the other; together they bill the order.
    invoices = list(Invoice.objects.filter(order=order).order_by("number"))
    assert [invoice.shipment for invoice in invoices] == [s1, s2]
    assert [list(i.lines.values_list("sku", "quantity")) for i in invoices] == [
        [(tea.sku, 5), (rice.sku, 5)],
        [(tea.sku, 3), (rice.sku, 2)],
    ]
    assert sum(invoice.subtotal for invoice in invoices) == order.subtotal
    numbers = [invoice.number for invoice in invoices]
    assert int(numbers[1][-6:]) == int(numbers[0][-6:]) + 1

    # The buyer got one e-mail per shipment at the SMTP server, each with its invoice attached,
    # and one telling them the backordered rice came in.
    inbox = smtp_server.inbox.wait_for(7)
    to_buyer = [m for m in inbox if m["To"] == buyer.email]
    subjects = [" ".join(m["Subject"].split()) for m in to_buyer]
    shipment_mails = [m for m, s in zip(to_buyer, subjects, strict=True) if "shipment" in s]
    assert [" ".join(m["Subject"].split()) for m in shipment_mails] == [
        f"Order {order.number} partly shipped: shipment 1, invoice {numbers[0]} "
        f"(₹{invoices[0].total:,.2f})",
        f"Order {order.number} shipped: shipment 2, invoice {numbers[1]} "
        f"(₹{invoices[1].total:,.2f})",
    ]
    for mail, invoice, tracking in zip(
        shipment_mails, invoices, ("DTDC-1001", "DTDC-1002"), strict=True
    ):
        text, html = parts(mail)
        assert tracking in text and tracking in html and invoice.number in text
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_filename() == f"{invoice.number}.pdf"
        body = pdf_text(attachment.get_content())
        assert invoice.number in body and f"{invoice.total:,.2f}" in body
    assert "follows when it is ready" in parts(shipment_mails[0])[0]
    assert f"Order {order.number}: Sona rice is now complete" in subjects


def test_shipping_more_than_is_allocated_is_400_and_writes_nothing():
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, on_hand=10)
    order = to_processing(place_order(distributor=store, lines=[(tea, 4)]))
    url = f"/api/distributor/orders/{order.pk}/shipments"
    api = api_for(clerk)

    for body, field in (
        ({"lines": [{"product_id": tea.pk, "quantity": 5}], "tracking_reference": "X"}, "lines"),
        ({"lines": [{"product_id": tea.pk, "quantity": 0}], "tracking_reference": "X"}, "lines"),
        ({"lines": [{"product_id": 999999, "quantity": 1}], "tracking_reference": "X"}, "lines"),
        ({"lines": [{"product_id": tea.pk, "quantity": 10**12}]}, "lines"),
        ({"tracking_reference": ""}, "tracking_reference"),
        ({"tracking_reference": "x" * 101}, "tracking_reference"),
    ):
        response = api.post(url, body, format="json")
        assert response.status_code == 400, (body, response.content)
        assert any(key.startswith(field) for key in response.json()["errors"]), response.json()
    assert not Shipment.objects.exists() and not Invoice.objects.exists()
    assert figures(StockItem.objects.get(product=tea)) == (10, 4, 6)
    # Before processing, an order does not ship.
    early = place_order(distributor=store, lines=[(tea, 1)])
    response = api.post(
        f"/api/distributor/orders/{early.pk}/shipments", {"tracking_reference": "X"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")
    # Another distributor's order is not there at all.
    other = api_for(DistributorUserFactory()).post(url, {"tracking_reference": "X"}, format="json")
    assert other.status_code == 404


def test_a_pickup_is_handed_over_without_tracking_and_is_delivered(client):
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, on_hand=10)
    order = to_processing(
        place_order(distributor=store, lines=[(tea, 2)], fulfillment_type="pickup")
    )
    client.force_login(clerk)
    page = client.get(f"/distributor/orders/{order.number}/").content.decode()
    assert "Hand over" in page

    client.post(f"/distributor/orders/{order.number}/ship/", {f"qty_{tea.pk}": 2})

    order.refresh_from_db()
    shipment = order.shipments.get()
    assert (shipment.method, shipment.status, shipment.tracking_reference) == (
        "pickup",
        "delivered",
        "",
    )
    assert order.status == OrderStatus.DELIVERED and order.invoices.get().shipment == shipment


def test_the_pick_list_and_the_packing_slip(client):
    store = DistributorFactory(name="Deccan Distribution")
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, on_hand=20, name="Assam tea")
    rice = stocked_product(distributor=store, on_hand=20, name="Sona rice")
    one = to_processing(place_order(distributor=store, lines=[(tea, 3), (rice, 1)]))
    two = place_order(distributor=store, lines=[(tea, 4)])
    client.force_login(clerk)

    response = client.get("/distributor/orders/pick-list.pdf", {"order": [one.number, two.number]})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "2 orders, 8 units" in text
    tea_row = next(line for line in text.splitlines() if tea.sku in line)
    assert "7" in tea_row.split() and one.number in text and two.number in text
    # The API gives the same list by order id.
    api = api_for(clerk)
    by_api = api.get("/api/distributor/pick-list", {"orders": f"{one.pk},{two.pk}"})
    assert by_api.status_code == 200 and "2 orders, 8 units" in pdf_text(by_api.content)
    assert api.get("/api/distributor/pick-list", {"orders": "x"}).status_code == 400

    shipment = Shipment.objects.get(
        pk=api.post(
            f"/api/distributor/orders/{one.pk}/shipments",
            {"lines": [{"product_id": tea.pk, "quantity": 2}], "tracking_reference": "AWB 9"},
            format="json",
        ).json()["id"]
    )
    slip = pdf_text(
        client.get(f"/distributor/shipments/{shipment.number}/packing-slip.pdf").content
    )
    assert shipment.number in slip and "Assam tea" in slip and "Sona rice" not in slip
    assert "₹" not in slip  # no prices in the box
    assert api.get(f"/api/distributor/shipments/{shipment.pk}/packing-slip").status_code == 200
    # Another distributor sees neither.
    stranger = DistributorUserFactory()
    client.force_login(stranger)
    assert (
        client.get(f"/distributor/shipments/{shipment.number}/packing-slip.pdf").status_code == 404
    )
    assert (
        api_for(stranger).get(f"/api/distributor/shipments/{shipment.pk}/packing-slip").status_code
        == 404
    )


@pytest.mark.parametrize("shipments", [1, 3])
def test_the_order_pages_and_api_read_shipments_in_constant_queries(
    client, shipments, django_assert_max_num_queries
):
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    products = [stocked_product(distributor=store, on_hand=10) for _ in range(3)]
    order = to_processing(place_order(distributor=store, lines=[(p, 2) for p in products]))
    for product in products[:shipments]:
        api_for(clerk).post(
            f"/api/distributor/orders/{order.pk}/shipments",
            {"lines": [{"product_id": product.pk, "quantity": 2}], "tracking_reference": "T"},
            format="json",
        )
    assert order.shipments.count() == shipments
    client.force_login(clerk)
    api = api_for(clerk)
    with django_assert_max_num_queries(16):
        assert client.get(f"/distributor/orders/{order.number}/").status_code == 200
    with django_assert_max_num_queries(10):
        detail = api.get(f"/api/distributor/orders/{order.pk}").json()
    assert len(detail["shipments"]) == shipments
    assert all(s["invoice_number"] for s in detail["shipments"])
    client.force_login(order.customer)
    with django_assert_max_num_queries(14):
        page = client.get(f"/customer-portal/orders/{order.number}/")
    assert page.status_code == 200 and f"{order.number}-S{shipments}" in page.content.decode()


def test_a_shipment_and_its_invoice_read_back_nothing_they_wrote():
    """The invoice is made from the shipment and lines the dispatch wrote (shipment_dispatched
    passes them), the warehouses are read once, and payments' receiver reads no invoice for
    an order with nothing paid online (docs/performance.md, seed_demo)."""
    store = DistributorFactory()
    clerk = DistributorUserFactory(organization=store)
    tea = stocked_product(distributor=store, on_hand=10, name="Assam tea")
    rice = stocked_product(distributor=store, on_hand=10, name="Sona rice")
    order = to_processing(place_order(distributor=store, lines=[(tea, 2), (rice, 1)]))

    with CaptureQueriesContext(connection) as captured:
        shipment = shipment_create(order=order, by=clerk, tracking_reference="TRK-1")

    def reads(table: str) -> list[str]:
        """The statements that read rows (columns) of `table`."""
        pattern = re.compile(rf"^SELECT [`\"]{table}[`\"]\.")
        return [q["sql"] for q in captured if pattern.match(q["sql"])]

    assert not reads("orders_shipment") and not reads("orders_shipmentline")
    assert len(reads("inventory_warehouse")) == 1
    # The earlier-invoice check and the e-mail's read; not the payments receiver's.
    assert len(reads("invoicing_invoice")) == 2
    invoice = Invoice.objects.get(shipment=shipment)
    assert sorted(invoice.lines.values_list("description", "quantity")) == [
        ("Assam tea", 2),
        ("Sona rice", 1),
    ]
    assert invoice.order == order and invoice.total == order.total
    assert invoice.seller_name == store.name
    assert invoice.buyer_name == order.customer.get_full_name()
