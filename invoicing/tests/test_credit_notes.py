"""Credit notes (issue 24 §2): numbering, the GST split of the credited lines, the bounds,
the invoice's balance, and the e-mail with the PDF through the outbox."""

import datetime
import subprocess
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.tests.factories import OrganizationFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from invoicing.credit_note_pdf import credit_note_for_document, credit_note_pdf_bytes
from invoicing.credit_notes import credit_note_issue
from invoicing.models import CreditNote, Invoice, InvoiceStatus, PaymentMethod
from invoicing.receipts import invoice_payment_record
from notifications.models import OutboundMessage
from notifications.tests.conftest import SMTPServer, parts
from orders.tests.factories import place_order, stocked_product

from .factories import deliver, invoice_for
from .test_gst_invoice import gstin

pytestmark = pytest.mark.django_db

# This worktree's loopback ports (issue 24 helpers: 18400-18449).
PORTS = range(18400, 18450)
NOON = datetime.datetime(2026, 11, 2, 6, 30, tzinfo=datetime.UTC)


def five_at_100(*, seller_state="27", ship_to_state=None, seller=None, **kwargs):
    """A delivered order of 5 units at ₹100.00 (18 % GST): taxable 500.00, tax 90.00."""
    seller = seller or DistributorFactory(state=seller_state, gstin=gstin(seller_state, "M"))
    product = stocked_product(distributor=seller, price=Decimal("100.00"), hsn_code="9404")
    if ship_to_state is None:
        kwargs.setdefault("fulfillment_type", "pickup")  # intra-state: CGST + SGST
    else:
        buyer = OrganizationFactory(kind="retailer", state=ship_to_state)
        kwargs["customer"] = RetailerUserFactory(organization=buyer)
        kwargs["shipping_address"] = "5 Residency Road, Bengaluru, Karnataka"
    return deliver(place_order(distributor=seller, lines=[(product, 5)], **kwargs)).invoices.get()


def test_a_return_of_2_of_5_units_credits_their_cgst_and_sgst():
    with time_machine.travel(NOON):
        invoice = five_at_100()
        line = invoice.lines.get()
        # 5 x 100.00 = 500.00 taxable; CGST 9 % = 45.00, SGST 45.00; total 590.00.
        assert (invoice.subtotal, invoice.cgst, invoice.sgst, invoice.total) == (
            Decimal("500.00"),
            Decimal("45.00"),
            Decimal("45.00"),
            Decimal("590.00"),
        )
        note = credit_note_issue(
            invoice=invoice, by=None, kind="return", lines={line.pk: 2}, reference="rma:12"
        )
    # 2 of 5 units: 200.00 taxable, CGST 18.00, SGST 18.00, IGST 0, total 236.00.
    assert note.number == "CN-2026-000001"
    assert note.seller_key == invoice.seller_key and note.financial_year == 2026
    assert (note.subtotal, note.cgst, note.sgst, note.igst, note.total) == (
        Decimal("200.00"),
        Decimal("18.00"),
        Decimal("18.00"),
        Decimal("0.00"),
        Decimal("236.00"),
    )
    [credited] = note.lines.all()
    assert (credited.invoice_line_id, credited.quantity, credited.tax_rate) == (
        line.pk,
        2,
        line.tax_rate,
    )
    invoice.refresh_from_db()
    # Balance: 590.00 - 236.00 credited - 0 paid + 0 refunded = 354.00.
    assert invoice.amount_credited == Decimal("236.00")
    assert invoice.balance_due == Decimal("354.00")
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.current_for_shipment_id == invoice.shipment_id  # still the current one


def test_an_inter_state_invoice_is_credited_in_igst():
    invoice = five_at_100(seller_state="27", ship_to_state="29")
    assert invoice.igst == Decimal("90.00") and invoice.cgst == 0
    note = credit_note_issue(
        invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 1}
    )
    # 1 unit: 100.00 taxable, IGST 18 % = 18.00, total 118.00.
    assert (note.subtotal, note.cgst, note.sgst, note.igst, note.total) == (
        Decimal("100.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("18.00"),
        Decimal("118.00"),
    )


def test_credits_cannot_exceed_what_was_invoiced_in_units_or_value():
    invoice = five_at_100()
    line = invoice.lines.get()
    credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 2})
    with pytest.raises(ValidationError) as error:
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 4})
    assert f"line_{line.pk}" in error.value.message_dict
    assert "Only 3 unit(s)" in error.value.message_dict[f"line_{line.pk}"][0]
    # 300.00 of taxable value is left on the line; 300.01 is more.
    with pytest.raises(ValidationError) as error:
        credit_note_issue(
            invoice=invoice, by=None, kind="price", amounts={line.pk: Decimal("300.01")}
        )
    assert f"line_{line.pk}" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk + 999: 1})
    assert "lines" in error.value.message_dict
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: -1})
    with pytest.raises(ValidationError):
        credit_note_issue(invoice=invoice, by=None, kind="bogus")
    assert CreditNote.objects.count() == 1


