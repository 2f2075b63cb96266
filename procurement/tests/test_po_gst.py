"""Purchase orders carry GST from the buyer's side: both GSTINs, the place of supply (the
distributor's state), each line's HSN code and rate, CGST + SGST or IGST per line."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from accounts.tests.factories import OrganizationFactory
from catalog.models import HsnRate
from catalog.tests.factories import ProductFactory
from inventory.tests.factories import DistributorFactory, StockItemFactory
from invoicing.tests.test_pdf import pdf_text
from orders.tests.factories import place_order
from procurement import services
from procurement.models import ProcurementRequest

from .factories import procurement_staff

pytestmark = pytest.mark.django_db

MAHARASHTRA, KARNATAKA = "27AAPFU0939F1ZV", "29AAGCB7383J1Z4"


def approved_po(*, supplier_gstin: str, supplier_state: str):
    HsnRate.objects.create(
        hsn_code="0902", rate=Decimal("5"), effective_from=datetime.date(2025, 9, 22)
    )
    supplier = OrganizationFactory(
        kind="manufacturer", name="Tea Co", gstin=supplier_gstin, state=supplier_state
    )
    distributor = DistributorFactory(name="Depot", gstin=KARNATAKA, state="29")
    product = ProductFactory(
        manufacturer=supplier,
        supplier=supplier,
        hsn_code="0902",
        reorder_level=10,
        reorder_quantity=40,
        price=Decimal("400.00"),
        cost_price=Decimal("310.55"),
    )
    StockItemFactory(product=product, distributor=distributor, on_hand=14)
    place_order(distributor=distributor, lines=[(product, 5)])  # 9 left: a request for 40
    request = ProcurementRequest.objects.get()
    return services.procurement_request_approve(request=request, by=procurement_staff())


def test_an_intra_state_po_charges_cgst_and_sgst_at_half_the_hsn_rate():
    po = approved_po(supplier_gstin=KARNATAKA, supplier_state="29")
    line = po.lines.get()
    # 40 x 310.55 = 12,422.00 at 5 %: 2.5 % each = 310.55
    assert (line.hsn_code, line.tax_rate, line.line_total) == ("0902", Decimal("0.05"), 12422)
    assert (line.cgst, line.sgst, line.igst) == (Decimal("310.55"), Decimal("310.55"), 0)
    assert (po.place_of_supply, po.supplier_gstin, po.buyer_gstin) == (
        "29",
        po.buyer_gstin,
        KARNATAKA,
    )
    assert (po.total, po.tax, po.total_with_tax) == (
        Decimal("12422.00"),
        Decimal("621.10"),
        Decimal("13043.10"),
    )


def test_an_inter_state_po_charges_igst_and_its_pdf_names_both_gstins():
    po = approved_po(supplier_gstin=MAHARASHTRA, supplier_state="27")
    line = po.lines.get()
    assert (line.cgst, line.sgst, line.igst) == (0, 0, Decimal("621.10"))
    assert (po.supplier_state, po.place_of_supply, po.igst) == ("27", "29", Decimal("621.10"))
    path = services.purchase_order_pdf_render(purchase_order_id=po.pk)
    with default_storage.open(path) as stored:
        text = pdf_text(stored.read())
    for fact in (MAHARASHTRA, KARNATAKA, "29 Karnataka", "IGST", "HSN SUMMARY", "₹621.10"):
        assert fact in text, fact
    assert "0902" in text and "₹13,043.10" in text
