"""Every message template renders from its sample context with the facts it must carry."""

import re

import pytest

from notifications.rendering import render_message
from notifications.samples import sample_contexts

REQUIRED = {
    # #17: a return's step to the buyer (received: what came back, the credit note to come)
    "return_status": [
        "RMA-2026-000042",
        "AM-261121-K7Q2ZD",
        "Assam tea",
        "credit note",
        "/returns/42/",
    ],
    # #17: a new return to the distributor's members: who, what, why, where to decide
    "return_requested": [
        "RMA-2026-000042",
        "Asha Rao",
        "Assam tea",
        "Torn pouch",
        "Approve or refuse",
        "/distributor/returns/42/",
    ],
    # issue 24: a credit note: its number, the invoice, what was credited, what happens now
    "credit_note": [
        "CN-2026-000007",
        "INV-2026-000123",
        "Assam tea, 500 g",
        "₹731.60",
        "Two packs arrived damaged",
        "will be refunded",
        "/invoices/credit-notes/org-1/CN-2026-000007/",
    ],
    # issue 24: money paid back: how much, how, the bank's reference, where the invoice stands
    "refund_recorded": [
        "₹731.60",
        "Bank transfer",
        "UTR 4411902",
        "CN-2026-000007",
        "INV-2026-000123",
    ],
    # #23: a transfer to confirm (who asks, for which PO, the lines), one on its way
    "transfer_requested": ["TR-2026-000042", "Central Store", "PO-2026-00017", "GEN-0036"],
    "transfer_shipped": ["TR-2026-000042", "LR-2231", "GEN-0036", "₹1,180.00", "INV-2026-000311"],
    # #16: an unpaid invoice's reminder and a bounced cheque: invoice, balance, what to do
    "payment_reminder": ["INV-2026-000123", "7 days ago", "₹1,183.00", "Paid so far"],
    # #16 §1: a payment that arrived after its order was released: refunded or placed again
    "payment_late": ["₹2,183.00", "refunded", "5 to 7 working days"],
    "payment_bounced": ["CHQ 004512", "Insufficient funds", "₹1,183.00", "INV-2026-000123"],
    # seed 000: order summary, estimated delivery, tracking information and link
    "order_confirmation": [
        "AM-261121-K7Q2ZD",
        "Assam tea",
        "₹2,183.00",
        "25 November 2026",
        "/customer-portal/orders/AM-261121-K7Q2ZD/",
        "tracking number",
    ],
    "order_status": ["on its way", "BLUEDART 7788123456", "/customer-portal/orders/"],
    # #12: stock came in for a backordered line: what is set aside, what still waits
    "backorder_allocated": ["Assam tea", "3 more units are", "2 units are still backordered"],
    # the distributor's new order: buyer, lines, total, where to review it
    "order_received": [
        "AM-261121-K7Q2ZD",
        "Koramangala Fresh Mart",
        "Asha Rao",
        "Assam tea",
        "₹2,183.00",
        "/distributor/orders/AM-261121-K7Q2ZD/",
    ],
    # the distributor told of a buyer's cancellation: who, why, the lines, where to look
    "order_cancelled_by_buyer": [
        "AM-261121-K7Q2ZD",
        "Koramangala Fresh Mart",
        "Asha Rao",
        "Ordered twice by mistake.",
        "Assam tea",
        "do not pick or ship it",
        "/distributor/orders/AM-261121-K7Q2ZD/",
    ],
    # the distributor told that backordered units can ship now
    "backorder_ready": [
        "AM-261121-K7Q2ZD",
        "Assam tea, 500 g",
        "3 backordered units",
        "2 units are still backordered",
        "/distributor/orders/AM-261121-K7Q2ZD/",
    ],
    # product, stock levels, automated actions taken
    "low_stock_alert": [
        "Assam tea",
        "TEA-ASSAM-500",
        "Deccan Distribution",
        "Reorder level",
        "Opened procurement request PR-2026-00042",
        "E-mailed the request",
    ],
    # product details, quantity needed, current stock, request id
    "procurement_request": [
        "Assam tea",
        "TEA-ASSAM-500",
        "Strong CTC",
        "120",
        "4 on hand",
        "PR-2026-00042",
    ],
    # the invoice: number, order, every line, tax, total, due date, where to see it
    "invoice": [
        "INV-2026-000123",
        "AM-261121-K7Q2ZD",
        "Sona masoori rice",
        "CGST",
        "₹166.50",
        "₹2,183.00",
        "25 December 2026",
        "/invoices/org-1/INV-2026-000123/",
    ],
    # last month's headline figures for staff, and where the full report is
    "monthly_report": [
        "October 2026",
        "Orders (sold)",
        "₹18,43,250.50",
        "₹5,279.21",
        "Dreamweave Gel Memory Foam Mattress",
        "/reports/monthly/?year=2026",
    ],
    # PO number, delivery instructions
    "purchase_order": [
        "PO-2026-00017",
        "Peenya Industrial Area",
        "dock 3",
        "2 December 2026",
        "/procurement/po/SIGNED-TOKEN/",
        "37,200.00",
    ],
    # Who answered, and what they proposed instead
    "purchase_order_answered": [
        "PO-2026-00017",
        "Brahmaputra Tea Estates",
        "Anil Bora",
        "96 instead of 120",
        "9 Dec 2026",
        "/admin/procurement/purchaseorder/17/change/",
    ],
    # The supplier told a PO is closed short: what came, what will not
    "purchase_order_notice": [
        "PO-2026-00017",
        "Assam tea, 500 g",
        "The second flush failed.",
    ],
    # A background report download: what it is, and the page to fetch it again
    "report_export_ready": [
        "Days of cover (PDF, 613 rows)",
        "cover-2026-11-04-2026-12-03.pdf",
        "/reports/exports/6f1c0c4e-2b7a-4f0e-9a43-0d6c2b1f9e11/",
    ],
    # #18 standing orders: the coming run, its lines, and the links to skip or edit it
    "standing_order_reminder": [
        "Weekly restock",
        "7 December 2026",
        "Assam tea, 500 g",
        "/standing-orders/7/skip/",
        "/standing-orders/7/edit/",
    ],
    # what a run did: the order, lines placed, backordered, refused
    "standing_order_run": [
        "AM-261121-K7Q2ZD",
        "Lines placed",
        "Sona masoori rice",
        "1 x Sona masoori rice",
        "GHEE-1L",
        "no longer sold",
        "/standing-orders/7/",
    ],
}


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_each_message_renders_its_facts_in_text_and_html(name):
    rendered = render_message(name, sample_contexts()[name])
    assert rendered.subject and "\n" not in rendered.subject
    for fact in REQUIRED[name]:
        assert fact in rendered.text, (name, "text", fact)
        assert fact in rendered.html, (name, "html", fact)
    assert "{{" not in rendered.text and "{%" not in rendered.html
    assert "\n\n\n" not in rendered.text
    # Inlined CSS, and links a mail client can follow.
    assert "<style" not in rendered.html and 'style="' in rendered.html
    hrefs = re.findall(r'href="([^"]+)"', rendered.html)
    assert hrefs and all(h.startswith("http") for h in hrefs), hrefs


def test_every_message_template_has_a_sample():
    from pathlib import Path

    from django.conf import settings

    folders = {
        p.parent.name
        for p in (Path(settings.BASE_DIR) / "templates/notifications").glob("*/subject.txt")
    }
    assert folders == set(sample_contexts()) == set(REQUIRED)


def test_text_parts_are_not_html_escaped():
    context = sample_contexts()["procurement_request"]
    context["supplier"].name = "Tata & Sons <Supply>"
    rendered = render_message("procurement_request", context)
    assert "Dear Tata & Sons <Supply>," in rendered.text
    assert "Tata &amp; Sons &lt;Supply&gt;" in rendered.html
