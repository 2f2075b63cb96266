"""A fixed market whose report figures are worked out by hand in test_selectors.py.

Everything is written through the real services (orders, stock, procurement)
with the clock set to known moments (`at`), so created_at, sent_at,
responded_at, received_at and fulfilled_at are exact. Times are UTC (the
test settings' TIME_ZONE). Tax is 18 %.

Organizations: manufacturers Acme (Hammer, Drill) and Bolt (Rake);
distributors North Depot (region North) and South Depot (region South); a
retailer, Corner Shop; two private customers; a procurement staff member.

Categories: Tools > Hand tools; Garden.
Products (all reorder level 0, reorder quantity 10, so only running out opens
a request): Hammer HAM-1 10.00 (Hand tools), Drill DRL-1 99.99 (Tools),
Rake RAK-1 5.55 (Garden).

Stock assigned 2025-02-25 10:00: every product at each depot, Hammer 20,
Drill 10, Rake 50.

Orders (subtotal, 18 % tax half-up / total, then the last status):
  O7 2025-02-27 10:00 c1 @North Drill x1 99.99 18.00 / 117.99 delivered 03-01 10:00
  O1 2025-03-03 09:00 c1 @North Hammer x2, Drill x1 119.99 21.60 / 141.59 delivered 03-05 09:00
  O2 2025-03-03 15:00 shop @North Hammer x18 180.00 32.40 / 212.40 delivered 03-06 15:00
     (Hammer at North reaches 0: automatic request PR1 for 10)
  O3 2025-03-10 10:00 c2 @South Rake x3, Drill x2 216.63 39.00 / 255.63 delivered 03-11 22:00
  O4 2025-03-10 11:00 c1 @South Hammer x1 10.00 1.80 / 11.80 cancelled 03-10 12:00
  O5 2025-03-12 08:00 shop @South Rake x4 22.20 4.00 / 26.20 rejected 03-12 09:00
  O6 2025-03-20 18:00 c2 @North Rake x10 55.50 10.00 / 65.50 shipped 03-21 10:00
  R1 2025-03-25 12:00 c1 @South Drill x50: refused (8 available, ship complete): no order,
     one demand line of 50 refused
  O8 2025-04-01 00:30 c1 @South Rake x1 5.55 1.00 / 6.55 placed

Since #12 an order's units are allocated at placement and leave the shelf (a
`shipment` movement) when it ships: on hand drops at each order's `shipped` time.

Procurement:
  PR1 auto 03-03 15:00 Hammer @North x10 -> approved 03-04 09:00 as PO-A (Acme, expected 03-07),
      sent 03-04 09:00, confirmed 03-04 15:00, received 03-07 12:00 (on time)
  PR2 by hand 03-05 09:00 Rake @South x20 -> approved 03-05 10:00 as PO-B (Bolt, expected 03-08),
      sent 03-05 10:00, confirmed 03-06 10:00, received 03-10 09:00 (late)
  PR3 by hand 03-15 10:00 Drill @South x5 -> approved 03-16 10:00 as PO-C, sent, never answered
  PR4 by hand 2025-04-02 09:00 Drill @North x5, left open
"""

import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

import pytest

from accounts.models import Organization
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.exceptions import InsufficientStock
from inventory.services import stock_assign
from orders.models import OrderStatus
from orders.services import order_place
from orders.transitions import order_transition
from procurement.models import ProcurementRequest
from procurement.services import (
    procurement_request_create,
    procurement_requests_approve,
    purchase_order_confirm,
    purchase_order_receive,
)
from procurement.tests.factories import procurement_staff

UTC = datetime.UTC


