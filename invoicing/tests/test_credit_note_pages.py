"""Credit note, refund and reissue pages and API (issue 24 §2-§4): who may do what, the form
bounds and field errors, the reissue of a fully credited invoice, constant query counts."""

import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import DistributorUserFactory, RetailerUserFactory
from inventory.tests.factories import DistributorFactory
from invoicing.credit_notes import credit_note_issue
from invoicing.models import CreditNote, Invoice, InvoiceStatus, PaymentMethod, Refund
from invoicing.receipts import invoice_payment_record
from invoicing.reissue import invoice_reissue
from invoicing.selectors import invoice_detail
from invoicing.services import invoice_pdf_bytes
from orders.tests.factories import place_order, stocked_product

from .factories import deliver

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(out.stdout.decode().split())


@pytest.fixture
def sale():
    """A retailer's invoice from a distributor: 5 units at ₹100.00 + 18 % GST = ₹590.00."""
    seller = DistributorFactory(state="27")
    member = DistributorUserFactory(organization=seller)
    buyer = RetailerUserFactory()
    product = stocked_product(distributor=seller, price=Decimal("100.00"))
    order = place_order(
        customer=buyer, distributor=seller, lines=[(product, 5)], fulfillment_type="pickup"
    )
    invoice = deliver(order).invoices.get()
    return {"seller": member, "buyer": buyer, "invoice": invoice, "product": product}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(name, invoice):
    return reverse(f"invoicing:{name}", args=[invoice.seller_slug, invoice.number])


def test_the_seller_issues_a_price_correction_with_bounded_amounts(sale):
    invoice, client = sale["invoice"], client_for(sale["seller"])
    line = invoice.lines.get()
    page = client.get(url("credit_note_new", invoice))
    assert page.status_code == 200
    assert f'name="line_{line.pk}"' in page.content.decode()
    assert 'max="500.00"' in page.content.decode()  # the line's taxable value

    too_much = client.post(
        url("credit_note_new", invoice),
        {"kind": "price", f"line_{line.pk}": "500.01", "reason": "Rate agreed"},
    )
    assert too_much.status_code == 200
    assert f"line_{line.pk}" in too_much.context["form"].errors
    nothing = client.post(url("credit_note_new", invoice), {"kind": "price", "reason": "x"})
    assert nothing.context["form"].non_field_errors()
    assert not CreditNote.objects.exists()

    done = client.post(
        url("credit_note_new", invoice),
        {"kind": "price", f"line_{line.pk}": "50.00", "reason": "Rate agreed"},
    )
    note = CreditNote.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse(
        "invoicing:credit_note_detail", args=[note.seller_slug, note.number]
    )
    # 50.00 + CGST 4.50 + SGST 4.50.
    assert note.total == Decimal("59.00") and note.created_by == sale["seller"]


def test_the_buyer_sees_the_credit_note_on_its_invoice_and_downloads_it(sale):
    invoice = sale["invoice"]
    note = credit_note_issue(
        invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 2}
    )
    buyer = client_for(sale["buyer"])
    page = buyer.get(url("detail", invoice)).content.decode()
    assert note.number in page and "Issue credit note" not in page
    assert "354.00" in page  # 590.00 - 236.00 left to pay
    detail = buyer.get(
        reverse("invoicing:credit_note_detail", args=[note.seller_slug, note.number])
    )
    assert detail.status_code == 200 and "236.00" in detail.content.decode()
    pdf = buyer.get(reverse("invoicing:credit_note_pdf", args=[note.seller_slug, note.number]))
    assert pdf["Content-Type"] == "application/pdf"
    assert note.number in pdf_text(b"".join(pdf.streaming_content))
    # A buyer does not issue credit notes or refunds on its own invoice.
    assert buyer.get(url("credit_note_new", invoice)).status_code == 403
    assert buyer.get(url("refund_new", invoice)).status_code == 403
    # Another organization's member does not see it at all.
    stranger = client_for(RetailerUserFactory())
    assert (
        stranger.get(
            reverse("invoicing:credit_note_detail", args=[note.seller_slug, note.number])
        ).status_code
        == 404
    )
    other_seller = client_for(DistributorUserFactory())
    assert (
        other_seller.get(
            reverse("invoicing:credit_note_pdf", args=[note.seller_slug, note.number])
        ).status_code
        == 404
    )
    assert other_seller.get(url("credit_note_new", invoice)).status_code == 404