def test_a_price_correction_then_the_rest_returned_adds_up_to_the_invoice_exactly():
    invoice = five_at_100()
    line = invoice.lines.get()
    # Price correction of 50.00 taxable: CGST 4.50 + SGST 4.50 -> 59.00.
    price = credit_note_issue(
        invoice=invoice, by=None, kind="price", amounts={line.pk: "50.00"}, reason="Damaged box"
    )
    assert (price.subtotal, price.tax, price.total) == (
        Decimal("50.00"),
        Decimal("9.00"),
        Decimal("59.00"),
    )
    assert price.lines.get().quantity == 0
    # 2 of the 5 units: 2/5 of the 450.00 left = 180.00, CGST 16.20 + SGST 16.20.
    two = credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 2})
    assert (two.subtotal, two.cgst, two.total) == (
        Decimal("180.00"),
        Decimal("16.20"),
        Decimal("212.40"),
    )
    # The cancellation takes exactly what is left: 270.00 + 24.30 + 24.30 = 318.60.
    rest = credit_note_issue(invoice=invoice, by=None, kind="cancellation")
    assert (rest.subtotal, rest.cgst, rest.sgst, rest.total) == (
        Decimal("270.00"),
        Decimal("24.30"),
        Decimal("24.30"),
        Decimal("318.60"),
    )
    assert rest.lines.get().quantity == 3
    # 59.00 + 212.40 + 318.60 = 590.00: the invoice, fully credited.
    invoice.refresh_from_db()
    assert invoice.amount_credited == invoice.total == Decimal("590.00")
    assert invoice.status == InvoiceStatus.CREDITED
    assert invoice.balance_due == 0
    assert invoice.current_for_shipment_id is None  # the shipment may be invoiced again
    with pytest.raises(ValidationError) as error:
        credit_note_issue(invoice=invoice, by=None, kind="cancellation")
    assert "Nothing is left" in str(error.value)
    assert [n.number for n in CreditNote.objects.order_by("pk")] == [
        f"CN-{invoice.financial_year}-00000{n}" for n in (1, 2, 3)
    ]


def test_the_last_units_take_the_rounding_remainder():
    seller = DistributorFactory(state="27", gstin=gstin("27", "R"))
    product = stocked_product(distributor=seller, price=Decimal("10.05"))
    order = place_order(distributor=seller, lines=[(product, 3)], fulfillment_type="pickup")
    invoice = deliver(order).invoices.get()
    line = invoice.lines.get()
    # 3 x 10.05 = 30.15; CGST 9 % = 2.7135 -> 2.71 (and SGST). One unit: 10.05 x 9 % =
    # 0.9045 -> 0.90. Two single units take 0.90 each; the last takes 2.71 - 1.80 = 0.91.
    assert line.cgst == Decimal("2.71")
    notes = [
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 1})
        for _ in range(3)
    ]
    assert [n.cgst for n in notes] == [Decimal("0.90"), Decimal("0.90"), Decimal("0.91")]
    assert sum(n.total for n in notes) == invoice.total


def test_each_seller_numbers_its_own_credit_notes_per_financial_year():
    north = DistributorFactory(state="07", gstin=gstin("07", "N"))
    south = DistributorFactory(state="29", gstin=gstin("29", "S"))
    with time_machine.travel(datetime.datetime(2027, 3, 31, 6, tzinfo=datetime.UTC)):
        n1 = five_at_100(seller=north)
        s1 = five_at_100(seller=south)
        a = credit_note_issue(invoice=n1, by=None, kind="return", lines={n1.lines.get().pk: 1})
        b = credit_note_issue(invoice=s1, by=None, kind="return", lines={s1.lines.get().pk: 1})
        c = credit_note_issue(invoice=n1, by=None, kind="return", lines={n1.lines.get().pk: 1})
    with time_machine.travel(datetime.datetime(2027, 4, 1, 6, tzinfo=datetime.UTC)):
        d = credit_note_issue(invoice=n1, by=None, kind="return", lines={n1.lines.get().pk: 1})
    assert [a.number, b.number, c.number, d.number] == [
        "CN-2026-000001",
        "CN-2026-000001",
        "CN-2026-000002",
        "CN-2027-000001",
    ]
    assert (a.seller_key, b.seller_key) == (north.gstin, south.gstin)


def test_it_runs_inside_the_callers_transaction_and_gives_its_number_back_on_rollback():
    invoice = five_at_100()
    line = invoice.lines.get()
    with pytest.raises(RuntimeError), transaction.atomic():
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 1})
        raise RuntimeError("the return's own write failed")
    assert CreditNote.objects.count() == 0
    assert not OutboundMessage.objects.filter(template="credit_note").exists()
    invoice.refresh_from_db()
    assert invoice.amount_credited == 0
    note = credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 1})
    assert note.number.endswith("-000001")


