"""The one formatting module: Indian digit grouping as Babel's en_IN gives it, dates as on the site."""

import datetime
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from auromart.formatting import (
    date_display,
    datetime_display,
    group_indian,
    money_display,
    number_display,
)
from catalog.templatetags.catalog_tags import money


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("547365"), "₹5,47,365.00"),
        (Decimal("0"), "₹0.00"),
        (Decimal("999.995"), "₹1,000.00"),
        (Decimal("-12.5"), "-₹12.50"),
        (Decimal("-0.001"), "₹0.00"),
        (Decimal("12345678.9"), "₹1,23,45,678.90"),
        ("100", "₹100.00"),
        (None, ""),
        ("", ""),
        ("abc", ""),
        (Decimal("NaN"), ""),
    ],
)
def test_money_reads_with_indian_grouping(value, text):
    assert money_display(value) == text
    assert money(value) == text


@settings(max_examples=300, deadline=None)
@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)
)
def test_money_matches_babel_en_in(amount):
    assert money_display(amount) == format_currency(amount, "INR", locale="en_IN")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_whole_numbers_match_babel_en_in(number):
    assert number_display(number) == format_decimal(number, locale="en_IN")


def test_grouping_of_short_and_long_digit_strings():
    assert [group_indian(d) for d in ("1", "123", "1234", "12345", "123456", "1234567")] == [
        "1",
        "123",
        "1,234",
        "12,345",
        "1,23,456",
        "12,34,567",
    ]
    assert number_display(Decimal("1234.56"), 1) == "1,234.6"


def test_dates_read_as_on_the_site_and_in_the_admin(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    moment = datetime.datetime(2026, 12, 3, 8, 13, tzinfo=datetime.UTC)
    with timezone.override("Asia/Kolkata"):
        assert datetime_display(moment) == "3 Dec 2026, 13:43"
        assert date_display(moment) == "3 Dec 2026"
    assert date_display(datetime.date(2026, 4, 1)) == "1 Apr 2026"
    assert date_display(None) == datetime_display("") == ""
    # The admin formats dates through the locale's formats: ours, not "Dec. 3, 2026".
    from django.utils import formats

    assert formats.date_format(datetime.date(2026, 12, 3)) == "3 Dec 2026"
    assert formats.date_format(moment, "DATETIME_FORMAT") == "3 Dec 2026, 08:13"
