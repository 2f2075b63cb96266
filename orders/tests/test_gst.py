"""GST on orders, the cart and invoices (#15 §2): place of supply, CGST + SGST or IGST,
per-line half-up rounding, tax-inclusive price lists, the rate in force when placed."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from accounts.gst import gstin_check_character
from accounts.tests.factories import CustomerFactory, OrganizationFactory, RetailerUserFactory
from auromart.tax import line_tax, tax_on
from catalog.models import HsnRate
from inventory.tests.factories import DistributorFactory
from invoicing.numbering import financial_year
from invoicing.tests.factories import deliver
from orders.cart import _summary
from orders.tests.factories import place_order, stocked_product
from pricing.tests.factories import price_list

pytestmark = pytest.mark.django_db


def gstin(state: str, letter: str = "A") -> str:
    first14 = f"{state}AADC{letter}1000K1Z"
    return first14 + gstin_check_character(first14)


@pytest.mark.parametrize(
    ("amount", "rate", "intra", "includes", "taxable", "cgst", "igst"),
    [
        # Tax-exclusive: the price is the taxable value; per line, half-up.
        ("1000.00", "0.18", True, False, "1000.00", "90.00", "0"),
        ("0.50", "0.09", False, False, "0.50", "0", "0.05"),  # 0.045 -> 0.05
        ("0.50", "0.18", True, False, "0.50", "0.05", "0"),  # 0.045 each -> 0.05 each
        # Tax-inclusive (an MRP): the taxable value is found back from the gross.
        ("1180.00", "0.18", True, True, "1000.00", "90.00", "0"),
        ("1180.00", "0.18", False, True, "1000.00", "0", "180.00"),
        ("100.00", "0.18", False, True, "84.75", "0", "15.26"),  # 84.75 + 15.255 -> 100.01
        ("105.00", "0.05", True, True, "100.00", "2.50", "0"),
    ],
)
def test_line_tax_table(amount, rate, intra, includes, taxable, cgst, igst):
    taxed = line_tax(
        amount=Decimal(amount), rate=Decimal(rate), intra_state=intra, includes_tax=includes
    )
    assert taxed.taxable == Decimal(taxable)
    assert taxed.cgst == taxed.sgst == Decimal(cgst)  # CGST = SGST on every line
    assert taxed.igst == Decimal(igst)
    if includes and amount != "100.00":
        assert taxed.total == Decimal(amount)  # an inclusive price is what is paid


def _parties():
    seller = DistributorFactory(name="Mumbai depot", state="27", gstin=gstin("27"))
    local = OrganizationFactory(
        kind="retailer", name="Pune shop", state="27", gstin=gstin("27", "B")
    )
    other = OrganizationFactory(
        kind="retailer", name="Delhi shop", state="07", gstin=gstin("07", "C")
    )
    return seller, RetailerUserFactory(organization=local), RetailerUserFactory(organization=other)


def test_intra_state_order_and_invoice_charge_cgst_and_sgst_at_half_the_rate():
    seller, local, _ = _parties()
    HsnRate.objects.create(hsn_code="9404", rate=Decimal("18"), effective_from="2025-09-22")
    mattress = stocked_product(distributor=seller, price=Decimal("999.99"), hsn_code="9404")
    order = place_order(
        customer=local, distributor=seller, lines=[(mattress, 3)], fulfillment_type="pickup"
    )
    assert (order.seller_state, order.place_of_supply) == ("27", "27")  # pickup: buyer's state
    item = order.items.get()
    assert (item.hsn_code, item.tax_rate) == ("9404", Decimal("0.18"))
    # 2999.97 x 9 % = 269.9973 -> 270.00 each
    assert item.cgst == item.sgst == Decimal("270.00") and item.igst == 0
    assert order.tax == Decimal("540.00") and order.total == Decimal("3539.97")
    invoice = deliver(order).invoices.get()
    assert invoice.cgst == invoice.sgst == Decimal("270.00") and invoice.igst == 0
    assert (invoice.seller_gstin, invoice.buyer_gstin) == (seller.gstin, local.organization.gstin)
    assert invoice.place_of_supply == "27" and invoice.total == order.total


def test_inter_state_delivery_charges_igst_and_the_delivery_state_wins():
    seller, local, other = _parties()
    product = stocked_product(distributor=seller, price=Decimal("1000.00"))
    # A Pune retailer having it delivered to Delhi: the place of supply is Delhi.
    order = place_order(
        customer=local,
        distributor=seller,
        lines=[(product, 1)],
        shipping_address="Warehouse 4\nOkhla, New Delhi 110020",
    )
    assert (order.shipping_state, order.place_of_supply) == ("07", "07")
    assert order.igst == Decimal("180.00") and order.cgst == order.sgst == 0
    # A chosen state beats the text.
    order = place_order(
        customer=other,
        distributor=seller,
        lines=[(stocked_product(distributor=seller, price=Decimal("10.00")), 1)],
        shipping_address="Somewhere, New Delhi",
        shipping_state="27",
    )
    assert order.place_of_supply == "27" and order.cgst == order.sgst == Decimal("0.90")
    invoice = deliver(order).invoices.get()
    assert invoice.igst == 0 and invoice.cgst == Decimal("0.90")


def test_an_unknown_state_code_is_a_field_error():
    seller, local, _ = _parties()
    with pytest.raises(ValidationError) as caught:
        place_order(customer=local, distributor=seller, shipping_state="42")
    assert "shipping_state" in caught.value.message_dict


def test_a_tax_inclusive_list_gives_taxable_1000_and_tax_180_in_cart_order_invoice_and_report():
    from reporting.selectors import ReportScope, monthly_report

    seller = DistributorFactory(state="27", gstin=gstin("27"))
    HsnRate.objects.create(hsn_code="8471", rate=Decimal("18"), effective_from="2025-09-22")
    laptop = stocked_product(distributor=seller, price=Decimal("1500.00"), hsn_code="8471")
    mrp = price_list(assign="customers", lines=[(laptop, 1, "1180.00")], prices_include_tax=True)
    assert mrp.prices_include_tax
    customer = CustomerFactory()

    cart = _summary(seller, {laptop.pk: 1}, None)
    assert cart.lines[0].line_total == Decimal("1180.00")  # the price as quoted
    assert (cart.totals.subtotal, cart.totals.tax, cart.totals.total) == (
        Decimal("1000.00"),
        Decimal("180.00"),
        Decimal("1180.00"),
    )
    order = place_order(
        customer=customer,
        distributor=seller,
        lines=[(laptop, 1)],
        shipping_address="1 Marine Drive, Mumbai, Maharashtra",
    )
    item = order.items.get()
    assert item.unit_price == Decimal("1180.00") and item.prices_include_tax
    assert item.line_total == order.subtotal == Decimal("1000.00")
    assert order.tax == Decimal("180.00") and order.cgst == order.sgst == Decimal("90.00")
    assert order.total == Decimal("1180.00")
    invoice = deliver(order).invoices.get()
    line = invoice.lines.get()
    assert (line.line_total, line.cgst + line.sgst) == (Decimal("1000.00"), Decimal("180.00"))
    assert (invoice.subtotal, invoice.tax, invoice.total) == (
        Decimal("1000.00"),
        Decimal("180.00"),
        Decimal("1180.00"),
    )
    today = order.created_at.date()
    report = monthly_report(
        scope=ReportScope.for_user(CustomerFactory(is_staff=True, is_superuser=True)),
        year=today.year,
        month=today.month,
    )
    assert report.tax == Decimal("180.00")
    assert (report.cgst, report.sgst, report.igst) == (
        Decimal("90.00"),
        Decimal("90.00"),
        Decimal("0.00"),
    )


def test_a_rate_change_applies_to_orders_placed_after_it_only():
    seller = DistributorFactory(state="27")
    shirt = stocked_product(distributor=seller, price=Decimal("1000.00"), hsn_code="6109")
    HsnRate.objects.create(hsn_code="6109", rate=Decimal("5"), effective_from="2025-09-22")
    HsnRate.objects.create(hsn_code="6109", rate=Decimal("18"), effective_from="2027-01-01")
    with time_machine.travel(datetime.datetime(2026, 12, 31, 12, tzinfo=datetime.UTC)):
        before = place_order(distributor=seller, lines=[(shirt, 1)], fulfillment_type="pickup")
    with time_machine.travel(datetime.datetime(2027, 1, 2, 12, tzinfo=datetime.UTC)):
        after = place_order(distributor=seller, lines=[(shirt, 1)], fulfillment_type="pickup")
        invoice = deliver(before).invoices.get()  # invoiced after the change
    assert before.items.get().tax_rate == Decimal("0.05") and before.tax == Decimal("50.00")
    assert after.items.get().tax_rate == Decimal("0.18") and after.tax == Decimal("180.00")
    assert invoice.tax == Decimal("50.00")  # the rate the order was placed at


def test_a_partial_shipment_is_taxed_by_the_same_rule_on_its_part():
    seller = DistributorFactory(state="27")
    product = stocked_product(distributor=seller, price=Decimal("33.33"))
    order = place_order(distributor=seller, lines=[(product, 3)], fulfillment_type="pickup")
    item = order.items.get()
    part = line_tax(amount=Decimal("33.33"), rate=item.tax_rate, intra_state=True)
    assert part == tax_on(taxable=Decimal("33.33"), rate=Decimal("0.18"), intra_state=True)


def test_financial_year_runs_april_to_march():
    assert financial_year(datetime.date(2027, 3, 31)) == 2026
    assert financial_year(datetime.date(2027, 4, 1)) == 2027
