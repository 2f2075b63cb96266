"""The report pages under /reports/: the selectors' hand-checked figures, exports that parse
back to the page's figures, scoping, form errors and query counts."""

import csv
import datetime
import io
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders.models import Order
from procurement.tests.factories import procurement_staff
from reporting.exports import display_text
from reporting.selectors import NOT_SOLD

from .dataset import add_orders, build_market, other_distributor

pytestmark = pytest.mark.django_db

MARCH = {"start": "2025-03-01", "end": "2025-03-31"}
OVERVIEW = reverse("reporting:overview")
SALES = reverse("reporting:sales")
MONTHLY = reverse("reporting:monthly")
FULFILLMENT = reverse("reporting:fulfillment")
STOCK = reverse("reporting:stock")
PROCUREMENT = reverse("reporting:procurement")


@pytest.fixture
def m(settings):
    return build_market(settings)


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


class _Tables(HTMLParser):
    """Collects tables (by id) as header + rows + footer of cell texts, and tagged values."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, dict[str, list]] = {}
        self.by_id: dict[str, str] = {}
        self.by_key: dict[str, str] = {}
        self._table = None
        self._part = None
        self._row = None
        self._cell = None
        self._capture = None  # (dict, key, texts) of an element whose text we want
        self._tag = ""
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("id"):
            self._table = self.tables.setdefault(attrs["id"], {"head": [], "body": [], "foot": []})
        elif self._table is not None and tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif self._table is not None and tag == "tr":
            self._row = []
        elif self._row is not None and tag in ("td", "th"):
            self._cell = []
        if self._capture is None:
            key = attrs.get("data-key")
            figure = (attrs.get("id") or "").removeprefix("figure-")
            if key:
                self._capture, self._tag, self._depth = (self.by_key, key, []), tag, 0
            elif figure != (attrs.get("id") or ""):
                self._capture, self._tag, self._depth = (self.by_id, figure, []), tag, 0
        elif tag == self._tag:
            self._depth += 1

    def handle_endtag(self, tag):
        if self._capture is not None and tag == self._tag:
            if self._depth == 0:
                target, key, texts = self._capture
                target[key] = " ".join("".join(texts).split())
                self._capture = None
            else:
                self._depth -= 1
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table[self._part].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._capture is not None:
            self._capture[2].append(data)


def parse(response) -> _Tables:
    assert response.status_code == 200, response.status_code
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser


def page_table(response, key: str) -> dict[str, list]:
    return parse(response).tables[f"table-{key}"]


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def get_export(client, url, params, fmt, table=None):
    query = {**params, "export": fmt, **({"table": table} if table else {})}
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    assert "attachment" in response["Content-Disposition"]
    return response


# --- The page shows the selectors' figures -----------------------------------------------------


def test_sales_page_shows_the_hand_computed_table(m):
    response = client_for(m.users["staff"]).get(SALES, {**MARCH, "group_by": "product"})
    table = page_table(response, "sales")
    assert table["head"] == [["SKU", "Name", "Orders", "Units", "Revenue"]]
    # test_selectors.test_sales_by_product:
    # Drill 99.99 + 199.98, Hammer 20 + 180, Rake 16.65 + 55.50
    assert table["body"] == [
        ["DRL-1", "Drill", "2", "3", "₹299.97"],
        ["HAM-1", "Hammer", "2", "20", "₹200.00"],
        ["RAK-1", "Rake", "2", "13", "₹72.15"],
    ]
    assert table["foot"] == [["", "Total", "4", "36", "₹572.12"]]
    assert b"report-chart-bar" in response.content  # the revenue chart
    assert b"report-chart-scroll" in response.content


def test_sales_by_region_with_a_category_filter(m):
    response = client_for(m.users["staff"]).get(
        SALES, {**MARCH, "group_by": "region", "category": m.categories["tools"].pk}
    )
    # Tools and Hand tools: North O1 (20.00 + 99.99) + O2 180.00 = 299.99; South O3 199.98
    assert page_table(response, "sales")["body"] == [
        ["North", "North", "2", "21", "₹299.99"],
        ["South", "South", "1", "2", "₹199.98"],
    ]


def test_monthly_page_summary(m):
    response = client_for(m.users["staff"]).get(MONTHLY, {"year": 2025, "month": 3})
    summary = parse(response).by_key
    # test_selectors.test_monthly_report: 572.12 before tax, 103.00 tax, 675.12 total, / 4 orders
    assert summary["orders"] == "4"
    assert summary["orders_placed"] == "6"
    assert (summary["subtotal"], summary["tax"], summary["total"]) == (
        "₹572.12",
        "₹103.00",
        "₹675.12",
    )
    assert summary["average_cart_value"] == "₹168.78"
    assert (summary["fulfillment_mean_hours"], summary["fulfillment_p90_hours"]) == (
        "52.00",
        "72.00",
    )
    tables = parse(response).tables
    assert tables["table-by_distributor"]["body"][0][1:] == ["North Depot", "3", "31", "₹355.49"]
    assert [r[0] for r in tables["table-top_products"]["body"]] == ["DRL-1", "HAM-1", "RAK-1"]


def test_monthly_page_for_a_manufacturer_has_no_tax(m):
    summary = parse(client_for(m.users["acme"]).get(MONTHLY, {"year": 2025, "month": 3})).by_key
    assert (summary["subtotal"], summary["tax"], summary["total"]) == ("₹499.97", "—", "—")


def test_fulfillment_page_ratio_and_durations(m):
    response = client_for(m.users["staff"]).get(FULFILLMENT, MARCH)
    body = page_table(response, "fulfillment")["body"]
    # 48, 72, 36 hours: mean 52, median 48, p90 72; fill rate 8 / 9 = 0.8889 -> 88.9 %
    assert body == [
        ["Placed to delivered", "3", "52.00", "48.00", "72.00", "", ""],
        ["Lines filled when ordered (fill rate)", "9", "", "", "", "8", "88.9%"],
    ]


def test_procurement_page(m):
    body = page_table(client_for(m.users["staff"]).get(PROCUREMENT, MARCH), "procurement")["body"]
    assert body == [
        ["Request to receipt", "2", "106.50", "106.50", "120.00", "", ""],
        ["Supplier response", "2", "15.00", "15.00", "24.00", "", ""],
        ["Supplier on time", "2", "", "", "", "1", "50.0%"],
    ]


def test_stock_page(m):
    response = client_for(m.users["staff"]).get(STOCK, MARCH)
    cover = page_table(response, "cover")["body"]
    assert [*cover[2][0:4], cover[2][7]] == ["HAM-1", "Hammer", "North Depot", "10", "15.0"]
    assert cover[2][4] == ""  # a past range: nothing "available now"
    assert cover[3][7] == "600.0"  # 20 on hand, 1 asked for in 30 days (O4, then cancelled)
    assert page_table(response, "stockouts")["body"] == [
        ["HAM-1", "Hammer", "North Depot", "1", "2.0"]  # 2 days, shown to 0.1
    ]


def test_overview_figures(m):
    response = client_for(m.users["staff"]).get(OVERVIEW, MARCH)
    figures = parse(response).by_id
    assert figures["orders"] == "4"
    assert figures["average-cart"] == "₹168.78"
    assert figures["procurement-requests"] == "3"
    assert figures["fill-rate"] == "88.9%"
    assert figures["on-time"] == "50.0%"
    assert figures["fulfillment"] == "52.00"
    assert figures["supplier-response"] == "15.00"
    assert figures["turnover"] == "0.23"  # 36 / 156 = 0.2308
    content = response.content.decode()
    # orders per day, revenue by distributor, top products, stock cover
    assert content.count('class="report-chart report-chart-') == 4
    for name in ("sales", "monthly", "fulfillment", "stock", "procurement"):
        assert reverse(f"reporting:{name}") in content


def test_retailer_overview_has_no_stock_figures(m):
    response = client_for(m.users["shop"]).get(OVERVIEW, MARCH)
    figures = parse(response).by_id
    assert figures["orders"] == "1"  # O2; O5 was rejected
    assert "turnover" not in figures and "on-time" not in figures
    assert reverse("reporting:stock") not in response.content.decode()


# --- Exports parse back to the page's figures ---------------------------------------------------

EXPORTED = [
    (SALES, {**MARCH, "group_by": "product"}, "sales"),
    (SALES, {**MARCH, "group_by": "day"}, "sales"),
    (SALES, {**MARCH, "group_by": "distributor"}, "sales"),
    (FULFILLMENT, MARCH, "fulfillment"),
    (STOCK, MARCH, "cover"),
    (STOCK, MARCH, "stockouts"),
    (PROCUREMENT, MARCH, "procurement"),
]


def _typed(text: str, kind: str):
    """A CSV cell back to a value of its column's kind."""
    if text == "":
        return None
    if kind == "int":
        return int(text)
    if kind in ("money", "decimal", "percent", "days"):
        return Decimal(text)
    if kind == "date":
        return datetime.date.fromisoformat(text)
    return text


