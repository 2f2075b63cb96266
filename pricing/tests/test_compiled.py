"""price_quotes' statement is compiled once per shape and run with each call's values
(auromart.compiled_sql): the rows are the ORM's, whoever buys, wherever, on whichever day."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Organization
from accounts.tests.factories import OrganizationFactory
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory
from pricing import selectors
from pricing.selectors import price_quotes

from .factories import BuyerGroupFactory, price_list

pytestmark = pytest.mark.django_db

D = Decimal
DAY = datetime.date(2026, 6, 15)


@pytest.fixture
def shapes():
    selectors._SHAPES.clear()
    yield selectors._SHAPES
    selectors._SHAPES.clear()


@pytest.fixture
def market():
    shop = OrganizationFactory(name="Lakeside", kind=Organization.Kind.RETAILER)
    other = OrganizationFactory(name="Metro", kind=Organization.Kind.RETAILER)
    gold = BuyerGroupFactory(name="Gold")
    gold.members.add(other)
    north, south = DistributorFactory(name="North"), DistributorFactory(name="South")
    products = [ProductFactory(price=D("100.00")) for _ in range(3)]
    price_list(name="shop", assign=shop, lines=[(p, 1, "90") for p in products])
    price_list(
        name="gold south",
        assign=gold,
        distributor=south,
        lines=[(products[0], 1, "80"), (products[0], 10, "10%")],
    )
    price_list(
        name="june",
        assign="everyone",
        valid_from=datetime.date(2026, 6, 1),
        valid_to=datetime.date(2026, 6, 30),
        lines=[(products[1], 1, "70")],
    )
    price_list(name="customers", assign="customers", lines=[(products[2], 1, "60")])
    return {"shop": shop, "other": other, "north": north, "south": south, "products": products}


def orm_rows(organization, distributor, on, products):
    return list(
        selectors._rows_queryset(
            organization_id=organization.pk if organization else None,
            distributor_id=distributor.pk if distributor else None,
            on=on,
            product_ids=[p.pk for p in products],
        )
    )


CALLS = [
    ("shop", "north", DAY),
    ("other", "south", DAY),
    ("other", "north", DAY),
    ("shop", "south", datetime.date(2026, 7, 1)),
    (None, "north", DAY),
    (None, "south", datetime.date(2026, 5, 31)),
    ("other", None, DAY),
]


def test_one_compilation_per_shape_and_the_orm_rows_for_every_call(market, shapes):
    products = market["products"]
    for buyer, seller, on in CALLS:
        organization = market[buyer] if buyer else None
        distributor = market[seller] if seller else None
        rows = selectors._rows(
            organization_id=organization.pk if organization else None,
            distributor_id=distributor.pk if distributor else None,
            on=on,
            product_ids=[p.pk for p in products],
        )
        assert rows == orm_rows(organization, distributor, on, products), (buyer, seller, on)
    # Shapes: organization or not x distributor or not (3 products each time).
    assert shapes.compilations == 3


def test_quotes_follow_the_call_not_the_first_compilation(market, shapes):
    first, second, third = market["products"]

    def unit(buyer, seller, product, on=DAY, quantity=1):
        return price_quotes(
            organization=market[buyer] if buyer else None,
            distributor=market[seller],
            products=[product],
            quantities={product.pk: quantity},
            on=on,
        )[product.pk].unit_price

    assert unit("shop", "north", first) == D("90.00")
    assert unit("other", "south", first) == D("80.00")
    assert unit("other", "south", first, quantity=10) == D("90.00")  # 10 % off the list price
    assert unit("other", "north", first) == D("100.00")
    assert unit("other", "north", second) == D("70.00")
    assert unit("other", "north", second, on=datetime.date(2026, 7, 1)) == D("100.00")
    assert unit(None, "north", third) == D("60.00")
    assert unit("shop", "north", third) == D("90.00")
    assert shapes.compilations == 2  # one product, with and without an organization


def test_the_same_product_twice_is_one_parameter(market, shapes):
    product = market["products"][0]
    quotes = price_quotes(
        organization=market["shop"], distributor=market["north"], products=[product, product]
    )
    assert quotes[product.pk].unit_price == D("90.00")


def test_a_shape_whose_values_cannot_be_placed_runs_through_the_orm(market, shapes, monkeypatch):
    from auromart import compiled_sql as compiled

    monkeypatch.setattr(compiled.Shapes, "_compile", staticmethod(lambda *args: None))
    product = market["products"][0]
    quotes = price_quotes(
        organization=market["shop"], distributor=market["north"], products=[product]
    )
    assert quotes[product.pk].unit_price == D("90.00")
    assert shapes.compilations == 1
