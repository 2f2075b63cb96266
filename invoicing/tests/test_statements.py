"""Statements of account: invoices, payments and a bounced cheque with a running balance, for
the buyer, the distributor (its own invoices) and staff; the PDF; 404 for anyone else."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import (
    CustomerFactory,
    DistributorUserFactory,
    ManufacturerUserFactory,
    RetailerUserFactory,
)
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.models import PaymentMethod
from invoicing.receipts import invoice_payment_bounce, invoice_payment_record
from invoicing.statements import statement_for

from .factories import invoice_copies, invoice_owing
from .test_admin import finance_user

pytestmark = pytest.mark.django_db

D = Decimal


def day(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def pay(invoice, amount, method="bank_transfer", reference="", on=0):
    return invoice_payment_record(
        invoice=invoice, amount=amount, method=method, reference=reference, received_on=day(on)
    )


@pytest.fixture
def account():
    seller = DistributorUserFactory(organization__name="Deccan Depot")
    other_seller = DistributorFactory(name="Konkan Depot")
    buyer = RetailerUserFactory(organization__name="Ravi Stores")
    key = f"org-{buyer.organization_id}"
    a = invoice_owing(
        "1000.00",
        customer=buyer,
        distributor=seller.organization,
        issue_date=day(-20),
        due_date=day(10),
    )
    b = invoice_owing(
        "500.50",
        customer=buyer,
        distributor=seller.organization,
        issue_date=day(-10),
        due_date=day(-1),
    )
    c = invoice_owing(
        "300.00", customer=buyer, distributor=other_seller, issue_date=day(-5), due_date=day(25)
    )
    void = invoice_owing(
        "99.00",
        customer=buyer,
        distributor=seller.organization,
        issue_date=day(-4),
        due_date=day(26),
    )
    services.invoice_void(invoice=void, by=seller, reason="Duplicate")
    pay(a, "400.00", "upi", "UPI-1", on=-8)
    cheque = pay(a, "600.00", PaymentMethod.CHEQUE, "CHQ 12", on=-3)
    invoice_payment_bounce(payment=cheque, by=seller, reason="Insufficient funds")
    return {"seller": seller, "buyer": buyer, "key": key, "a": a, "b": b, "c": c}


def rows(statement):
    return [
        (line.kind, line.document, line.debit, line.credit, line.balance)
        for line in statement.lines
    ]


def test_the_buyer_sees_every_seller_with_a_running_balance(account):
    a, b, c = account["a"], account["b"], account["c"]
    statement = statement_for(user=account["buyer"], buyer_key=account["key"])
    assert rows(statement) == [
        ("invoice", a.number, D("1000.00"), D("0"), D("1000.00")),
        ("invoice", b.number, D("500.50"), D("0"), D("1500.50")),
        ("payment", a.number, D("0"), D("400.00"), D("1100.50")),
        ("invoice", c.number, D("300.00"), D("0"), D("1400.50")),
        ("payment", a.number, D("0"), D("600.00"), D("800.50")),
        ("bounced", a.number, D("600.00"), D("0"), D("1400.50")),
    ]
    assert statement.closing == D("1400.50")  # 600 + 500.50 + 300: the open balances
    assert statement.invoiced == D("1800.50") and statement.received == D("400.00")
    assert statement.overdue == D("500.50")  # b was due yesterday
    assert statement.seller_name == ""


def test_a_period_carries_an_opening_balance(account):
    statement = statement_for(user=account["buyer"], buyer_key=account["key"], start=day(-9))
    assert statement.opening == D("1500.50")  # a and b, issued before the period
    assert [line.kind for line in statement.lines] == ["payment", "invoice", "payment", "bounced"]
    assert statement.closing == D("1400.50")


def test_the_distributor_sees_only_its_own_invoices(account):
    statement = statement_for(user=account["seller"], buyer_key=account["key"])
    assert account["c"].pk not in {line.invoice.pk for line in statement.lines}
    assert statement.closing == D("1100.50") and statement.seller_name == "Deccan Depot"


def test_anyone_else_gets_no_statement(account):
    key = account["key"]
    assert statement_for(user=DistributorUserFactory(), buyer_key=key) is None
    assert statement_for(user=RetailerUserFactory(), buyer_key=key) is None
    assert statement_for(user=account["buyer"], buyer_key="org-999999") is None
    assert statement_for(user=account["buyer"], buyer_key="nonsense") is None
    assert statement_for(user=finance_user(), buyer_key=key).closing == D("1400.50")


def test_the_pages_and_the_pdf(account, tmp_path):
    url = reverse("invoicing:statement", args=[account["key"]])
    client = Client()
    client.force_login(account["buyer"])
    listing = client.get(reverse("invoicing:list")).content.decode()
    assert url in listing  # the buyer's own statement from its invoices
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ravi Stores" in html and "₹1,400.50" in html and "Insufficient funds" in html
    pdf = client.get(reverse("invoicing:statement_pdf", args=[account["key"]]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "statement.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Statement of account" in text and "Ravi Stores" in text
    assert "₹1,400.50" in text and account["a"].number in text
    bad = client.get(url + "?start=2026-12-10&end=2026-01-01")
    assert bad.status_code == 200 and "ends before it starts" in bad.content.decode()


def test_who_may_open_a_statement(account):
    url = reverse("invoicing:statement", args=[account["key"]])
    for user, status in (
        (account["seller"], 200),
        (finance_user(), 200),
        (DistributorUserFactory(), 404),
        (RetailerUserFactory(), 404),
        (CustomerFactory(), 404),
        (ManufacturerUserFactory(), 403),
    ):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == status, user
        if status == 200:
            assert (
                client.get(url.replace("/statements/", "/statements/") + "pdf/").status_code == 200
            )


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_statement_query_count_does_not_grow_with_its_lines():
    person = CustomerFactory()
    first = invoice_owing("10.00", customer=person)
    client = Client()
    client.force_login(person)
    url = reverse("invoicing:statement", args=[f"user-{person.pk}"])
    invoice_copies(first, 1)
    two = _queries(client, url)
    for copy in invoice_copies(first, 18):
        pay(copy, "1.00")
    assert _queries(client, url) == two