def test_a_fully_credited_invoice_is_reissued_with_a_new_number(sale):
    """Acceptance "Reissue": credit in full, invoice the shipment again; the old one shows the
    credit note (page and PDF), the new one names the one it replaces."""
    invoice, seller = sale["invoice"], client_for(sale["seller"])
    shipment = invoice.shipment
    # Not credited yet: no reissue.
    refused = seller.post(url("reissue", invoice))
    assert refused.status_code == 302 and Invoice.objects.count() == 1

    seller.post(url("credit_note_new", invoice), {"kind": "cancellation", "reason": "Wrong GSTIN"})
    note = CreditNote.objects.get()
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED and note.total == invoice.total

    done = seller.post(url("reissue", invoice))
    new = Invoice.objects.exclude(pk=invoice.pk).get()
    assert done["Location"] == url("detail", new)
    year = invoice.financial_year
    assert (invoice.number, new.number) == (f"INV-{year}-000001", f"INV-{year}-000002")
    assert new.replaces_id == invoice.pk and new.shipment_id == shipment.pk
    assert new.total == invoice.total and new.lines.get().quantity == 5
    shipment.refresh_from_db()
    assert shipment.invoice == new  # the shipment's current invoice
    # Nothing of the old invoice was edited: same number, lines, total.
    old = Invoice.objects.get(pk=invoice.pk)
    assert (old.number, old.total, old.lines.get().quantity) == (invoice.number, invoice.total, 5)

    old_page = seller.get(url("detail", old)).content.decode()
    assert note.number in old_page and new.number in old_page and "Credited in full" in old_page
    new_page = seller.get(url("detail", new)).content.decode()
    assert "This invoice replaces" in new_page and old.number in new_page
    old_pdf = pdf_text(invoice_pdf_bytes(invoice_detail(pk=old.pk)))
    assert note.number in old_pdf and "credited in full" in old_pdf
    assert f"Replaced by invoice {new.number}" in old_pdf
    # Page 1 says so too: nothing to pay on the old one; the new one names what it replaces.
    assert "Cancelled in full by credit note" in old_pdf and "Please pay" not in old_pdf
    new_pdf = pdf_text(invoice_pdf_bytes(invoice_detail(pk=new.pk)))
    assert f"Replaces {old.number}" in " ".join(new_pdf.split())
    # Once is enough: a second reissue is refused.
    with pytest.raises(Exception, match="already"):
        invoice_reissue(invoice=old, by=None)
    assert Invoice.objects.count() == 2


def test_a_void_invoice_can_be_reissued_too(sale):
    from invoicing.services import invoice_void

    invoice = invoice_void(invoice=sale["invoice"], by=None, reason="Wrong address")
    new = invoice_reissue(invoice=invoice, by=None)
    assert new.replaces_id == invoice.pk and new.number.endswith("000002")


def test_the_refund_form_is_bounded_by_what_is_owed(sale):
    invoice, seller = sale["invoice"], client_for(sale["seller"])
    invoice_payment_record(
        invoice=invoice,
        amount=invoice.total,
        method=PaymentMethod.BANK_TRANSFER,
        reference="NEFT-9",
        received_on=invoice.issue_date,
    )
    credit_note_issue(invoice=invoice, by=None, kind="return", lines={invoice.lines.get().pk: 1})
    page = seller.get(url("detail", invoice)).content.decode()
    assert "Owed to the buyer" in page and "118.00" in page
    form = seller.get(url("refund_new", invoice))
    key = form.context["form"].initial["idempotency_key"]
    assert 'value="gateway"' not in form.content.decode()  # not paid online
    too_much = seller.post(
        url("refund_new", invoice),
        {"amount": "118.01", "method": "bank_transfer", "reference": "R1", "idempotency_key": key},
    )
    assert "amount" in too_much.context["form"].errors
    posted = {"amount": "118.00", "method": "bank_transfer", "reference": "R1"}
    ok = seller.post(url("refund_new", invoice), {**posted, "idempotency_key": key})
    assert ok.status_code == 302
    seller.post(url("refund_new", invoice), {**posted, "idempotency_key": key})  # double click
    assert Refund.objects.count() == 1
    invoice.refresh_from_db()
    # 590 - 118 credited - 590 paid + 118 refunded = 0.
    assert invoice.balance_due == 0 and invoice.amount_refunded == Decimal("118.00")


