"""Long report tables page on the page (reporting.paging); the downloads hold every row."""

import csv
import io

import pytest
from django.urls import reverse

from .dataset import build_market
from .test_views import MARCH, client_for, page_table

pytestmark = pytest.mark.django_db

STOCK = reverse("reporting:stock")


@pytest.fixture
def m(settings):
    market = build_market(settings)
    settings.REPORT_PAGE_ROWS = 4  # the market has 6 stock items: two pages of cover
    return market


def skus(response, key="cover"):
    return [row[0] for row in page_table(response, key)["body"]]


def test_a_long_table_shows_one_page_and_links_to_the_next_keeping_the_filters(m):
    client = client_for(m.users["staff"])
    first = client.get(STOCK, MARCH)
    second = client.get(STOCK, {**MARCH, "cover_page": "2"})
    page_one, page_two = skus(first), skus(second)

    assert len(page_one) == 4 and len(page_two) == 2
    html = first.content.decode()
    assert "Rows 1 to 4 of 6; the downloads hold all 6." in html
    assert "cover_page=2" in html and "start=2025-03-01" in html  # the filters stay
    assert "Rows 5 to 6 of 6" in second.content.decode()
    # The other table of the page pages on its own: one stockout, no pager.
    assert len(page_table(second, "stockouts")["body"]) == 1
    assert "stockouts_page" not in html
    # Nonsense or too far shows a page, not an error.
    assert skus(client.get(STOCK, {**MARCH, "cover_page": "x"})) == page_one
    assert skus(client.get(STOCK, {**MARCH, "cover_page": "99"})) == page_two


def test_the_download_holds_every_row_whatever_page_is_shown(m):
    client = client_for(m.users["staff"])
    shown = skus(client.get(STOCK, MARCH)) + skus(client.get(STOCK, {**MARCH, "cover_page": "2"}))
    response = client.get(STOCK, {**MARCH, "cover_page": "2", "export": "csv", "table": "cover"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["sku"] for row in rows] == shown and len(rows) == 6


def test_a_short_table_has_no_pager(m, settings):
    settings.REPORT_PAGE_ROWS = 25
    html = client_for(m.users["staff"]).get(STOCK, MARCH).content.decode()
    assert len(skus(client_for(m.users["staff"]).get(STOCK, MARCH))) == 6
    assert "report-pager" not in html
