"""The buyer's PO number and requested delivery date (#18 §3)."""

import datetime
import re
import subprocess

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import CustomerFactory, DistributorUserFactory
from inventory.tests.factories import DistributorFactory
from invoicing.models import Invoice
from invoicing.resources import InvoiceResource
from notifications.models import OutboundMessage
from orders.delivery_dates import earliest_delivery_date
from orders.models import Order, OrderStatus
from orders.resources import OrderLineResource
from orders.tests.factories import place_order, stocked_product
from orders.transitions import order_transition
from procurement.models import Holiday, WorkingCalendar

pytestmark = pytest.mark.django_db

CHECKOUT = reverse("portal:checkout")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def store(settings):
    settings.ORDER_DELIVERY_DAYS = 3
    return DistributorFactory(name="Portal Store", is_default_store=True, order_lead_days=2)


def next_closed_day(start: datetime.date) -> datetime.date:
    """The first Sunday on or after start (the default calendar works Monday to Saturday)."""
    return start + datetime.timedelta(days=(6 - start.weekday()) % 7)


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def checkout(client, product, **fields):
    client.post(reverse("portal:cart_add", args=[product.pk]), {"quantity": 1})
    page = client.get(CHECKOUT)
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    data = {"fulfillment_type": "delivery", "shipping_address": "1 Main St\nPune", "token": token}
    data.update(fields)
    return client.post(CHECKOUT, data)


