"""The invoice PDF: what it says, how it breaks across pages, where it is kept."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from accounts.tests.factories import CustomerFactory
from auromart.formatting import money_display
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.models import Invoice, InvoiceLine
from invoicing.selectors import invoice_detail
from orders.tests.factories import stocked_product

from .factories import delivered_order

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, page: int | None = None, *, mode: str = "-layout") -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", mode, *pages, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def words(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """(text, x_min, y_min, x_max, y_max) of every word on the first page, in PDF points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        (text, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in re.findall(pattern, html)
    ]


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    line = next(x for x in info.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def invoice_with_lines(count: int, **distributor_fields):
    distributor = DistributorFactory(**distributor_fields)
    lines = [
        (
            stocked_product(
                distributor=distributor,
                sku=f"SKU-{n:04d}",
                name=f"Item number {n:04d}",
                price=Decimal("10.25") + n,
            ),
            n % 4 + 1,
        )
        for n in range(1, count + 1)
    ]
    return delivered_order(distributor=distributor, lines=lines).invoices.get()


def test_the_pdf_holds_the_number_every_line_the_tax_and_the_total():
    invoice = invoice_with_lines(
        3, name="Deccan Distribution", address="Plot 7, Peenya", city="Bengaluru"
    )
    pdf = services.invoice_pdf_bytes(invoice_detail(pk=invoice.pk))
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert invoice.number in text and invoice.order.number in text
    for line in invoice.lines.all():
        assert line.sku in text and line.description in text
        assert money_display(line.line_total) in text
    # 11.25x2 + 12.25x3 + 13.25x4 = 112.25; intra-state (the seller's state is the
    # place of supply): CGST and SGST at 9 % per line, half-up: 2.03 + 3.31 + 4.77
    assert invoice.subtotal == Decimal("112.25") and invoice.tax == Decimal("20.22")
    assert invoice.cgst == invoice.sgst == Decimal("10.11")
    assert "CGST" in text and "SGST" in text and "IGST (inter-state)" not in text
    assert "₹10.11" in text and "₹132.47" in text
    assert "Deccan Distribution" in text and "Plot 7, Peenya" in text
    assert invoice.buyer_name in text
    assert "Page 1 of 1" in text


def test_a_200_line_invoice_spans_pages_with_the_header_repeated_and_page_numbers():
    # An order has at most 100 lines, so the invoice of a 100-line order gets
    # 100 more: this is about the layout, not about how lines come to be.
    invoice = invoice_with_lines(100)
    first = invoice.lines.first()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=n,
                product_id=first.product_id,
                sku=f"SKU-{n:04d}",
                description=f"Item number {n:04d}",
                quantity=1,
                unit_price=Decimal("1.00"),
                line_total=Decimal("1.00"),
            )
            for n in range(101, 201)
        ]
    )
    pdf = services.invoice_pdf_bytes(invoice_detail(pk=invoice.pk))
    pages = page_count(pdf)
    assert pages >= 4
    seen = set()
    for page in range(1, pages + 1):
        text = pdf_text(pdf, page)
        assert f"Page {page} of {pages}" in text
        assert invoice.number in text  # in the footer of every page
        seen.update(word for word in text.split() if word.startswith("SKU-") and word[4:].isdigit())
        if page < pages:
            # Every page that carries lines starts its table with the header row.
            # (two text lines: "Unit price" and "Taxable value" wrap in their columns)
            rows = text.splitlines()
            at = next(n for n, line in enumerate(rows) if "Item (SKU)" in line)
            header = " ".join(rows[max(at - 1, 0) : at + 2])
            assert all(h in header for h in ("SKU", "HSN", "Qty", "Unit", "Taxable", "Rate")), (
                header
            )
    assert seen == {f"SKU-{n:04d}" for n in range(1, 201)}
    assert money_display(invoice.total) in pdf_text(pdf, pages)


