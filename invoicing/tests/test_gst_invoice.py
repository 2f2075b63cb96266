"""GST tax invoices (#15 §2): numbers per seller and financial year, the PDF's GST parts,
totals that reconcile to the paisa."""

import datetime
import random
from decimal import Decimal

import pytest
import time_machine

from accounts.gst import gstin_check_character
from accounts.tests.factories import OrganizationFactory, RetailerUserFactory
from auromart.tax import hsn_summary, line_tax
from inventory.tests.factories import DistributorFactory
from invoicing import services
from invoicing.gst import amount_in_words
from invoicing.models import InvoiceLine
from invoicing.selectors import invoice_detail
from orders.tests.factories import place_order, stocked_product

from .factories import deliver, delivered_order
from .test_pdf import pdf_text, words

pytestmark = pytest.mark.django_db


def gstin(state: str, letter: str) -> str:
    first14 = f"{state}AABC{letter}1234F1Z"
    return first14 + gstin_check_character(first14)


def test_two_distributors_each_start_their_own_series():
    north = DistributorFactory(gstin=gstin("07", "N"))
    south = DistributorFactory(gstin=gstin("29", "S"))
    none = DistributorFactory(gstin="")
    with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)):
        first_n = delivered_order(distributor=north).invoices.get()
        first_s = delivered_order(distributor=south).invoices.get()
        first_x = delivered_order(distributor=none).invoices.get()
        second_n = delivered_order(distributor=north).invoices.get()
    assert first_n.number == first_s.number == first_x.number == "INV-2026-000001"
    assert second_n.number == "INV-2026-000002"
    assert (first_n.seller_key, first_x.seller_key) == (north.gstin, f"org:{none.pk}")
    assert first_n.seller_gstin == north.gstin


def test_the_financial_year_rolls_over_on_1_april():
    seller = DistributorFactory(gstin=gstin("27", "M"))
    numbers = []
    for day in ("2027-03-30", "2027-03-31", "2027-04-01", "2027-04-02"):
        moment = datetime.datetime.fromisoformat(day).replace(hour=10, tzinfo=datetime.UTC)
        with time_machine.travel(moment):
            invoice = delivered_order(distributor=seller).invoices.get()
            numbers.append((invoice.number, invoice.financial_year))
    assert numbers == [
        ("INV-2026-000001", 2026),
        ("INV-2026-000002", 2026),
        ("INV-2027-000001", 2027),
        ("INV-2027-000002", 2027),
    ]


def test_amount_in_words_uses_lakh_and_crore():
    assert amount_in_words(Decimal("547365.50")) == (
        "Rupees five lakh, forty-seven thousand, three hundred and sixty-five and fifty paise only"
    )
    assert amount_in_words(Decimal("12300000")) == "Rupees one crore, twenty-three lakh only"


def test_the_pdf_shows_gstins_place_of_supply_hsn_summary_and_amount_in_words():
    seller = DistributorFactory(
        name="Mumbai depot", state="27", gstin=gstin("27", "M"), phone="+91 22 4000 0000"
    )
    buyer = OrganizationFactory(kind="retailer", state="29", gstin=gstin("29", "K"))
    lines = [
        (stocked_product(distributor=seller, price=Decimal("100.00"), hsn_code="9404"), 2),
        (stocked_product(distributor=seller, price=Decimal("50.00"), hsn_code="6109"), 1),
    ]
    order = place_order(
        customer=RetailerUserFactory(organization=buyer),
        distributor=seller,
        lines=lines,
        shipping_address="5 Residency Road, Bengaluru, Karnataka",
    )
    invoice = deliver(order).invoices.get()
    text = pdf_text(services.invoice_pdf_bytes(invoice_detail(pk=invoice.pk)), mode="-raw")
    flat = " ".join(text.split())
    assert f"GSTIN: {seller.gstin}" in flat and f"GSTIN: {buyer.gstin}" in flat
    assert "29 Karnataka" in flat and "IGST (inter-state)" in flat
    assert "HSN SUMMARY" in flat and "9404" in flat and "6109" in flat
    assert "Amount in words: " + amount_in_words(invoice.total) in flat
    assert "· " not in flat.split("SELLER", 1)[1].split("BILL TO", 1)[0]  # no stray dot