def test_po_number_and_date_on_the_order_invoice_pdf_emails_exports_and_distributor_list(
    client, store, django_capture_on_commit_callbacks
):
    customer = CustomerFactory()
    clerk = DistributorUserFactory(organization=store)
    product = stocked_product(distributor=store, on_hand=5, name="Desk Lamp")
    wanted = earliest_delivery_date(store) + datetime.timedelta(days=7)
    while wanted.weekday() == 6:
        wanted += datetime.timedelta(days=1)
    client.force_login(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = checkout(
            client,
            product,
            buyer_reference="  PO/2026/ACME-0042  ",
            requested_delivery_date=wanted.isoformat(),
        )
    order = Order.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert order.buyer_reference == "PO/2026/ACME-0042"
    assert order.requested_delivery_date == wanted == order.estimated_delivery

    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="order-po-number">PO/2026/ACME-0042<' in page
    assert f"{wanted:%A} {wanted.day} {wanted:%B %Y}" in page

    # The confirmation and the distributor's "new order" e-mails carry both.
    mails = OutboundMessage.objects.filter(
        channel="email", template__in=["order_confirmation", "order_received"]
    )
    assert sorted(mails.values_list("template", flat=True)) == [
        "order_confirmation",
        "order_received",
    ]
    for mail in mails:
        assert "PO/2026/ACME-0042" in mail.body_text and "PO/2026/ACME-0042" in mail.body_html
        assert f"{wanted.day} {wanted:%B %Y}" in mail.body_text

    # Dispatch: the invoice snapshots the PO number; HTML and PDF show both.
    for status in (OrderStatus.ACCEPTED, OrderStatus.PROCESSING, OrderStatus.SHIPPED):
        order = order_transition(order=order, to_status=status, by=clerk, tracking_reference="T1")
    invoice = Invoice.objects.get(order=order)
    assert invoice.buyer_reference == "PO/2026/ACME-0042"
    invoice_mail = OutboundMessage.objects.get(channel="email", template="invoice")
    assert "Your PO number: PO/2026/ACME-0042" in invoice_mail.body_text
    args = [invoice.seller_slug, invoice.number]
    html = client.get(reverse("invoicing:detail", args=args)).content.decode()
    assert 'id="invoice-po-number">PO/2026/ACME-0042<' in html
    pdf = client.get(reverse("invoicing:pdf", args=args))
    text = pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert re.search(r"PO no\.\s+PO/2026/ACME-0042", text), text
    assert re.search(rf"Deliver on\s+{wanted.day} {wanted:%b %Y}", text), text

    # The spreadsheets.
    row = dict(zip(*(lambda d: (d.headers, d[0]))(OrderLineResource().export()), strict=True))
    assert row["po_number"] == "PO/2026/ACME-0042"
    assert row["requested_delivery_date"] == wanted.isoformat()
    row = dict(zip(*(lambda d: (d.headers, d[0]))(InvoiceResource().export()), strict=True))
    assert row["po_number"] == "PO/2026/ACME-0042"

    # The distributor's list shows them and finds the order by the PO number.
    client.force_login(clerk)
    listing = client.get(reverse("distributor:orders"), {"q": "acme-0042"}).content.decode()
    assert order.number in listing and "PO/2026/ACME-0042" in listing
    assert f"{wanted:%a} {wanted.day} {wanted:%b}" in listing


@pytest.mark.parametrize("case", ["closed_weekday", "holiday", "too_early", "too_far"])
def test_a_date_the_distributor_cannot_deliver_is_a_form_error_and_a_400(client, store, case):
    calendar = WorkingCalendar.objects.create(distributor=store)
    earliest = earliest_delivery_date(store)
    later = earliest + datetime.timedelta(days=10)
    day = {
        "closed_weekday": next_closed_day(earliest),
        "holiday": later,
        "too_early": earliest - datetime.timedelta(days=1),
        "too_far": datetime.date.today() + datetime.timedelta(days=400),
    }[case]
    if case == "holiday":
        if later.weekday() == 6:
            later += datetime.timedelta(days=1)
            day = later
        Holiday.objects.create(calendar=calendar, date=later, name="Diwali")
    customer = CustomerFactory()
    product = stocked_product(distributor=store, on_hand=5)
    client.force_login(customer)

    response = checkout(client, product, requested_delivery_date=day.isoformat())
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["requested_delivery_date"], errors
    message = errors["requested_delivery_date"][0]
    expected = {
        "closed_weekday": "is not a working day",
        "holiday": "is not a working day",
        "too_early": "the earliest delivery date is",
        "too_far": "at most 180 days",
    }[case]
    assert expected in message
    assert not Order.objects.exists()

    api = APIClient()
    api.force_authenticate(customer)
    answer = api.post(
        "/api/customer/orders",
        {
            "items": [{"product_id": product.pk, "quantity": 1}],
            "shipping_address": "1 Main St",
            "requested_delivery_date": day.isoformat(),
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert expected in str(answer.json()["errors"]["requested_delivery_date"])
    assert not Order.objects.exists()


def test_lead_days_default_to_the_setting_and_the_earliest_day_is_accepted(settings, client):
    settings.ORDER_DELIVERY_DAYS = 4
    store = DistributorFactory(is_default_store=True)  # no lead days of its own
    today = datetime.date(2026, 12, 4)  # a Friday
    # 4 business days Monday to Saturday: Sat 5, Mon 7, Tue 8, Wed 9.
    assert earliest_delivery_date(store, today=today) == datetime.date(2026, 12, 9)
    store.order_lead_days = 1
    assert earliest_delivery_date(store, today=today) == datetime.date(2026, 12, 5)

    store.order_lead_days = 2
    store.save()
    order = place_order(distributor=store, requested_delivery_date=earliest_delivery_date(store))
    assert order.requested_delivery_date == earliest_delivery_date(store)


def test_the_po_number_is_bounded_and_shown_through_the_api(store):
    customer = CustomerFactory()
    product = stocked_product(distributor=store, on_hand=5)
    api = APIClient()
    api.force_authenticate(customer)
    body = {"items": [{"product_id": product.pk, "quantity": 1}], "shipping_address": "1 Main St"}

    too_long = api.post(
        "/api/customer/orders", {**body, "buyer_reference": "X" * 36}, format="json"
    )
    assert too_long.status_code == 400
    assert "buyer_reference" in too_long.json()["errors"]

    wanted = earliest_delivery_date(store)
    placed = api.post(
        "/api/customer/orders",
        {**body, "buyer_reference": "PO-7", "requested_delivery_date": wanted.isoformat()},
        format="json",
    )
    assert placed.status_code == 201, placed.content
    data = placed.json()
    assert (data["buyer_reference"], data["requested_delivery_date"]) == ("PO-7", str(wanted))
    read = api.get(f"/api/customer/orders/{data['id']}").json()
    assert (read["buyer_reference"], read["requested_delivery_date"]) == ("PO-7", str(wanted))

    clerk = DistributorUserFactory(organization=store)
    api.force_authenticate(clerk)
    listed = api.get("/api/distributor/orders").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert (rows[0]["buyer_reference"], rows[0]["requested_delivery_date"]) == ("PO-7", str(wanted))


def test_the_distributor_sorts_its_orders_by_requested_date_in_constant_queries(
    client, store, django_assert_max_num_queries
):
    clerk = DistributorUserFactory(organization=store)
    earliest = earliest_delivery_date(store)
    days = [earliest + datetime.timedelta(days=n) for n in (9, 2, 5)]
    days = [d + datetime.timedelta(days=1) if d.weekday() == 6 else d for d in days]
    placed = [place_order(distributor=store, requested_delivery_date=day) for day in days]
    without = place_order(distributor=store)
    client.force_login(clerk)
    url = reverse("distributor:orders")

    page = client.get(url, {"sort": "requested"}).content.decode()
    numbers = re.findall(r'href="/distributor/orders/(AM-[^/]+)/"', page)
    by_day = [o.number for o in sorted(placed, key=lambda o: o.requested_delivery_date)]
    assert numbers == [*by_day, without.number]  # soonest first, none last
    assert "?sort=requested" in client.get(url).content.decode()  # the column header links it

    with django_assert_max_num_queries(20) as few:
        client.get(url, {"sort": "requested"})
    for day in days:
        place_order(distributor=store, requested_delivery_date=day)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, {"sort": "requested"})