def test_the_pdf_is_stored_under_media_root_and_rendered_again_when_missing(settings):
    invoice = delivered_order().invoices.get()
    path = services.invoice_pdf_ensure(invoice=invoice)
    year = invoice.issue_date.year
    assert path == f"invoices/{year}/{invoice.seller_slug}/{invoice.number}.pdf"
    assert default_storage.path(path).startswith(str(settings.MEDIA_ROOT))
    invoice.refresh_from_db()
    assert invoice.pdf == path and invoice.pdf_rendered_at is not None
    first = default_storage.open(path).read()
    assert invoice.number in pdf_text(first)

    default_storage.delete(path)
    assert services.invoice_pdf_ensure(invoice=invoice) == path
    assert default_storage.exists(path)
    assert services.invoice_pdf_ensure(invoice=invoice) == path  # there: not rendered again


def test_a_void_invoice_is_rendered_again_marked_void():
    invoice = delivered_order().invoices.get()
    services.invoice_pdf_ensure(invoice=invoice)
    void = services.invoice_void(
        invoice=invoice, by=CustomerFactory(is_staff=True), reason="Wrong address"
    )
    assert void.pdf == ""
    text = pdf_text(default_storage.open(services.invoice_pdf_ensure(invoice=void)).read())
    assert "This invoice is void: Wrong address" in text
    assert invoice.number in text


def test_markup_in_a_product_name_is_printed_as_text():
    distributor = DistributorFactory()
    product = stocked_product(
        distributor=distributor, name='<img src="http://203.0.113.9/x.png"> Tea'
    )
    invoice = delivered_order(distributor=distributor, lines=[(product, 1)]).invoices.get()
    # -raw: the description column is narrow since the GST columns and wraps the name.
    text = pdf_text(services.invoice_pdf_bytes(invoice_detail(pk=invoice.pk)), mode="-raw")
    assert '<img src="http://203.0.113.9/x.png"> Tea' in " ".join(text.split())


def test_a_paid_invoice_is_marked_paid():
    invoice = delivered_order().invoices.get()
    paid = services.invoice_mark_paid(
        invoice=invoice, by=CustomerFactory(is_staff=True), reference="UTR 42"
    )
    # -raw: the layout mode scatters the letters of the rotated stamp.
    text = pdf_text(services.invoice_pdf_bytes(invoice_detail(pk=paid.pk)), mode="-raw")
    assert "PAID" in text.split() and "(reference UTR 42). Thank you." in text
    assert "Please pay" not in text


def test_long_amounts_and_skus_stay_in_their_columns():
    # The lines table has a fixed layout (cheaper to render): the money columns
    # are sized from the largest amounts and a long SKU wraps, so nothing may
    # run into the next column or past the right margin.
    invoice = invoice_with_lines(2)
    first, second = invoice.lines.order_by("position")
    long_sku = "TEA-ASSAM-500G-EXPORT-GRADE-SECOND-FLUSH"
    InvoiceLine.objects.filter(pk=first.pk).update(
        sku=long_sku,
        quantity=1000000,
        unit_price=Decimal("9999999.99"),
        line_total=Decimal("99999990000.00"),
    )
    Invoice.objects.filter(pk=invoice.pk).update(
        subtotal=Decimal("99999990000.00") + second.line_total,
        total=Decimal("99999990000.00") + second.line_total,
    )
    pdf = services.invoice_pdf_bytes(invoice_detail(pk=invoice.pk))
    found = words(pdf)
    texts = [text for text, *_ in found]
    assert "₹99,99,999.99" in texts and "₹99,99,99,90,000.00" in texts
    assert long_sku in "".join(texts)  # wrapped over several lines, but all there
    right_margin = 595.28 - 16 / 25.4 * 72 + 0.5  # A4, 16 mm margins (document.css)
    assert [word for word in found if word[3] > right_margin] == []
    for n, (a, ax0, ay0, ax1, ay1) in enumerate(found):
        for b, bx0, by0, bx1, by1 in found[n + 1 :]:
            overlap = min(ax1, bx1) - max(ax0, bx0) > 0.5 and min(ay1, by1) - max(ay0, by0) > 0.5
            assert not overlap, f"{a!r} and {b!r} overlap"