def test_a_long_seller_email_and_address_wrap_inside_the_seller_column():
    seller = DistributorFactory(
        name="Depot",
        address="Unit 4, Very Long Industrial Estate Road Number Seventeen, Andheri East",
        contact_email="accounts.receivable.department@a-very-long-company-domain-name.example.com",
        phone="",
    )
    invoice = delivered_order(distributor=seller).invoices.get()
    found = words(services.invoice_pdf_bytes(invoice_detail(pk=invoice.pk)))
    bill_to_x = next(x0 for text, x0, *_ in found if text == "BILL")
    seller_x = next(x0 for text, x0, *_ in found if text == "SELLER")
    # Every word of the seller block (between the headings and the lines table)
    # ends before the Bill-to column starts.
    top = next(y0 for text, _, y0, *_ in found if text == "SELLER")
    table = next(y0 for text, _, y0, *_ in found if text == "Item")
    seller_words = [w for w in found if top <= w[2] < table and w[1] < bill_to_x - 1]
    assert any("accounts.receivable" in w[0] for w in seller_words)
    assert all(x1 < bill_to_x for _, x0, _, x1, _ in seller_words if x0 >= seller_x)
    joined = "".join(w[0] for w in seller_words)
    assert seller.contact_email in joined  # wrapped, all there


def test_a_200_line_invoice_with_mixed_rates_reconciles_to_the_paisa():
    seller = DistributorFactory(state="27")
    order = place_order(distributor=seller, fulfillment_type="pickup")  # intra-state
    invoice = deliver(order).invoices.get()
    rng = random.Random(15)
    rates = [Decimal(r) for r in ("0", "0.0025", "0.03", "0.05", "0.18", "0.40")]
    product_id = invoice.lines.get().product_id
    InvoiceLine.objects.filter(invoice=invoice).delete()
    made = []
    for position in range(1, 201):
        rate = rng.choice(rates)
        price = Decimal(rng.randint(1, 999_999)) / 100
        quantity = rng.randint(1, 37)
        taxed = line_tax(
            amount=price * quantity,
            rate=rate,
            intra_state=True,
            includes_tax=position % 3 == 0,
        )
        made.append(
            InvoiceLine(
                invoice=invoice,
                position=position,
                product_id=product_id,
                sku=f"SKU-{position:04d}",
                description=f"Line {position}",
                quantity=quantity,
                unit_price=price,
                line_total=taxed.taxable,
                prices_include_tax=position % 3 == 0,
                hsn_code=f"{1000 + position % 7}",
                tax_rate=rate,
                cgst=taxed.cgst,
                sgst=taxed.sgst,
            )
        )
    InvoiceLine.objects.bulk_create(made)
    subtotal = sum(line.line_total for line in made)
    cgst = sum(line.cgst for line in made)
    type(invoice).objects.filter(pk=invoice.pk).update(
        subtotal=subtotal, cgst=cgst, sgst=cgst, igst=0, tax=2 * cgst, total=subtotal + 2 * cgst
    )
    invoice = invoice_detail(pk=invoice.pk)
    lines = list(invoice.lines.all())
    summary = hsn_summary(lines)
    assert sum(row.taxable for row in summary) == invoice.subtotal
    assert sum(row.cgst for row in summary) == invoice.cgst == invoice.sgst
    assert sum(row.tax for row in summary) == invoice.tax
    assert invoice.subtotal + invoice.cgst + invoice.sgst + invoice.igst == invoice.total
    # Each line's tax is its own rounding of its taxable value at its rate.
    for line in lines:
        assert line.cgst == (line.line_total * line.tax_rate / 2).quantize(
            Decimal("0.01"), "ROUND_HALF_UP"
        )
    text = pdf_text(services.invoice_pdf_bytes(invoice), mode="-raw")
    from auromart.formatting import money_display

    assert money_display(invoice.total) in text and money_display(invoice.cgst) in text