def test_the_credit_note_list_page_runs_a_constant_number_of_queries(
    sale, django_assert_max_num_queries
):
    seller = client_for(sale["seller"])
    invoice = sale["invoice"]
    line = invoice.lines.get()
    credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 1})
    with django_assert_max_num_queries(12) as few:
        assert seller.get(reverse("invoicing:credit_notes")).status_code == 200
    for _ in range(4):
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 1})
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = seller.get(reverse("invoicing:credit_notes"))
    assert page.content.decode().count("CN-") >= 5
    invoices = seller.get(reverse("invoicing:list")).content.decode()
    assert f'href="{reverse("invoicing:credit_notes")}"' in invoices


def test_the_api_issues_lists_and_refunds(sale, django_assert_max_num_queries):
    invoice = sale["invoice"]
    line = invoice.lines.get()
    api = APIClient()
    api.force_authenticate(sale["seller"])
    base = f"/api/invoices/{invoice.pk}"
    over = api.post(
        f"{base}/credit-notes",
        {
            "kind": "price",
            "amounts": [{"invoice_line_id": line.pk, "amount": "500.01"}],
            "reason": "x",
        },
        format="json",
    )
    assert over.status_code == 400 and f"line_{line.pk}" in over.json()["errors"]
    assert api.post(f"{base}/credit-notes", {"kind": "return", "reason": "x"}).status_code == 400
    made = api.post(
        f"{base}/credit-notes",
        {
            "kind": "price",
            "amounts": [{"invoice_line_id": line.pk, "amount": "100"}],
            "reason": "x",
        },
        format="json",
    )
    assert made.status_code == 201
    body = made.json()
    assert body["total"] == "118.00" and body["lines"][0]["cgst"] == "9.00"
    # Nothing was paid: nothing to refund.
    refused = api.post(f"{base}/refunds", {"amount": "1.00", "method": "cash"}, format="json")
    assert refused.status_code == 400 and "amount" in refused.json()["errors"]
    with django_assert_max_num_queries(8) as few:
        assert api.get("/api/credit-notes").status_code == 200
    for _ in range(3):
        credit_note_issue(invoice=invoice, by=None, kind="return", lines={line.pk: 1})
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed = api.get("/api/credit-notes").json()
    assert listed["count"] == 4
    detail = api.get(f"/api/credit-notes/{body['id']}")
    assert detail.status_code == 200 and detail.json()["number"] == body["number"]
    # The buyer reads but does not write; a stranger gets 404.
    buyer = APIClient()
    buyer.force_authenticate(sale["buyer"])
    assert buyer.get(f"{base}/credit-notes").status_code == 200
    assert (
        buyer.post(f"{base}/credit-notes", {"kind": "cancellation", "reason": "x"}).status_code
        == 403
    )
    stranger = APIClient()
    stranger.force_authenticate(RetailerUserFactory())
    assert stranger.get(f"/api/credit-notes/{body['id']}").status_code == 404
    assert stranger.get(f"{base}/refunds").status_code == 404


def test_the_admin_shows_credit_notes_read_only(sale):
    from django.contrib.auth.models import Group

    from accounts.tests.factories import UserFactory

    invoice = sale["invoice"]
    note = credit_note_issue(invoice=invoice, by=None, kind="cancellation")
    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get(name="Finance"))
    client = client_for(staff)
    listing = client.get(reverse("admin:invoicing_creditnote_changelist"))
    assert listing.status_code == 200 and note.number in listing.content.decode()
    page = client.get(reverse("admin:invoicing_creditnote_change", args=[note.pk]))
    assert page.status_code == 200 and invoice.lines.get().sku in page.content.decode()
    assert 'name="number"' not in page.content.decode()  # nothing to edit
    assert client.get(reverse("admin:invoicing_creditnote_add")).status_code == 403
    assert (
        client.get(reverse("admin:invoicing_creditnote_delete", args=[note.pk])).status_code == 403
    )
    # Finance staff issue credit notes on any invoice's page too.
    assert client.get(url("credit_note_new", invoice)).status_code == 200
