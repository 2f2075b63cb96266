"""Procurement's admin lists for approvers and receivers: they fit 1280 px, read money and
dates as the site does, pre-fill "receive all outstanding", and cost the same queries for
any number of rows."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client

from accounts.models import Organization
from accounts.tests.factories import DEFAULT_PASSWORD, ManufacturerUserFactory
from auromart.formatting import date_display, datetime_display, money_display
from catalog.models import Product
from inventory.tests.factories import DistributorFactory
from procurement import services
from procurement.models import ProcurementRequest, PurchaseOrder

from .factories import procurement_staff
from .test_api import low_item

LONG_DISTRIBUTOR = "AuroMart Central Distribution Bengaluru North"
REQUESTS = "/admin/procurement/procurementrequest/"
ORDERS = "/admin/procurement/purchaseorder/"


class Table(HTMLParser):
    """The header texts and each body row's cell texts of the first results table."""

    def __init__(self, table_id=None):
        super().__init__()
        self.table_id = table_id
        self.inside = table_id is None
        self.headers, self.rows = [], []
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            (self.rows if self.headers else self.headers).extend(
                [self._row] if self.headers else self._row
            )
            self._row = None
        elif tag == "table":
            self.inside = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def row_of(self, text) -> dict[str, str]:
        row = next(row for row in self.rows if any(text in cell for cell in row))
        return dict(zip(self.headers, row, strict=False))


def table(html: str, table_id=None) -> Table:
    parsed = Table(table_id)
    parsed.feed(html)
    return parsed


def _orders(count: int, staff):
    """`count` requests with long names and big amounts, approved into `count` POs."""
    distributor = Organization.objects.filter(name=LONG_DISTRIBUTOR).first() or DistributorFactory(
        name=LONG_DISTRIBUTOR
    )
    requests = [
        low_item(
            distributor,
            name=f"Dreamweave Gel Memory Foam Orthopaedic Mattress, king size {i}",
            cost_price=Decimal("987654.00"),
        )
        for i in range(count)
    ]
    for product in Product.objects.select_related("manufacturer"):
        maker = product.manufacturer
        maker.name = f"Brahmaputra Valley Tea Estates and Exports Pvt Ltd {maker.pk}"
        maker.save(update_fields=["name"])
    services.procurement_requests_approve(request_ids=[r.pk for r in requests], by=staff)
    return requests


@pytest.mark.django_db
def test_the_admins_money_and_dates_read_as_the_sites(client):
    staff = procurement_staff()
    _orders(1, staff)
    po = PurchaseOrder.objects.select_related("supplier").get()
    request = ProcurementRequest.objects.get()
    client.force_login(staff)

    admin_po = table(client.get(ORDERS).content.decode(), "result_list").row_of(po.number)
    requests_html = client.get(REQUESTS).content.decode()
    admin_request = table(requests_html, "result_list").row_of(request.number)
    # The supplier's member reads the same purchase order on the site.
    site = Client()
    site.force_login(ManufacturerUserFactory(organization=po.supplier))
    site_po = table(site.get("/procurement/purchase-orders/").content.decode()).row_of(po.number)

    assert admin_po["Total"] == site_po["Total"] == money_display(po.total)
    assert admin_po["Total"].startswith("₹") and "," in admin_po["Total"]
    assert admin_po["Expected"] == site_po["Deliver by"] == date_display(po.expected_date)
    assert admin_po["Sent"] == site_po["Issued"] == date_display(po.sent_at)
    assert admin_po["Supplier / for"] == f"{po.supplier.name} {LONG_DISTRIBUTOR}"
    total = money_display(request.quantity * request.unit_cost)
    assert admin_request["Cost"] == f"{total} @ {money_display(request.unit_cost)}"
    assert money_display(request.unit_cost) == "₹9,87,654.00"
    assert admin_request["Created"] == date_display(request.created_at)
    assert admin_request["Supplier / for"].startswith("Brahmaputra Valley")
    assert admin_request["Qty"] == f"{request.quantity} avail. {request.available}"
    assert admin_request["Status"] == f"Approved {po.number}"
    # The whole date and time, as the site writes it, in the tooltip.
    assert f'title="{datetime_display(request.created_at)}"' in requests_html


@pytest.mark.django_db
def test_the_lists_cost_the_same_queries_for_5_and_25_rows(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = procurement_staff()
    client = Client()
    client.force_login(staff)

    def measure():
        counts = []
        for url in (REQUESTS, ORDERS, "/admin/procurement/goodsreceipt/"):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    _orders(5, staff)
    few = measure()
    _orders(20, staff)
    assert ProcurementRequest.objects.count() == 25 and PurchaseOrder.objects.count() == 25
    assert measure() == few


@pytest.mark.django_db
def test_receive_all_outstanding_prefills_the_receipt(client):
    staff = procurement_staff()
    _orders(1, staff)
    po = PurchaseOrder.objects.get()
    line = po.lines.get()
    client.force_login(staff)
    url = f"/admin/procurement/purchaseorder/{po.pk}/receive/"

    change = client.get(f"{ORDERS}{po.pk}/change/").content.decode()
    assert f"{url}?all=outstanding" in change
    empty = client.get(url).context["form"]
    assert empty[f"line_{line.pk}"].value() is None
    full = client.get(url, {"all": "outstanding"})
    assert full.context["form"][f"line_{line.pk}"].value() == line.quantity == 30
    assert f'value="{line.quantity}"' in full.content.decode()
    # Staff book what the pre-filled form holds.
    client.post(f"{url}?all=outstanding", {f"line_{line.pk}": "30", "note": "DN-7"})
    po.refresh_from_db()
    assert po.status == "received"


@pytest.mark.django_db(transaction=True)
def test_both_lists_fit_1280_px_with_50_rows(watched_page, live_server):
    staff = procurement_staff()
    _orders(50, staff)
    page = watched_page.page
    page.goto(f"{live_server.url}/admin/login/?next={REQUESTS}")
    page.locator("#id_username").fill(staff.email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"**{REQUESTS}")
    for url, name in ((REQUESTS, "requests"), (ORDERS, "purchase-orders")):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}{url}")
        assert page.locator("#result_list tbody tr").count() == 50
        sizes = page.evaluate(
            """() => {
              const table = document.querySelector('#result_list');
              const box = table.closest('.results');
              const numbers = [...document.querySelectorAll('#result_list .am-nowrap')];
              return {
                page: document.documentElement.scrollWidth,
                table: table.getBoundingClientRect().right,
                box: box.getBoundingClientRect().right,
                boxScroll: box.scrollWidth - box.clientWidth,
                wrapped: numbers.filter(n => n.getClientRects().length > 1).length,
              };
            }"""
        )
        assert sizes["page"] <= 1280, (name, sizes)
        # Not hidden in a scrolling box either: the whole table shows.
        assert sizes["boxScroll"] == 0 and sizes["table"] <= sizes["box"] + 1, (name, sizes)
        assert sizes["wrapped"] == 0, (name, sizes)  # numbers and dates on one line
        watched_page.screenshot(f"admin-procurement-{name}-1280")
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{live_server.url}{url}")
        watched_page.screenshot(f"admin-procurement-{name}-390")
    watched_page.assert_clean()