def moment(text: str) -> datetime.datetime:
    """'2025-03-03 09:00' as an aware UTC datetime."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


@contextmanager
def at(text: str):
    """Run the block with django.utils.timezone.now() fixed at `text` (UTC)."""
    with mock.patch("django.utils.timezone.now", return_value=moment(text)):
        yield


@dataclass
class Market:
    orgs: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    categories: dict = field(default_factory=dict)
    orders: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    pos: dict = field(default_factory=dict)


TO_DELIVERED = (
    OrderStatus.ACCEPTED,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)


def _place(customer, distributor, lines, when):
    with at(when):
        return order_place(
            customer=customer,
            distributor=distributor,
            items=[(product.pk, quantity) for product, quantity in lines],
            shipping_address="1 Test Street",
        )


def _walk(order, steps, by):
    """Move `order` through (status, when) steps."""
    for status, when in steps:
        with at(when):
            order = order_transition(order=order, to_status=status, by=by)
    return order


def _deliver(order, by, *whens):
    return _walk(order, zip(TO_DELIVERED, whens, strict=True), by)


def build_market(settings) -> Market:
    settings.INVOICE_TAX_RATE = Decimal("0.18")
    settings.PROCUREMENT_APPROVAL_LIMIT = None
    m = Market()
    acme_user = ManufacturerUserFactory(organization__name="Acme")
    bolt_user = ManufacturerUserFactory(organization__name="Bolt")
    north_user = DistributorUserFactory(
        organization__name="North Depot", organization__region="North"
    )
    south_user = DistributorUserFactory(
        organization__name="South Depot", organization__region="South"
    )
    shop_user = RetailerUserFactory(organization__name="Corner Shop")
    m.users.update(
        acme=acme_user,
        bolt=bolt_user,
        north=north_user,
        south=south_user,
        shop=shop_user,
        c1=CustomerFactory(),
        c2=CustomerFactory(),
        staff=procurement_staff(),
    )
    m.orgs.update(
        acme=acme_user.organization,
        bolt=bolt_user.organization,
        north=north_user.organization,
        south=south_user.organization,
        shop=shop_user.organization,
    )
    tools = CategoryFactory(name="Tools")
    m.categories.update(
        tools=tools,
        hand_tools=CategoryFactory(name="Hand tools", parent=tools),
        garden=CategoryFactory(name="Garden"),
    )
    common = {"reorder_level": 0, "reorder_quantity": 10, "lead_time_days": 3}
    m.products.update(
        hammer=ProductFactory(
            sku="HAM-1",
            name="Hammer",
            price=Decimal("10.00"),
            manufacturer=m.orgs["acme"],
            category=m.categories["hand_tools"],
            **common,
        ),
        drill=ProductFactory(
            sku="DRL-1",
            name="Drill",
            price=Decimal("99.99"),
            manufacturer=m.orgs["acme"],
            category=tools,
            **common,
        ),
        rake=ProductFactory(
            sku="RAK-1",
            name="Rake",
            price=Decimal("5.55"),
            manufacturer=m.orgs["bolt"],
            category=m.categories["garden"],
            **common,
        ),
    )
    hammer, drill, rake = (m.products[k] for k in ("hammer", "drill", "rake"))
    north, south = m.orgs["north"], m.orgs["south"]
    with at("2025-02-25 10:00"):
        for depot in (north, south):
            for product, quantity in ((hammer, 20), (drill, 10), (rake, 50)):
                stock_assign(product=product, distributor=depot, quantity=quantity)

    u = m.users
    o = m.orders
    o["O7"] = _place(u["c1"], north, [(drill, 1)], "2025-02-27 10:00")
    o["O7"] = _deliver(
        o["O7"], north_user, "2025-02-28 09:00", "2025-02-28 10:00", "2025-02-28 12:00",
        "2025-03-01 10:00",
    )  # fmt: skip
    o["O1"] = _place(u["c1"], north, [(hammer, 2), (drill, 1)], "2025-03-03 09:00")
    o["O2"] = _place(u["shop"], north, [(hammer, 18)], "2025-03-03 15:00")
    o["O1"] = _deliver(
        o["O1"], north_user, "2025-03-03 12:00", "2025-03-04 09:00", "2025-03-04 15:00",
        "2025-03-05 09:00",
    )  # fmt: skip
    o["O2"] = _deliver(
        o["O2"], north_user, "2025-03-04 09:00", "2025-03-05 09:00", "2025-03-05 12:00",
        "2025-03-06 15:00",
    )  # fmt: skip
    m.requests["PR1"] = ProcurementRequest.objects.get(product=hammer, distributor=north)

    staff = u["staff"]
    with at("2025-03-04 09:00"):
        (m.pos["A"],) = procurement_requests_approve(
            request_ids=[m.requests["PR1"].pk], by=staff, expected_date=datetime.date(2025, 3, 7)
        )
    with at("2025-03-04 15:00"):
        purchase_order_confirm(purchase_order=m.pos["A"], responded_by="Acme sales")
    with at("2025-03-05 09:00"):
        m.requests["PR2"] = procurement_request_create(
            product=rake, distributor=south, by=staff, quantity=20
        )
    with at("2025-03-05 10:00"):
        (m.pos["B"],) = procurement_requests_approve(
            request_ids=[m.requests["PR2"].pk], by=staff, expected_date=datetime.date(2025, 3, 8)
        )
    with at("2025-03-06 10:00"):
        purchase_order_confirm(purchase_order=m.pos["B"], responded_by="Bolt sales")
    with at("2025-03-07 12:00"):
        purchase_order_receive(purchase_order=m.pos["A"], lines=[(hammer.pk, 10)], by=staff)

    # The ledger's rows are written in time order, as they would be for real.
    with at("2025-03-10 09:00"):
        purchase_order_receive(purchase_order=m.pos["B"], lines=[(rake.pk, 20)], by=staff)
    o["O3"] = _place(u["c2"], south, [(rake, 3), (drill, 2)], "2025-03-10 10:00")
    o["O4"] = _place(u["c1"], south, [(hammer, 1)], "2025-03-10 11:00")
    o["O4"] = _walk(o["O4"], [(OrderStatus.CANCELLED, "2025-03-10 12:00")], u["c1"])
    o["O3"] = _deliver(
        o["O3"], south_user, "2025-03-10 12:00", "2025-03-10 15:00", "2025-03-11 08:00",
        "2025-03-11 22:00",
    )  # fmt: skip
    o["O5"] = _place(u["shop"], south, [(rake, 4)], "2025-03-12 08:00")
    o["O5"] = _walk(o["O5"], [(OrderStatus.REJECTED, "2025-03-12 09:00")], south_user)
    with at("2025-03-15 10:00"):
        m.requests["PR3"] = procurement_request_create(
            product=drill, distributor=south, by=staff, quantity=5
        )
    with at("2025-03-16 10:00"):
        (m.pos["C"],) = procurement_requests_approve(
            request_ids=[m.requests["PR3"].pk], by=staff, expected_date=datetime.date(2025, 3, 20)
        )
    o["O6"] = _place(u["c2"], north, [(rake, 10)], "2025-03-20 18:00")
    o["O6"] = _walk(
        o["O6"],
        [
            (OrderStatus.ACCEPTED, "2025-03-21 08:00"),
            (OrderStatus.PROCESSING, "2025-03-21 09:00"),
            (OrderStatus.SHIPPED, "2025-03-21 10:00"),
        ],
        north_user,
    )
    with pytest.raises(InsufficientStock):
        _place(u["c1"], south, [(drill, 50)], "2025-03-25 12:00")  # R1: refused, recorded
    o["O8"] = _place(u["c1"], south, [(rake, 1)], "2025-04-01 00:30")
    with at("2025-04-02 09:00"):
        m.requests["PR4"] = procurement_request_create(
            product=drill, distributor=north, by=staff, quantity=5
        )
    return m


def add_orders(m: Market, count: int, *, distributor_key: str = "north") -> None:
    """`count` more sold orders in March (one Rake each, then delivered) for query counting."""
    distributor = m.orgs[distributor_key]
    rake = m.products["rake"]
    with at("2025-02-26 10:00"):
        stock_assign(product=rake, distributor=distributor, quantity=count)
    for i in range(count):
        customer = CustomerFactory()
        order = _place(customer, distributor, [(rake, 1)], f"2025-03-{1 + i % 28:02d} 07:00")
        _deliver(
            order,
            None,
            f"2025-03-{1 + i % 28:02d} 08:00",
            f"2025-03-{1 + i % 28:02d} 09:00",
            f"2025-03-{1 + i % 28:02d} 10:00",
            f"2025-03-{1 + i % 28:02d} 11:00",
        )


def other_distributor(name: str = "Far Depot", region: str = "East") -> Organization:
    return OrganizationFactory(name=name, kind=Organization.Kind.DISTRIBUTOR, region=region)