def test_a_paid_invoice_credited_shows_a_credit_owed_to_the_buyer():
    invoice = five_at_100()
    invoice_payment_record(
        invoice=invoice,
        amount=invoice.total,
        method=PaymentMethod.BANK_TRANSFER,
        reference="NEFT-1",
        received_on=invoice.issue_date,
    )
    credit_note_issue(invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 2})
    invoice = Invoice.objects.get(pk=invoice.pk)
    # 590.00 - 236.00 credited - 590.00 paid + 0 refunded = -236.00: owed to the buyer.
    assert invoice.status == InvoiceStatus.PAID
    assert invoice.balance_due == Decimal("-236.00")
    assert invoice.credit_owed == Decimal("236.00")


def test_a_void_invoice_cannot_be_credited():
    from invoicing.services import invoice_void

    invoice = invoice_void(invoice=five_at_100(), by=None, reason="Wrong buyer")
    with pytest.raises(ValidationError) as error:
        credit_note_issue(invoice=invoice, by=None, kind="cancellation")
    assert "invoice" in error.value.message_dict


def test_the_pdf_prints_the_credited_lines_and_their_gst():
    invoice = five_at_100()
    note = credit_note_issue(
        invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 2}
    )
    pdf = credit_note_pdf_bytes(credit_note_for_document(note.pk))
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
        )
        .stdout.decode()
        .split()
    )
    assert note.number in text and invoice.number in text
    assert "Goods returned" in text and "9404" in text
    assert "200.00" in text and "18.00" in text and "236.00" in text
    assert "Rupees two hundred and thirty-six only" in text


@pytest.fixture
def smtp_in_range(settings):
    """The project's SMTP test server, on a port of this worktree's range."""
    for port in PORTS:
        server = SMTPServer(port)
        try:
            server.start()
        except (OSError, RuntimeError):
            continue
        break
    else:
        raise RuntimeError("No free port in 18400-18449")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def test_the_buyer_gets_the_credit_note_by_email_after_commit_with_the_pdf(
    smtp_in_range, django_capture_on_commit_callbacks
):
    retailer = OrganizationFactory(kind="retailer", contact_email="accounts@freshmart.test")
    member = RetailerUserFactory(organization=retailer)
    invoice = invoice_for(customer=member)
    with django_capture_on_commit_callbacks(execute=True):
        note = credit_note_issue(
            invoice=invoice,
            by=None,
            kind="price",
            amounts={invoice.lines.get().pk: "10.00"},
            reason="Agreed discount",
        )
    mails = [
        m
        for m in smtp_in_range.inbox.wait_for(2)
        if f"Credit note {note.number}" in " ".join(m["Subject"].split())
    ]
    assert sorted(m["To"] for m in mails) == sorted([member.email, "accounts@freshmart.test"])
    text, html = parts(mails[0])
    for part in (text, html):
        assert note.number in part and invoice.number in part and "Agreed discount" in part
        assert f"/invoices/credit-notes/{note.seller_slug}/{note.number}/" in part
    [attachment] = list(mails[0].iter_attachments())
    assert attachment.get_filename() == f"{note.number}.pdf"
    body = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=attachment.get_content(),
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert note.number in body and f"{note.total:,.2f}" in body


def test_the_statement_and_the_receivables_follow_credit_notes_and_refunds():
    from invoicing.refunds import refund_record
    from invoicing.selectors import invoice_totals
    from invoicing.statements import Buyer, statement_for
    from reporting.receivables import aged_receivables
    from reporting.selectors import ReportScope

    invoice = five_at_100()
    credit_note_issue(invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 1})
    # 590.00 - 118.00 credited = 472.00 owed.
    totals = invoice_totals(Invoice.objects.filter(pk=invoice.pk))
    assert totals["issued"] == Decimal("472.00")
    table = aged_receivables(scope=ReportScope(ReportScope.ALL))
    assert table.totals["total"] == Decimal("472.00")
    invoice_payment_record(
        invoice=invoice,
        amount="472.00",
        method=PaymentMethod.BANK_TRANSFER,
        reference="NEFT-2",
        received_on=invoice.issue_date,
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.balance_due == 0
    credit_note_issue(invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 1})
    refund_record(invoice=invoice, by=None, amount="118.00", method="cash")
    statement = statement_for(
        user=invoice.customer, buyer_key=Buyer.key_of(invoice), end=invoice.issue_date
    )
    # Invoice 590.00 debit; two credit notes 118.00 credit each; payment 472.00 credit;
    # refund 118.00 debit: 590 - 118 - 118 - 472 + 118 = 0.00.
    kinds = [(line.kind, line.debit, line.credit) for line in statement.lines]
    assert ("credit_note", 0, Decimal("118.00")) in kinds and (
        "refund",
        Decimal("118.00"),
        0,
    ) in kinds
    assert statement.closing == 0 and statement.credited == Decimal("236.00")
    assert statement.received == Decimal("354.00")  # 472.00 in, 118.00 back
