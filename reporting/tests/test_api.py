"""The report API gives the selectors' hand-checked figures, as JSON and as CSV, in scope."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from auromart.tests.openapi import call_and_validate

from .dataset import add_orders, build_market

pytestmark = pytest.mark.django_db

MONTHLY = "/api/reports/monthly"
SALES = "/api/reports/sales"
MARCH = {"start": "2025-03-01", "end": "2025-03-31"}


@pytest.fixture
def m(settings):
    return build_market(settings)


def client_for(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def parse_csv(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_sales_by_product_json(m):
    response = client_for(m.users["staff"]).get(SALES, {**MARCH, "group_by": "product"})
    assert response.status_code == 200, response.json()
    data = response.json()
    # Hand-computed in test_selectors: Drill 99.99 + 199.98, Hammer 20 + 180, Rake 16.65 + 55.50
    assert data["rows"] == [
        {"key": "DRL-1", "label": "Drill", "orders": 2, "units": 3, "revenue": "299.97"},
        {"key": "HAM-1", "label": "Hammer", "orders": 2, "units": 20, "revenue": "200.00"},
        {"key": "RAK-1", "label": "Rake", "orders": 2, "units": 13, "revenue": "72.15"},
    ]
    assert data["totals"] == {
        "key": None,
        "label": "Total",
        "orders": 4,
        "units": 36,
        "revenue": "572.12",
    }
    assert (data["start"], data["end"], data["group_by"]) == ("2025-03-01", "2025-03-31", "product")


def test_sales_by_day_json_and_filters(m):
    staff = client_for(m.users["staff"])
    data = staff.get(SALES, {**MARCH, "group_by": "day"}).json()
    assert [(r["key"], r["orders"], r["revenue"]) for r in data["rows"]] == [
        ("2025-03-03", 2, "299.99"),
        ("2025-03-10", 1, "216.63"),
        ("2025-03-20", 1, "55.50"),
    ]
    tools = staff.get(SALES, {**MARCH, "category": m.categories["tools"].pk}).json()
    assert tools["totals"]["revenue"] == "499.97"  # Hammer (Hand tools) + Drill (Tools)
    assert tools["filters"]["Category"] == "Tools"
    south = staff.get(SALES, {**MARCH, "region": "South", "group_by": "region"}).json()
    assert [(r["key"], r["revenue"]) for r in south["rows"]] == [("South", "216.63")]


def test_sales_csv_parses_back_to_the_same_figures(m):
    response = client_for(m.users["staff"]).get(
        SALES, {**MARCH, "group_by": "distributor", "format": "csv"}
    )
    rows = parse_csv(response)
    assert rows == [
        {
            "key": str(m.orgs["north"].pk),
            "label": "North Depot",
            "orders": "3",
            "units": "31",
            "revenue": "355.49",
        },
        {
            "key": str(m.orgs["south"].pk),
            "label": "South Depot",
            "orders": "1",
            "units": "5",
            "revenue": "216.63",
        },
        {"key": "TOTAL", "label": "Total", "orders": "4", "units": "36", "revenue": "572.12"},
    ]
    assert "attachment" in response["Content-Disposition"]


def test_monthly_json(m):
    data = client_for(m.users["staff"]).get(MONTHLY, {"year": 2025, "month": 3}).json()
    assert {
        k: data[k] for k in ("orders", "orders_placed", "orders_cancelled", "orders_rejected")
    } == {
        "orders": 4,
        "orders_placed": 6,
        "orders_cancelled": 1,
        "orders_rejected": 1,
    }
    # 572.12 before tax, 103.00 tax, 675.12 total, 675.12 / 4 = 168.78
    assert (data["units"], data["subtotal"], data["tax"], data["total"]) == (
        36,
        "572.12",
        "103.00",
        "675.12",
    )
    assert data["average_cart_value"] == "168.78"
    assert data["fulfillment"] == {
        "count": 3,
        "mean_hours": "52.00",
        "median_hours": "48.00",
        "p90_hours": "72.00",
    }
    assert [r["key"] for r in data["top_products"]] == ["DRL-1", "HAM-1", "RAK-1"]
    assert [(r["label"], r["revenue"]) for r in data["by_distributor"]] == [
        ("North Depot", "355.49"),
        ("South Depot", "216.63"),
    ]
    assert [(r["key"], r["units"]) for r in data["by_region"]] == [("North", 31), ("South", 5)]


def test_monthly_csv_parses_back(m):
    response = client_for(m.users["staff"]).get(
        MONTHLY, {"year": 2025, "month": 3, "format": "csv"}
    )
    rows = parse_csv(response)
    summary = {r["key"]: r["value"] for r in rows if r["section"] == "summary"}
    assert summary["orders"] == "4"
    assert (summary["subtotal"], summary["tax"], summary["total"]) == ("572.12", "103.00", "675.12")
    assert summary["average_cart_value"] == "168.78"
    assert summary["fulfillment_median_hours"] == "48"
    by_region = [(r["key"], r["revenue"]) for r in rows if r["section"] == "by_region"]
    assert by_region == [("North", "355.49"), ("South", "216.63")]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        (MONTHLY, {"year": 2025, "month": 13}, "month"),
        (MONTHLY, {"year": "x", "month": 3}, "year"),
        (MONTHLY, {"month": 3}, "year"),
        (MONTHLY, {"year": 1999, "month": 3}, "year"),
        (SALES, {"start": "2025-02-30"}, "start"),
        (SALES, {"start": "2025-03-10", "end": "2025-03-01"}, "end"),
        (SALES, {"group_by": "colour"}, "group_by"),
        (SALES, {"product": 999999}, "product"),
        (SALES, {"distributor": "abc"}, "distributor"),
        (SALES, {"distributor": 2**70}, "distributor"),
    ],
)
def test_bad_query_is_400_naming_the_field(m, url, params, field):
    for fmt in ({}, {"format": "csv"}):
        response = client_for(m.users["staff"]).get(url, {**params, **fmt})
        assert response.status_code == 400
        assert response["Content-Type"].startswith("application/json")  # even for ?format=csv
        assert field in response.json()["errors"]


def test_customers_403_visitors_401(m):
    for url, params in ((MONTHLY, {"year": 2025, "month": 3}), (SALES, MARCH)):
        assert client_for(m.users["c1"]).get(url, params).status_code == 403
        assert client_for().get(url, params).status_code == 401
        assert client_for(m.users["c1"]).get(url, {**params, "format": "csv"}).status_code == 403


def test_a_distributor_never_sees_another_distributors_sales(m):
    south = client_for(m.users["south"])
    north_pk = m.orgs["north"].pk
    data = south.get(SALES, {**MARCH, "group_by": "distributor"}).json()
    assert [r["label"] for r in data["rows"]] == ["South Depot"]
    assert data["totals"]["revenue"] == "216.63"
    # Naming the other depot gives nothing, not its sales.
    data = south.get(SALES, {**MARCH, "distributor": north_pk}).json()
    assert data["rows"] == [] and data["totals"]["revenue"] == "0.00"
    rows = parse_csv(south.get(SALES, {**MARCH, "group_by": "distributor", "format": "csv"}))
    assert [r["label"] for r in rows] == ["South Depot", "Total"]
    assert (
        "North Depot"
        not in south.get(MONTHLY, {"year": 2025, "month": 3, "format": "csv"}).content.decode()
    )
    monthly = south.get(MONTHLY, {"year": 2025, "month": 3}).json()
    # O3 sold (255.63 with tax); O4 cancelled; O5 rejected
    assert (monthly["orders"], monthly["orders_placed"], monthly["total"]) == (1, 3, "255.63")
    assert [r["label"] for r in monthly["by_distributor"]] == ["South Depot"]


def test_manufacturer_and_retailer_scopes(m):
    acme = client_for(m.users["acme"]).get(MONTHLY, {"year": 2025, "month": 3}).json()
    assert (acme["subtotal"], acme["tax"], acme["total"]) == ("499.97", None, None)
    shop = client_for(m.users["shop"]).get(SALES, MARCH).json()
    assert shop["rows"] == [
        {"key": "HAM-1", "label": "Hammer", "orders": 1, "units": 18, "revenue": "180.00"}
    ]


def _counts(client):
    counts = {}
    for name, url, params in (
        ("monthly", MONTHLY, {"year": 2025, "month": 3}),
        ("monthly_csv", MONTHLY, {"year": 2025, "month": 3, "format": "csv"}),
        ("sales_product", SALES, {**MARCH, "group_by": "product"}),
        ("sales_day_csv", SALES, {**MARCH, "group_by": "day", "format": "csv"}),
        ("sales_category", SALES, {**MARCH, "group_by": "category", "category": 0}),
    ):
        if params.get("category") == 0:
            params = {**params, "category": client.tools_pk}
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        counts[name] = len(ctx.captured_queries)
        assert response.status_code == 200
    return counts


def test_query_counts_do_not_grow_with_orders(m):
    clients = {key: client_for(m.users[key]) for key in ("staff", "north", "acme")}
    for client in clients.values():
        client.tools_pk = m.categories["tools"].pk
        # Staff's permissions are cached on the (forced) user after the first request.
        _counts(client)
    before = {key: _counts(client) for key, client in clients.items()}
    add_orders(m, 30)
    after = {key: _counts(client) for key, client in clients.items()}
    assert after == before
    data = clients["north"].get(MONTHLY, {"year": 2025, "month": 3}).json()
    assert data["orders"] == 33  # the 30 new orders are North's


@pytest.mark.parametrize("url", [MONTHLY, SALES])
def test_an_unknown_format_is_400_naming_the_field(m, url):
    # Found by schemathesis: DRF answers an unknown ?format= with an undocumented 404.
    response = call_and_validate(
        "GET", url, user=m.users["staff"], query={"format": "pdf", "year": 2025, "month": 3}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"format": ["Choose one of: json, csv."]}


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (MONTHLY, {"year": 2025, "month": 3}),
        (SALES, {**MARCH, "group_by": "distributor"}),
    ],
)
def test_the_csv_operations_answer_the_same_csv_as_the_old_format_parameter(m, url, params):
    client = client_for(m.users["staff"])
    old = client.get(url, {**params, "format": "csv"})
    new = client.get(f"{url}.csv", params, HTTP_ACCEPT="application/json")
    assert parse_csv(new) == parse_csv(old)
    assert new["Content-Disposition"] == old["Content-Disposition"]
    # The JSON operation stays JSON.
    assert client.get(url, params)["Content-Type"].startswith("application/json")
    # Errors are JSON on the CSV operation too.
    refused = client_for(m.users["c1"]).get(f"{url}.csv", params)
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("application/json")
    assert client_for().get(f"{url}.csv", params).status_code == 401
    bad = client.get(f"{url}.csv", {**params, "year": 1, "group_by": "nope"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
