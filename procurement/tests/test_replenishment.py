"""The replenishment screen (staff and distributor), its bulk actions, export and API, and
the distributor's inventory page showing what is on order."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organization
from accounts.tests.factories import DistributorUserFactory
from catalog.models import Category, Product, SupplierLine
from catalog.tests.factories import ManufacturerFactory, ProductFactory
from inventory.models import StockItem
from inventory.tests.factories import DistributorFactory, StockItemFactory
from procurement import services
from procurement.models import (
    ItemReplenishment,
    NotOrderedReason,
    POStatus,
    ProcurementRequest,
    PurchaseOrder,
    RequestStatus,
)
from procurement.monitoring import item_evaluate
from procurement.replenishment_actions import MAX_SNOOZE_DAYS

from .factories import procurement_staff

pytestmark = pytest.mark.django_db

URL = "/procurement/replenishment/"
DIST_URL = "/distributor/replenishment/"
API = "/api/admin/procurement/replenishment"
DIST_API = "/api/distributor/replenishment"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    """One maker, two distributors; items low, fine, low without a cost, low with a PO."""
    maker = ManufacturerFactory(name="Maker")
    north = DistributorFactory(name="North")
    south = DistributorFactory(name="South")
    low = ProductFactory(name="Low soap", manufacturer=maker, reorder_level=10, reorder_quantity=20)
    fine = ProductFactory(name="Fine soap", manufacturer=maker, reorder_level=10)
    nocost = ProductFactory(name="Uncosted soap", manufacturer=maker, cost_price=None)
    ordered = ProductFactory(name="Ordered soap", manufacturer=maker, reorder_level=10)
    for product in (low, fine, ordered):
        SupplierLine.objects.create(
            product=product, supplier=maker, unit_cost=Decimal("70.00"), pack_size=6
        )
    SupplierLine.objects.create(product=nocost, supplier=maker, unit_cost=None)
    items = {
        "low": StockItemFactory(product=low, distributor=north, on_hand=50),
        "fine": StockItemFactory(product=fine, distributor=north, on_hand=50),
        "nocost": StockItemFactory(product=nocost, distributor=north, on_hand=2),
        "ordered": StockItemFactory(product=ordered, distributor=north, on_hand=3),
        "south_low": StockItemFactory(product=low, distributor=south, on_hand=50),
    }
    # Two items gone low without an evaluation (what the sweep is for): nothing open yet.
    StockItem.objects.filter(pk=items["low"].pk).update(on_hand=4)
    StockItem.objects.filter(pk=items["south_low"].pk).update(on_hand=1)
    staff = procurement_staff()
    # `ordered` went low when stocked: its request is approved, the PO sent (incoming).
    request = ProcurementRequest.objects.get(product=ordered, status=RequestStatus.OPEN)
    po = services.procurement_request_approve(request=request, by=staff)
    return {"maker": maker, "north": north, "south": south, "staff": staff, "po": po, **items}


def test_staff_see_every_low_item_with_its_figures(world):
    page = login(world["staff"]).get(URL)
    assert page.status_code == 200
    rows = {row.item.pk: row for row in page.context["rows"]}
    # The fine item is above its reorder point; every low one is listed, both distributors.
    assert set(rows) == {world[k].pk for k in ("low", "nocost", "ordered", "south_low")}
    low = rows[world["low"].pk]
    assert (low.item.on_hand, low.incoming, low.position) == (4, 0, 4)
    assert (low.policy.reorder_point, low.policy.name) == (10, "fixed")
    # max(reorder quantity 20, ...) in packs of 6 = 24, from the maker at its cost.
    assert low.suggested == 24 and low.supplier == world["maker"]
    assert low.unit_cost == Decimal("70.00") and not low.orders and not low.reason
    ordered = rows[world["ordered"].pk]
    assert ordered.incoming == world["po"].lines.get().quantity
    assert [o.po_number for o in ordered.orders] == [world["po"].number]
    assert rows[world["nocost"].pk].reason == NotOrderedReason.NEEDS_SUPPLIER_COST
    body = page.content.decode()
    assert world["po"].number in body and "Needs a supplier cost" in body


def test_a_dynamic_item_is_listed_by_its_nightly_reorder_point(world):
    # "fine" (50 on hand, typed level 10) is above its typed level but below its
    # dynamic figure: the screen lists it with the dynamic figures, and an item
    # whose dynamic figure is under its stock drops out although its typed level is not.
    from procurement.models import ReplenishmentPolicy

    ReplenishmentPolicy.objects.create(
        stock_item=world["fine"], policy="dynamic", reorder_point=60, order_up_to_level=90
    )
    ReplenishmentPolicy.objects.create(
        stock_item=world["low"], policy="dynamic", reorder_point=2, order_up_to_level=8
    )
    rows = {row.item.pk: row for row in login(world["staff"]).get(URL).context["rows"]}
    assert world["low"].pk not in rows
    fine = rows[world["fine"].pk]
    assert (fine.policy.reorder_point, fine.policy.order_up_to, fine.policy.name) == (
        60,
        90,
        "dynamic",
    )


def test_filters_narrow_the_rows(world):
    client = login(world["staff"])

    def pks(**query):
        return {row.item.pk for row in client.get(URL, query).context["rows"]}

    assert pks(distributor=world["south"].pk) == {world["south_low"].pk}
    assert pks(reason="needs_supplier_cost") == {world["nocost"].pk}
    assert pks(reason="any") == {world["nocost"].pk}
    assert pks(q="ordered") == {world["ordered"].pk}
    other = ManufacturerFactory()
    assert pks(supplier=world["maker"].pk) == {
        world[k].pk for k in ("low", "nocost", "ordered", "south_low")
    }
    SupplierLine.objects.create(product=world["low"].product, supplier=other, unit_cost=1)
    assert pks(supplier=other.pk) == {world["low"].pk, world["south_low"].pk}


def test_a_distributor_sees_only_its_own_items_and_not_the_staff_page(world):
    user = DistributorUserFactory(organization=world["south"])
    client = login(user)
    assert client.get(URL).status_code == 403
    page = client.get(DIST_URL)
    assert [row.item.pk for row in page.context["rows"]] == [world["south_low"].pk]
    assert "distributor" not in page.context["filters"].fields
    # Ticking another distributor's item is refused, naming it, and nothing is written.
    answer = client.post(DIST_URL, {"action": "order", "items": [world["low"].pk]})
    assert answer.status_code == 400
    assert f"No such stock item: {world['low'].pk}" in answer.content.decode()
    assert not ProcurementRequest.objects.filter(
        distributor=world["north"], product=world["low"].product
    ).exists()


def test_order_now_by_staff_opens_and_approves(world):
    client = login(world["staff"])
    answer = client.post(
        URL, {"action": "order", "items": [world["low"].pk, world["south_low"].pk]}
    )
    assert answer.status_code == 302
    requests = ProcurementRequest.objects.filter(product=world["low"].product)
    assert requests.count() == 2
    assert set(requests.values_list("status", flat=True)) == {RequestStatus.APPROVED}
    assert PurchaseOrder.objects.filter(status=POStatus.SENT).count() == 3  # one was there


def test_order_now_above_the_approval_limit_waits_for_a_second_approver(world, settings):
    settings.PROCUREMENT_APPROVAL_LIMIT = 100
    client = login(world["staff"])
    answer = client.post(URL, {"action": "order", "items": [world["low"].pk]}, follow=True)
    po = PurchaseOrder.objects.get(lines__product=world["low"].product)
    assert po.status == POStatus.AWAITING_APPROVAL
    assert f"{po.number} (awaits a second approver)" in answer.content.decode()


def test_order_now_by_a_distributor_only_opens_requests(world):
    client = login(DistributorUserFactory(organization=world["south"]))
    assert (
        client.post(DIST_URL, {"action": "order", "items": [world["south_low"].pk]}).status_code
        == 302
    )
    request = ProcurementRequest.objects.get(
        product=world["low"].product, distributor=world["south"]
    )
    assert request.status == RequestStatus.OPEN and request.quantity == 24


def test_order_now_is_all_or_nothing_and_names_the_item_that_cannot_be_ordered(world):
    client = login(world["staff"])
    answer = client.post(URL, {"action": "order", "items": [world["low"].pk, world["nocost"].pk]})
    assert answer.status_code == 400
    assert "Needs a supplier cost" in answer.content.decode()
    assert not ProcurementRequest.objects.filter(product=world["low"].product).exists()


def test_snooze_is_bounded_and_keeps_the_item_from_being_ordered(world):
    client = login(world["staff"])
    today = timezone.localdate()
    for until, message in [
        (today, "after today"),
        (today + datetime.timedelta(days=MAX_SNOOZE_DAYS + 1), f"at most {MAX_SNOOZE_DAYS} days"),
    ]:
        answer = client.post(URL, {"action": "snooze", "until": until, "items": [world["low"].pk]})
        assert answer.status_code == 400 and message in answer.content.decode()
    answer = client.post(URL, {"action": "snooze", "items": [world["low"].pk]})
    assert answer.status_code == 400 and "Give the date" in answer.content.decode()
    assert not ItemReplenishment.objects.filter(product=world["low"].product).exists()

    until = today + datetime.timedelta(days=30)
    assert (
        client.post(
            URL, {"action": "snooze", "until": until, "items": [world["low"].pk]}
        ).status_code
        == 302
    )
    state = ItemReplenishment.objects.get(product=world["low"].product, distributor=world["north"])
    assert state.snoozed_until == until and state.reason == NotOrderedReason.SNOOZED
    assert (
        item_evaluate(product_id=world["low"].product_id, distributor_id=world["north"].pk) is None
    )
    # Lifting it re-evaluates the item at once: its request opens.
    assert client.post(URL, {"action": "unsnooze", "items": [world["low"].pk]}).status_code == 302
    assert ProcurementRequest.objects.filter(
        product=world["low"].product, distributor=world["north"], status=RequestStatus.OPEN
    ).exists()


def test_export_csv_and_xlsx_carry_the_rows(world):
    client = login(world["staff"])
    answer = client.get(URL, {"export": "csv", "reason": "any"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert [r["sku"] for r in rows] == [world["nocost"].product.sku]
    assert rows[0]["reason"] == "Needs a supplier cost" and rows[0]["policy"] == "fixed"
    xlsx = client.get(URL, {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(URL, {"export": "pdf"}).status_code == 400


def test_api_lists_filters_and_acts(world):
    client = login(world["staff"])
    answer = client.get(API, {"reason": "needs_supplier_cost"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == 1 and body["results"][0]["stock_item_id"] == world["nocost"].pk
    assert body["results"][0]["reason"] == "needs_supplier_cost"
    bad = client.get(API, {"reason": "bored", "page_size": 1000})
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"reason", "page_size"}
    assert client.get(API, {"page": 99}).status_code == 404
    ordered = client.post(
        API + "/order-now", {"items": [world["low"].pk]}, content_type="application/json"
    )
    assert ordered.status_code == 200 and len(ordered.json()["purchase_orders"]) == 1
    snooze = client.post(
        API + "/snooze",
        {"items": [world["south_low"].pk], "until": "2000-01-01"},
        content_type="application/json",
    )
    assert snooze.status_code == 400 and "until" in snooze.json()["errors"]
    empty = client.post(
        API + "/snooze", {"items": [], "until": None}, content_type="application/json"
    )
    assert empty.status_code == 400 and "items" in empty.json()["errors"]


def test_api_for_a_distributor_is_scoped_and_staff_only_endpoint_refuses_it(world):
    client = login(DistributorUserFactory(organization=world["south"]))
    assert client.get(API).status_code == 403
    body = client.get(DIST_API).json()
    assert [r["stock_item_id"] for r in body["results"]] == [world["south_low"].pk]
    other = client.post(
        DIST_API + "/order-now", {"items": [world["low"].pk]}, content_type="application/json"
    )
    assert other.status_code == 400
    mine = client.post(
        DIST_API + "/order-now", {"items": [world["south_low"].pk]}, content_type="application/json"
    )
    assert mine.status_code == 200 and mine.json()["purchase_orders"] == []
    assert Client().get(DIST_API).status_code in (401, 403)


def _bulk_world(n: int, distributor: Organization, maker: Organization, category: Category) -> None:
    start = Product.objects.count()
    products = Product.objects.bulk_create(
        [
            Product(
                sku=f"BULK-{start + i:06d}",
                name=f"Bulk {start + i:06d}",
                slug=f"bulk-{start + i:06d}",
                category=category,
                price=Decimal("10.00"),
                cost_price=Decimal("7.00"),
                manufacturer=maker,
                supplier=maker,
                reorder_level=10,
            )
            for i in range(n)
        ]
    )
    SupplierLine.objects.bulk_create(
        [SupplierLine(product=p, supplier=maker, unit_cost=Decimal("7.00")) for p in products]
    )
    StockItem.objects.bulk_create(
        [StockItem(product=p, distributor=distributor, on_hand=0) for p in products]
    )


@pytest.mark.parametrize("path", [URL, API + "?page_size=100"])
def test_screen_and_api_run_a_constant_number_of_queries(path, django_assert_max_num_queries):
    maker = ManufacturerFactory()
    distributors = [DistributorFactory(), DistributorFactory()]
    category = Category.objects.create(name="Bulk", slug="bulk")
    client = login(procurement_staff())
    _bulk_world(5, distributors[0], maker, category)
    _bulk_world(5, distributors[1], maker, category)
    with django_assert_max_num_queries(40) as small:
        assert client.get(path).status_code == 200
    baseline = len(small.captured_queries)
    _bulk_world(495, distributors[0], maker, category)
    _bulk_world(495, distributors[1], maker, category)
    assert StockItem.objects.count() == 1000
    with django_assert_max_num_queries(baseline):
        assert client.get(path).status_code == 200


def test_inventory_page_shows_on_order_and_request_open_without_a_query_per_row(
    world, django_assert_max_num_queries
):
    client = login(DistributorUserFactory(organization=world["north"]))
    services.procurement_request_create(
        product=world["low"].product, distributor=world["north"], by=world["staff"]
    )
    page = client.get("/distributor/inventory/")
    items = {item.pk: item for item, _form in page.context["rows"]}
    ordered = items[world["ordered"].pk]
    assert ordered.on_order == world["po"].lines.get().quantity and ordered.open_request is None
    assert items[world["low"].pk].open_request.status == RequestStatus.OPEN
    assert "Request open" in page.content.decode()
    with django_assert_max_num_queries(40) as few:
        client.get("/distributor/inventory/")
    baseline = len(few.captured_queries)
    maker = world["maker"]
    for i in range(20):
        product = ProductFactory(manufacturer=maker, name=f"More {i}")
        StockItemFactory(product=product, distributor=world["north"], on_hand=1)
        # Stocked below its reorder level: its request opened at once.
        request = ProcurementRequest.objects.get(product=product, status=RequestStatus.OPEN)
        if i % 2:
            services.procurement_request_approve(request=request, by=world["staff"])
    with django_assert_max_num_queries(baseline):
        client.get("/distributor/inventory/")


def test_api_filters_match_the_page(world):
    client = login(world["staff"])

    def ids(**query):
        return {r["stock_item_id"] for r in client.get(API, query).json()["results"]}

    assert ids(distributor=world["south"].pk) == {world["south_low"].pk}
    assert ids(q="ordered") == {world["ordered"].pk}
    other = ManufacturerFactory()
    SupplierLine.objects.create(product=world["low"].product, supplier=other, unit_cost=1)
    assert ids(supplier=other.pk) == {world["low"].pk, world["south_low"].pk}
    row = next(
        r for r in client.get(API).json()["results"] if r["stock_item_id"] == world["low"].pk
    )
    assert row["policy"] == {"name": "fixed", "reorder_point": 10, "order_up_to": None}
    assert (row["position"], row["suggested_quantity"], row["unit_cost"]) == (4, 24, "70.00")
    # A distributor's `distributor` parameter cannot widen what it sees.
    mine = login(DistributorUserFactory(organization=world["south"]))
    body = mine.get(DIST_API, {"distributor": world["north"].pk}).json()
    assert [r["stock_item_id"] for r in body["results"]] == [world["south_low"].pk]
