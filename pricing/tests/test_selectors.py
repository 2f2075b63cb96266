"""Price resolution (pricing.selectors.price_quotes), as a table of cases."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Organization
from accounts.tests.factories import OrganizationFactory
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory
from pricing.selectors import price_quotes

from .factories import BuyerGroupFactory, price_list

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
D = Decimal


@pytest.fixture
def world():
    shop = OrganizationFactory(name="Lakeside", kind=Organization.Kind.RETAILER)
    other_shop = OrganizationFactory(name="Metro", kind=Organization.Kind.RETAILER)
    gold = BuyerGroupFactory(name="Gold")
    gold.members.add(shop)
    north = DistributorFactory(name="North")
    south = DistributorFactory(name="South")
    product = ProductFactory(price=D("100.00"))
    return {
        "shop": shop,
        "other_shop": other_shop,
        "gold": gold,
        "north": north,
        "south": south,
        "product": product,
    }


def quote(world, *, buyer="shop", distributor="north", quantity=1, on=TODAY):
    organization = world[buyer] if buyer else None
    return price_quotes(
        organization=organization,
        distributor=world[distributor],
        products=[world["product"]],
        quantities={world["product"].pk: quantity},
        on=on,
    )[world["product"].pk]


def setup_lists(world, case):
    p = world["product"]
    for spec in case:
        assign = spec.get("assign")
        assign = world[assign] if assign in ("shop", "other_shop", "gold") else assign
        base = spec.get("base")
        price_list(
            name=spec["name"],
            assign=assign,
            distributor=world[spec["distributor"]] if spec.get("distributor") else None,
            base=world.get(("list", base)) if base else None,
            valid_from=spec.get("valid_from"),
            valid_to=spec.get("valid_to"),
            lines=[(p, q, v) for q, v in spec["lines"]],
        )
        from pricing.models import PriceList

        world[("list", spec["name"])] = PriceList.objects.get(name=spec["name"])


# (id, lists, buyer, distributor, quantity, expected unit price, expected list name, break)
CASES = [
    ("no list: the list price", [], "shop", "north", 1, "100.00", "", None),
    (
        "organization beats group beats everyone",
        [
            {"name": "all", "assign": "everyone", "lines": [(1, "97")]},
            {"name": "gold", "assign": "gold", "lines": [(1, "95")]},
            {"name": "own", "assign": "shop", "lines": [(1, "90")]},
        ],
        "shop",
        "north",
        1,
        "90.00",
        "own",
        None,
    ),
    (
        "group beats everyone",
        [
            {"name": "all", "assign": "everyone", "lines": [(1, "97")]},
            {"name": "gold", "assign": "gold", "lines": [(1, "95")]},
        ],
        "shop",
        "north",
        1,
        "95.00",
        "gold",
        None,
    ),
    (
        "another organization's list does not apply",
        [{"name": "metro", "assign": "other_shop", "lines": [(1, "80")]}],
        "shop",
        "north",
        1,
        "100.00",
        "",
        None,
    ),
    (
        "a customer gets the customers' default, not a retailer's",
        [
            {"name": "retail", "assign": "shop", "lines": [(1, "80")]},
            {"name": "mrp", "assign": "customers", "lines": [(1, "99")]},
        ],
        None,
        "north",
        1,
        "99.00",
        "mrp",
        None,
    ),
    (
        "the customers' default is not a retailer's",
        [{"name": "mrp", "assign": "customers", "lines": [(1, "99")]}],
        "shop",
        "north",
        1,
        "100.00",
        "",
        None,
    ),
    (
        "an expired list is ignored",
        [
            {"name": "all", "assign": "everyone", "lines": [(1, "97")]},
            {
                "name": "old",
                "assign": "shop",
                "valid_to": datetime.date(2026, 6, 14),
                "lines": [(1, "50")],
            },
        ],
        "shop",
        "north",
        1,
        "97.00",
        "all",
        None,
    ),
    (
        "a list not yet valid is ignored; its last day counts",
        [
            {
                "name": "later",
                "assign": "shop",
                "valid_from": datetime.date(2026, 6, 16),
                "lines": [(1, "50")],
            },
            {
                "name": "ends today",
                "assign": "gold",
                "valid_to": TODAY,
                "lines": [(1, "93")],
            },
        ],
        "shop",
        "north",
        1,
        "93.00",
        "ends today",
        None,
    ),
    (
        "below the break: the line's price",
        [{"name": "b", "assign": "shop", "lines": [(1, "90"), (10, "85"), (50, "80")]}],
        "shop",
        "north",
        9,
        "90.00",
        "b",
        None,
    ),
    (
        "at the break's boundary quantity: the break",
        [{"name": "b", "assign": "shop", "lines": [(1, "90"), (10, "85"), (50, "80")]}],
        "shop",
        "north",
        10,
        "85.00",
        "b",
        10,
    ),
    (
        "the largest break reached",
        [{"name": "b", "assign": "shop", "lines": [(1, "90"), (10, "85"), (50, "80")]}],
        "shop",
        "north",
        50,
        "80.00",
        "b",
        50,
    ),
    (
        "a list with only a break: the list price below it",
        [{"name": "b", "assign": "shop", "lines": [(10, "85")]}],
        "shop",
        "north",
        3,
        "100.00",
        "b",
        None,
    ),
    (
        "a distributor's own list prices its sales",
        [
            {"name": "all", "assign": "everyone", "lines": [(1, "97")]},
            {
                "name": "north own",
                "assign": "everyone",
                "distributor": "north",
                "lines": [(1, "92")],
            },
        ],
        "shop",
        "north",
        1,
        "92.00",
        "north own",
        None,
    ),
    (
        "a distributor's own list does not price another distributor's sales",
        [{"name": "north own", "assign": "everyone", "distributor": "north", "lines": [(1, "92")]}],
        "shop",
        "south",
        1,
        "100.00",
        "",
        None,
    ),
    (
        "an organization's list beats a distributor's list for everyone",
        [
            {
                "name": "north own",
                "assign": "everyone",
                "distributor": "north",
                "lines": [(1, "92")],
            },
            {"name": "own", "assign": "shop", "lines": [(1, "94")]},
        ],
        "shop",
        "north",
        1,
        "94.00",
        "own",
        None,
    ),
    (
        "percentage off the list price",
        [{"name": "pct", "assign": "shop", "lines": [(1, "12.5%")]}],
        "shop",
        "north",
        1,
        "87.50",
        "pct",
        None,
    ),
    (
        "percentage off a base list, with the base's break at the same quantity",
        [
            {"name": "base", "lines": [(1, "80"), (10, "70")]},
            {"name": "pct", "assign": "shop", "base": "base", "lines": [(1, "10%")]},
        ],
        "shop",
        "north",
        10,
        "63.00",
        "pct",
        None,
    ),
    (
        "percentage break off a base list, rounded half-up",
        [
            {"name": "base", "lines": [(1, "33.33")]},
            {"name": "pct", "assign": "shop", "base": "base", "lines": [(1, "10%"), (5, "15%")]},
        ],
        "shop",
        "north",
        5,
        "28.33",  # 33.33 x 0.85 = 28.3305
        "pct",
        5,
    ),
    (
        "a list without a line for the product does not hide a wider one",
        [
            {"name": "all", "assign": "everyone", "lines": [(1, "97")]},
            {"name": "own", "assign": "shop", "lines": []},
        ],
        "shop",
        "north",
        1,
        "97.00",
        "all",
        None,
    ),
]


@pytest.mark.parametrize(
    ("lists", "buyer", "distributor", "quantity", "unit", "name", "applied"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_price_resolution(world, lists, buyer, distributor, quantity, unit, name, applied):
    setup_lists(world, lists)

    result = quote(world, buyer=buyer, distributor=distributor, quantity=quantity)

    assert result.unit_price == D(unit)
    assert result.price_list_name == name
    assert result.break_quantity == applied
    assert result.list_price == D("100.00")


def test_breaks_are_quoted_for_the_page(world):
    setup_lists(world, [{"name": "b", "assign": "shop", "lines": [(1, "90"), (10, "10%")]}])

    result = quote(world)

    assert result.discounted
    assert [(b.min_quantity, b.unit_price) for b in result.breaks] == [(10, D("90.00"))]


def test_an_inactive_list_is_ignored(world):
    plist = price_list(name="off", assign=world["shop"], lines=[(world["product"], 1, "50")])
    plist.is_active = False
    plist.save()

    assert quote(world).unit_price == D("100.00")


def test_one_query_whatever_the_number_of_lists(world, django_assert_num_queries):
    products = [ProductFactory() for _ in range(5)]
    for n in range(20):
        price_list(name=f"l{n}", assign=world["shop"], lines=[(p, 1, "50") for p in products])

    with django_assert_num_queries(1):
        quotes = price_quotes(
            organization=world["shop"], distributor=world["north"], products=products
        )
    assert {q.price_list_name for q in quotes.values()} == {"l19"}  # the newest wins a tie
