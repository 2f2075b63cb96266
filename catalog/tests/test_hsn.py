"""HSN codes and the GST rate in force on a day."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from catalog.hsn import hsn_rate_on, hsn_rates_on, validate_hsn_code
from catalog.models import HsnRate
from catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
D = Decimal
CHANGE = datetime.date(2025, 9, 22)


@pytest.fixture
def rates():
    HsnRate.objects.create(hsn_code="8516", rate=D("28"), effective_from=datetime.date(2017, 7, 1))
    HsnRate.objects.create(hsn_code="8516", rate=D("18"), effective_from=CHANGE)
    HsnRate.objects.create(hsn_code="7113", rate=D("3"), effective_from=datetime.date(2017, 7, 1))


@pytest.mark.parametrize(
    ("day", "rate"),
    [
        (datetime.date(2017, 6, 30), "0.18"),  # before any row: the default rate
        (datetime.date(2017, 7, 1), "0.28"),  # the first day of a rate counts
        (datetime.date(2025, 9, 21), "0.28"),  # the day before the change
        (CHANGE, "0.18"),  # the change's first day
        (datetime.date(2026, 12, 3), "0.18"),
    ],
)
def test_the_rate_in_force_on_a_day(rates, settings, day, rate):
    settings.INVOICE_TAX_RATE = D("0.18")
    assert hsn_rate_on(hsn_code="8516", on=day) == D(rate)


def test_codes_at_once_and_the_default_for_unknown_or_blank_codes(rates, settings):
    settings.INVOICE_TAX_RATE = D("0.18")
    assert hsn_rates_on(["8516", "7113", "9999"], CHANGE) == {
        "8516": D("0.18"),
        "7113": D("0.03"),
        "9999": D("0.18"),
    }
    assert hsn_rate_on(hsn_code="", on=CHANGE) == D("0.18")


def test_an_existing_product_without_a_code_keeps_todays_rate(settings):
    settings.INVOICE_TAX_RATE = D("0.18")
    product = ProductFactory()
    assert product.hsn_code == ""
    assert hsn_rate_on(hsn_code=product.hsn_code, on=datetime.date.today()) == D("0.18")


@pytest.mark.parametrize(
    ("code", "message"),
    [("85A6", "only digits"), ("851", "this one has 3"), ("8516000", "this one has 7")],
)
def test_a_bad_code_is_refused_with_the_reason(code, message):
    with pytest.raises(ValidationError) as caught:
        validate_hsn_code(code)
    assert message in caught.value.messages[0]
    product = ProductFactory.build(hsn_code=code)
    with pytest.raises(ValidationError) as caught:
        product.full_clean(exclude=["category", "manufacturer", "supplier", "slug", "sku"])
    assert "hsn_code" in caught.value.message_dict


def test_one_rate_per_code_and_day(rates):
    duplicate = HsnRate(hsn_code="8516", rate=D("5"), effective_from=CHANGE)
    with pytest.raises(ValidationError):
        duplicate.full_clean()


HEADERS = ["sku", "name", "category", "price", "manufacturer", "hsn_code"]


def test_the_products_spreadsheet_carries_the_hsn_code():
    import tablib

    from catalog.resources import ProductResource
    from catalog.tests.factories import CategoryFactory, ManufacturerFactory

    CategoryFactory(name="Home", slug="home")
    ManufacturerFactory(name="Auro Sleep")
    dataset = tablib.Dataset(
        headers=["sku", "name", "category", "price", "manufacturer", "hsn_code"]
    )
    dataset.append(["BED-1", "Bed", "home", "100", "Auro Sleep", "94X4"])
    result = ProductResource().import_data(dataset)
    assert [(e.row, e.column) for e in result.error_report] == [(2, "hsn_code")]

    dataset = tablib.Dataset(
        headers=["sku", "name", "category", "price", "manufacturer", "hsn_code"]
    )
    dataset.append(["BED-1", "Bed", "home", "100", "Auro Sleep", "9404"])
    result = ProductResource().import_data(dataset)
    assert not result.error_report
    from catalog.models import Product

    assert Product.objects.get(sku="BED-1").hsn_code == "9404"
    assert ProductResource().export().dict[0]["hsn_code"] == "9404"
