"""Aged receivables on a data set computed by hand, to the paisa; who may see it; exports;
the page's query count does not grow with its rows."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization
from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    OrganizationFactory,
    RetailerUserFactory,
)
from invoicing import services
from invoicing.models import PaymentMethod
from invoicing.receipts import invoice_payment_bounce, invoice_payment_record
from invoicing.tests.factories import invoice_copies, invoice_owing
from procurement.tests.factories import procurement_staff
from reporting.receivables import aged_receivables
from reporting.selectors import ReportScope

pytestmark = pytest.mark.django_db

D = Decimal


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def pay(invoice, amount, method=PaymentMethod.BANK_TRANSFER, reference=""):
    return invoice_payment_record(
        invoice=invoice,
        amount=amount,
        method=method,
        reference=reference,
        received_on=timezone.localdate(),
    )


@pytest.fixture
def book():
    """Two distributors, a retailer organization and a private customer (see each line)."""
    d1_member = DistributorUserFactory(organization__name="Deccan Depot")
    d1 = d1_member.organization
    d2 = OrganizationFactory(name="Konkan Depot", kind=Organization.Kind.DISTRIBUTOR)
    buyer = RetailerUserFactory(organization__name="Ravi Stores")
    person = CustomerFactory(name="Asha Rao")

    def owe(total, due_in, *, seller=d1, who=buyer):
        return invoice_owing(total, due_date=days(due_in), customer=who, distributor=seller)

    owe("1000.00", 5)  # not due
    owe("10.01", 0)  # due today: not overdue yet
    pay(owe("2500.50", -10), "1000.25")  # 10 days: 1-30, 1500.25 left
    owe("333.33", -30)  # 30 days: 1-30
    owe("800.00", -31)  # 31 days: 31-60
    owe("450.10", -61)  # 61 days: 61-90
    cheque = pay(owe("700.00", -90), "700.00", PaymentMethod.CHEQUE, "CHQ 1")
    invoice_payment_bounce(payment=cheque, by=None, reason="Insufficient funds")  # 90: 61-90
    owe("99.99", -91)  # 91 days: over 90
    pay(owe("1200.00", -95), "1200.00")  # paid: owes nothing
    void = owe("500.00", -40)
    services.invoice_void(invoice=void, by=d1_member, reason="Duplicate")  # void: nothing
    pay(owe("123.45", -60, who=person), "23.45")  # private buyer, 60 days: 31-60, 100.00 left
    owe("5000.00", -200, seller=d2)  # the other distributor, over 90
    return {"d1": d1, "d2": d2, "member": d1_member, "buyer": buyer, "person": person}


def money_row(row):
    keys = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus", "total")
    return tuple(row[key] for key in keys)


def test_the_figures_match_the_hand_computed_book(book):
    table = aged_receivables(scope=ReportScope(ReportScope.ALL))
    rows = [(r["distributor"], r["buyer"], money_row(r)) for r in table.rows]
    assert rows == [
        (
            "Konkan Depot",
            "Ravi Stores",
            (D("0"), D("0"), D("0"), D("0"), D("5000.00"), D("5000.00")),
        ),
        (
            "Deccan Depot",
            "Ravi Stores",
            # 1000.00 + 10.01 | 1500.25 + 333.33 | 800.00 | 450.10 + 700.00 | 99.99
            (D("1010.01"), D("1833.58"), D("800.00"), D("1150.10"), D("99.99"), D("4893.68")),
        ),
        ("Deccan Depot", "Asha Rao", (D("0"), D("0"), D("100.00"), D("0"), D("0"), D("100.00"))),
    ]
    assert money_row(table.totals) == (
        D("1010.01"),
        D("1833.58"),
        D("900.00"),
        D("1150.10"),
        D("5099.99"),
        D("9993.68"),
    )


def test_a_distributor_sees_only_its_own_buyers(book):
    table = aged_receivables(scope=ReportScope(Organization.Kind.DISTRIBUTOR, book["d1"]))
    assert [r["buyer"] for r in table.rows] == ["Ravi Stores", "Asha Rao"]
    assert table.totals["total"] == D("4993.68")
    assert "distributor" not in table.keys


def test_a_later_date_ages_the_same_invoices_further(book):
    table = aged_receivables(scope=ReportScope(ReportScope.ALL), as_of=days(31))
    d1 = next(
        r for r in table.rows if r["buyer"] == "Ravi Stores" and r["distributor"] == "Deccan Depot"
    )
    # due +5 -> 26 days, due today -> 31 days, -10 -> 41, -30 -> 61, -31 -> 62, -61 -> 92...
    assert money_row(d1) == (
        D("0"),
        D("1000.00"),
        D("10.01") + D("1500.25"),
        D("333.33") + D("800.00"),
        D("450.10") + D("700.00") + D("99.99"),
        D("4893.68"),
    )


def test_the_page_and_its_downloads_show_the_same_figures(book):
    client = Client()
    client.force_login(book["member"])
    page = client.get(reverse("reporting:receivables"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "₹4,993.68" in html and "Ravi Stores" in html and "Konkan" not in html
    assert reverse("invoicing:statement", args=[f"org-{book['buyer'].organization_id}"]) in html
    csv = client.get(reverse("reporting:receivables") + "?export=csv").content.decode()
    lines = csv.strip().splitlines()
    assert lines[0] == "buyer,not_due,d1_30,d31_60,d61_90,d90_plus,total"
    assert lines[1] == "Ravi Stores,1010.01,1833.58,800.00,1150.10,99.99,4893.68"
    assert lines[-1] == "TOTAL,1010.01,1833.58,900.00,1150.10,99.99,4993.68"
    xlsx = client.get(reverse("reporting:receivables") + "?export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    pdf = client.get(reverse("reporting:receivables") + "?export=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_who_may_open_the_page():
    url = reverse("reporting:receivables")
    for user, status in (
        (DistributorUserFactory(), 200),
        (procurement_staff(), 200),
        (RetailerUserFactory(), 403),
        (ManufacturerUserFactory(), 403),
        (CustomerFactory(), 403),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, user
    assert Client().get(url).status_code == 302


def test_a_bad_date_is_a_form_error_not_a_report():
    client = Client()
    client.force_login(DistributorUserFactory())
    page = client.get(reverse("reporting:receivables") + "?as_of=1900-01-01")
    assert page.status_code == 200 and "between 2000 and 2100" in page.content.decode()
    assert "sections" not in page.context


def _page_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_query_count_does_not_grow_with_the_rows():
    member = DistributorUserFactory()
    first = invoice_owing("100.00", due_date=days(-5), distributor=member.organization)
    client = Client()
    client.force_login(member)
    url = reverse("reporting:receivables")
    invoice_copies(first, 1, buyer_organization=lambda i: OrganizationFactory(kind="retailer"))
    two = _page_queries(client, url)
    invoice_copies(first, 18, buyer_organization=lambda i: OrganizationFactory(kind="retailer"))
    twenty = _page_queries(client, url)
    assert two == twenty