@pytest.mark.parametrize(("url", "params", "key"), EXPORTED)
def test_exports_parse_back_to_the_page(m, url, params, key):
    client = client_for(m.users["staff"])
    page = page_table(client.get(url, params), key)
    header, body, foot = page["head"][0], page["body"], page["foot"]
    assert body, "the data set gives every report rows"

    # XLSX: typed cells; formatted as the page formats them, they are the page's text.
    sheet = load_workbook(io.BytesIO(get_export(client, url, params, "xlsx", key).content)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    head_at = values.index([*header])
    xlsx_rows = values[head_at + 1 : head_at + 1 + len(body)]
    kinds = []
    for index in range(len(header)):
        fmt = sheet.cell(row=head_at + 2, column=index + 1).number_format
        kinds.append(
            {"#,##0.00": None, "0.0%": "percent", "0": "int", "#,##0.0": "days"}.get(fmt, "text")
        )
    # money and decimal share a number format: the page's ₹ tells them apart
    kinds = [
        ("money" if body[0][i].startswith("₹") else "decimal") if k is None else k
        for i, k in enumerate(kinds)
    ]
    kinds = [
        "date" if isinstance(xlsx_rows[0][i], datetime.datetime | datetime.date) else k
        for i, k in enumerate(kinds)
    ]
    for xlsx_row, page_row in zip(xlsx_rows, body, strict=True):
        as_page = [
            display_text(v.date() if isinstance(v, datetime.datetime) else v, k)
            for v, k in zip(xlsx_row, kinds, strict=True)
        ]
        assert as_page == page_row

    # CSV: machine-readable text; read back and formatted, it is the page's text.
    text = get_export(client, url, params, "csv", key).content.decode()
    csv_rows = list(csv.reader(io.StringIO(text)))[1:]
    for csv_row, page_row in zip(csv_rows[: len(body)], body, strict=True):
        assert [display_text(_typed(t, k), k) for t, k in zip(csv_row, kinds, strict=True)] == (
            page_row
        )
    if foot:
        assert csv_rows[-1][0] == "TOTAL"
        assert [
            display_text(_typed(t, k), k) for t, k in zip(csv_rows[-1][1:], kinds[1:], strict=True)
        ] == foot[0][1:]

    # PDF: each row of the page on one line of the PDF's text, in order, with the same charts.
    response = get_export(client, url, params, "pdf", key)
    lines = pdf_text(response.content).splitlines()
    for page_row in body + foot:
        cells = [c for c in page_row if c]
        assert any(_in_order(cells, line) for line in lines), (page_row, lines)


def _in_order(cells: list[str], line: str) -> bool:
    at = 0
    for cell in cells:
        at = line.find(cell, at)
        if at < 0:
            return False
        at += len(cell)
    return True


def test_pdf_export_carries_the_page_charts(m):
    client = client_for(m.users["staff"])
    params = {**MARCH, "group_by": "distributor"}
    response = get_export(client, SALES, params, "pdf", "sales")
    text = pdf_text(response.content)
    assert "Revenue by distributor" in text  # the chart's title, drawn in the PDF
    assert "Sales by distributor" in text


def test_monthly_exports_parse_back_to_the_page(m):
    client = client_for(m.users["staff"])
    params = {"year": 2025, "month": 3}
    page = parse(client.get(MONTHLY, params))
    summary = page.by_key

    rows = list(csv.DictReader(io.StringIO(get_export(client, MONTHLY, params, "csv").text)))
    kinds = {"orders": "int", "subtotal": "money", "tax": "money", "total": "money"}
    kinds["average_cart_value"] = "money"
    from_csv = {r["key"]: r["value"] for r in rows if r["section"] == "summary"}
    for key, kind in kinds.items():
        assert display_text(_typed(from_csv[key], kind), kind) == summary[key]
    by_region = [
        [
            r["key"],
            r["label"],
            r["orders"],
            r["units"],
            display_text(Decimal(r["revenue"]), "money"),
        ]
        for r in rows
        if r["section"] == "by_region"
    ]
    assert by_region == page.tables["table-by_region"]["body"]

    sheet = load_workbook(io.BytesIO(get_export(client, MONTHLY, params, "xlsx").content)).active
    cells = {
        (r[0], r[1]): r for r in sheet.iter_rows(values_only=True) if r and r[0] in ("summary",)
    }
    assert display_text(Decimal(cells[("summary", "total")][3]), "money") == summary["total"]

    text = pdf_text(get_export(client, MONTHLY, params, "pdf").content)
    for figure in ("572.12", "103.00", "675.12", "168.78", "355.49", "216.63"):
        assert figure in text
    assert "Top products by revenue" in text  # the page's charts


# --- Scoping --------------------------------------------------------------------------------------


def test_a_distributor_never_sees_another_distributors_sales(m):
    south = client_for(m.users["south"])
    north_pk = m.orgs["north"].pk
    response = south.get(SALES, {**MARCH, "group_by": "distributor"})
    assert page_table(response, "sales")["body"] == [
        [str(m.orgs["south"].pk), "South Depot", "1", "5", "₹216.63"]
    ]
    assert "North Depot" not in response.content.decode()
    # Naming the other depot is a form error, not its figures.
    response = south.get(SALES, {**MARCH, "distributor": north_pk, "group_by": "distributor"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert "table-sales" not in response.content.decode()
    assert "₹355.49" not in response.content.decode()
    # Exports of every kind, and the other pages.
    for fmt in ("csv", "xlsx", "pdf"):
        body = get_export(south, SALES, {**MARCH, "group_by": "distributor"}, fmt).content
        text = pdf_text(body) if fmt == "pdf" else body
        if fmt == "xlsx":
            sheet = load_workbook(io.BytesIO(body)).active
            text = " ".join(str(v) for r in sheet.iter_rows(values_only=True) for v in r if v)
        elif fmt == "csv":
            text = body.decode()
        assert "South Depot" in text and "North Depot" not in text
        exported = south.get(SALES, {**MARCH, "distributor": north_pk, "export": fmt})
        assert "attachment" not in exported.get("Content-Disposition", "")
    for url, params in (
        (OVERVIEW, MARCH),
        (MONTHLY, {"year": 2025, "month": 3}),
        (MONTHLY, {"year": 2025, "month": 3, "export": "csv"}),
        (FULFILLMENT, MARCH),
        (STOCK, MARCH),
        (STOCK, {**MARCH, "export": "pdf", "table": "cover"}),
        (PROCUREMENT, MARCH),
    ):
        response = south.get(url, params)
        assert response.status_code == 200
        content = pdf_text(response.content) if params.get("export") == "pdf" else None
        content = content or response.content.decode()
        assert "North Depot" not in content, url


def test_filter_choices_offer_only_what_the_user_may_see(m):
    far = other_distributor()
    staff = client_for(m.users["staff"]).get(SALES, MARCH).content.decode()
    assert "Far Depot" in staff and ">East<" in staff
    for key in ("shop", "bolt"):  # the shop bought from both depots; both stock Bolt's rake
        content = client_for(m.users[key]).get(SALES, MARCH).content.decode()
        assert "North Depot" in content and "Far Depot" not in content
        assert ">East<" not in content
    response = client_for(m.users["shop"]).get(SALES, {**MARCH, "distributor": far.pk})
    assert "Select a valid choice" in response.content.decode()
    # A manufacturer narrows by its own products only (a SKU, any case; or an id from a
    # link), and the page no longer lists every product it may see as options.
    acme = client_for(m.users["acme"])
    page = acme.get(SALES, MARCH).content.decode()
    assert "<option" not in page.split('name="product"')[1].split(">")[0]
    own = acme.get(SALES, {**MARCH, "product": "ham-1"})
    assert own.context["form"].cleaned_data["product"].sku == "HAM-1"
    assert "product=HAM-1" in own.content.decode()  # the export links carry the SKU
    other = acme.get(SALES, {**MARCH, "product": "RAK-1"}).content.decode()
    assert "No product with the SKU “RAK-1” in your reports." in other


def test_customers_403_visitors_log_in_retailers_have_no_stock_pages(m):
    for url in (OVERVIEW, SALES, MONTHLY, FULFILLMENT, STOCK, PROCUREMENT):
        assert client_for(m.users["c1"]).get(url).status_code == 403
        response = client_for().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    for url in (STOCK, PROCUREMENT):
        assert client_for(m.users["shop"]).get(url).status_code == 403
    assert client_for(m.users["shop"]).get(SALES).status_code == 200


# --- Bad input is a form error ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        (SALES, {"start": "2025-02-30", "end": "2025-03-31"}, "Enter a valid date"),
        (SALES, {"start": "2025-03-10", "end": "2025-03-01"}, "before the start date"),
        (SALES, {"start": "1999-03-01", "end": "2025-03-01"}, "Use dates from 2000 to 2100"),
        (SALES, {"group_by": "colour"}, "Select a valid choice"),
        (SALES, {"product": "999999"}, "No product with the SKU"),
        (SALES, {"product": "NO-SUCH-SKU"}, "No product with the SKU"),
        (SALES, {"distributor": "abc"}, "Select a valid choice"),
        (SALES, {"category": str(2**70)}, "Select a valid choice"),
        (MONTHLY, {"year": "2025", "month": "13"}, "Select a valid choice"),
        (MONTHLY, {"year": "1999", "month": "3"}, "greater than or equal to 2000"),
        (MONTHLY, {"year": "x", "month": "3"}, "Enter a whole number"),
        (OVERVIEW, {"end": "nope"}, "Enter a valid date"),
        (STOCK, {"start": "2025-03-10", "end": "2025-03-01"}, "before the start date"),
    ],
)
def test_bad_filter_input_is_a_form_error(m, url, params, message):
    client = client_for(m.users["staff"])
    for extra in ({}, {"export": "csv"}):
        response = client.get(url, {**params, **extra})
        assert response.status_code == 200
        content = response.content.decode()
        assert message in content
        assert "is-invalid" in content or "alert-danger" in content
        assert "attachment" not in response.get("Content-Disposition", "")


def test_unknown_export_format_or_table_is_400(m):
    client = client_for(m.users["staff"])
    assert client.get(SALES, {**MARCH, "export": "docx"}).status_code == 400
    assert client.get(STOCK, {**MARCH, "export": "csv", "table": "nope"}).status_code == 400


def test_defaults_last_30_days_and_the_last_month_with_sales(m):
    today = timezone.localdate()
    content = client_for(m.users["staff"]).get(SALES).content.decode()
    assert f'value="{(today - datetime.timedelta(days=29)).isoformat()}"' in content
    assert f'value="{today.isoformat()}"' in content
    latest = timezone.localtime(
        Order.objects.exclude(status__in=NOT_SOLD).latest("created_at").created_at
    )
    summary = client_for(m.users["staff"]).get(MONTHLY).content.decode()
    assert f"Monthly report {latest.year}-{latest.month:02d}" in summary
    assert 'data-key="orders">0<' not in summary


def test_monthly_default_without_any_sales_is_the_previous_month(db):
    staff = procurement_staff()
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    summary = client_for(staff).get(MONTHLY).content.decode()
    assert f"Monthly report {last.year}-{last.month:02d}" in summary


# --- Query counts do not grow with the number of orders ----------------------------------------

PAGES = {
    "overview": (OVERVIEW, MARCH),
    "sales_product": (SALES, {**MARCH, "group_by": "product"}),
    "sales_day": (SALES, {**MARCH, "group_by": "day"}),
    "sales_category": (SALES, {**MARCH, "group_by": "category", "category": "tools"}),
    "monthly": (MONTHLY, {"year": 2025, "month": 3}),
    "fulfillment": (FULFILLMENT, MARCH),
    "stock": (STOCK, MARCH),
    "procurement": (PROCUREMENT, MARCH),
    "sales_csv": (SALES, {**MARCH, "export": "csv"}),
    "monthly_xlsx": (MONTHLY, {"year": 2025, "month": 3, "export": "xlsx"}),
    "stock_csv": (STOCK, {**MARCH, "export": "csv", "table": "stockouts"}),
}


def _counts(client, tools_pk) -> dict[str, int]:
    counts = {}
    for name, (url, params) in PAGES.items():
        if params.get("category") == "tools":
            params = {**params, "category": tools_pk}
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, params)
        counts[name] = len(ctx.captured_queries)
        assert response.status_code == 200, name
    return counts


def test_query_counts_do_not_grow_with_orders(m):
    tools_pk = m.categories["tools"].pk
    clients = {key: client_for(m.users[key]) for key in ("staff", "north", "acme")}
    for client in clients.values():
        _counts(client, tools_pk)  # warm the permission cache
    before = {key: _counts(client, tools_pk) for key, client in clients.items()}
    add_orders(m, 30)
    after = {key: _counts(client, tools_pk) for key, client in clients.items()}
    assert after == before
    response = clients["north"].get(MONTHLY, {"year": 2025, "month": 3})
    assert parse(response).by_key["orders"] == "33"  # the 30 new orders are counted
    assert before["staff"]["overview"] <= 40


def test_nav_and_admin_index_link_to_the_reports(m):
    for key in ("north", "acme", "shop"):
        content = client_for(m.users[key]).get(reverse("reporting:sales")).content.decode()
        assert f'href="{OVERVIEW}">Reports</a>' in content, key
    admin = client_for(m.users["staff"]).get(reverse("admin:index")).content.decode()
    assert f'href="{OVERVIEW}"' in admin
