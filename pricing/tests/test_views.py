"""A distributor's own price lists: create, change, lines from a spreadsheet, export."""

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Organization
from accounts.tests.factories import (
    DistributorUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from catalog.tests.factories import ProductFactory
from orders.tests.factories import place_order, stocked_product
from pricing.models import PriceList, PriceListAssignment
from pricing.selectors import price_quotes

from .factories import price_list

pytestmark = pytest.mark.django_db
LISTS = reverse("pricing:list")


@pytest.fixture
def dana():
    return DistributorUserFactory(organization__name="Western Wholesale")


@pytest.fixture
def as_dana(client, dana):
    client.force_login(dana)
    return client


def csv_file(*rows, name="lines.csv"):
    text = "price_list,sku,min_quantity,price,discount_percent\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile(name, text.encode())


def test_other_roles_are_refused(client):
    client.force_login(RetailerUserFactory())
    assert client.get(LISTS).status_code == 403
    client.logout()
    assert client.get(LISTS).status_code == 302  # to the login page


def test_a_distributor_creates_a_list_for_a_retailer_that_ordered(as_dana, dana):
    shop = OrganizationFactory(name="Lakeside", kind=Organization.Kind.RETAILER)
    kettle = stocked_product(distributor=dana.organization, price=Decimal("100"))
    place_order(
        customer=RetailerUserFactory(organization=shop),
        distributor=dana.organization,
        lines=[(kettle, 1)],
    )
    response = as_dana.post(
        LISTS,
        {
            "name": "Lakeside trade",
            "scope": "organization",
            "organization": shop.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    plist = PriceList.objects.get(name="Lakeside trade")
    assert plist.distributor == dana.organization
    assert list(plist.assignments.values_list("scope", "organization")) == [
        ("organization", shop.pk)
    ]

    # A name taken, an end before the start: errors on the form, nothing written.
    response = as_dana.post(
        LISTS,
        {
            "name": "lakeside TRADE",
            "scope": "everyone",
            "valid_from": "2026-05-02",
            "valid_to": "2026-05-01",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "already exists" in body
    assert PriceList.objects.count() == 1


def test_lines_upload_previews_then_imports_and_prices_the_distributors_sales(as_dana, dana):
    kettle = stocked_product(distributor=dana.organization, sku="KET-1", price=Decimal("100"))
    plist = price_list(name="Trade", assign="everyone", distributor=dana.organization)

    response = as_dana.post(
        LISTS, {"upload": "1", "import_file": csv_file("Trade,KET-1,,90,", "Trade,KET-1,10,,20")}
    )
    assert response.status_code == 200
    assert "1 new" not in response.content.decode()
    assert "2 new, 0 to update, 0 unchanged" in response.content.decode()
    assert not plist.items.exists()  # a preview writes nothing

    response = as_dana.post(LISTS, {"confirm": "1"}, follow=True)
    assert "2 new, 0 updated" in response.content.decode()
    quote = price_quotes(
        organization=None,
        distributor=dana.organization,
        products=[kettle],
        quantities={kettle.pk: 10},
    )[kettle.pk]
    assert (quote.unit_price, quote.break_quantity) == (Decimal("80.00"), 10)

    exported = as_dana.get(reverse("pricing:export")).content.decode()
    assert "Trade,KET-1" in exported


def test_a_file_naming_another_distributors_list_is_refused_row_by_row(as_dana, dana):
    ProductFactory(sku="KET-1")
    price_list(
        name="Theirs", assign="everyone", distributor=OrganizationFactory(kind="distributor")
    )
    response = as_dana.post(LISTS, {"upload": "1", "import_file": csv_file("Theirs,KET-1,,1,")})
    assert response.status_code == 400
    assert "Row 2, price_list: No price list “Theirs”." in response.content.decode()


def test_another_distributors_list_is_404(as_dana):
    other = price_list(name="Theirs", distributor=OrganizationFactory(kind="distributor"))
    assert as_dana.get(reverse("pricing:detail", args=[other.pk])).status_code == 404


def test_the_list_page_query_count_does_not_grow(as_dana, dana):
    def add(n):
        for i in range(n):
            plist = price_list(
                name=f"L{PriceList.objects.count()}-{i}", distributor=dana.organization
            )
            PriceListAssignment.objects.create(price_list=plist, scope="everyone")

    add(2)
    as_dana.get(LISTS)
    with CaptureQueriesContext(connection) as few:
        as_dana.get(LISTS)
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = as_dana.get(LISTS)
    assert len(re.findall(r'href="/distributor/price-lists/\d+/"', response.content.decode())) == 22
    assert len(few) == len(many)


def test_a_distributor_changes_its_list(as_dana, dana):
    plist = price_list(name="Trade", assign="everyone", distributor=dana.organization)
    url = reverse("pricing:detail", args=[plist.pk])
    assert as_dana.get(url).status_code == 200

    response = as_dana.post(
        url,
        {"name": "Trade 2026", "scope": "customers", "valid_to": "2026-12-31", "is_active": "on"},
    )
    assert response.status_code == 302
    plist.refresh_from_db()
    assert (plist.name, str(plist.valid_to)) == ("Trade 2026", "2026-12-31")
    assert list(plist.assignments.values_list("scope", flat=True)) == ["customers"]

    # One retailer, none chosen: a form error, nothing changed.
    response = as_dana.post(url, {"name": "Trade 2026", "scope": "organization"})
    assert response.status_code == 400
    assert "Choose the retailer the list is for." in response.content.decode()
    assert list(plist.assignments.values_list("scope", flat=True)) == ["customers"]
