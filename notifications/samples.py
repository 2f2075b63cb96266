"""Example contexts for every message template: the contract callers fill, and previews.

`manage.py render_notification_samples DIR` renders each with these, and the
tests render them all, so a template that breaks or loses a required fact
fails here before a real message does. The procurement messages are queued by
the procurement app (issue #5) with objects that have these attributes.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from accounts.models import Organization, User
from orders.models import Order, OrderItem


def _order() -> tuple[Order, list[OrderItem]]:
    customer = User(email="asha@example.com", name="Asha Rao")
    distributor = Organization(name="Deccan Distribution", kind=Organization.Kind.DISTRIBUTOR)
    order = Order(
        number="AM-261121-K7Q2ZD",
        customer=customer,
        distributor=distributor,
        status=Order.Status.PLACED,
        fulfillment_type=Order.FulfillmentType.DELIVERY,
        shipping_address="12 MG Road\nBengaluru 560001",
        estimated_delivery=datetime.date(2026, 11, 25),
        subtotal=Decimal("1850.00"),
        tax_rate=Decimal("0.18"),
        tax=Decimal("333.00"),
        total=Decimal("2183.00"),
    )
    order.created_at = timezone.now()
    items = [
        OrderItem(
            sku="TEA-ASSAM-500",
            product_name="Assam tea, 500 g",
            quantity=2,
            unit_price=Decimal("425.00"),
            line_total=Decimal("850.00"),
        ),
        OrderItem(
            sku="RICE-SONA-5K",
            product_name="Sona masoori rice, 5 kg",
            quantity=1,
            unit_price=Decimal("1000.00"),
            line_total=Decimal("1000.00"),
        ),
    ]
    return order, items


def _procurement():
    product = SimpleNamespace(
        name="Assam tea, 500 g",
        sku="TEA-ASSAM-500",
        description="Strong CTC black tea from Upper Assam, 500 g pouch.",
    )
    distributor = SimpleNamespace(name="Deccan Distribution")
    supplier = SimpleNamespace(name="Brahmaputra Tea Estates", email="orders@brahmaputra.example")
    request = SimpleNamespace(number="PR-2026-00042", created_at=timezone.now())
    return product, distributor, supplier, request


def _owed_invoice():
    """An invoice with part of it paid (payment reminders, bounced cheques)."""
    return SimpleNamespace(
        number="INV-2026-000123",
        issue_date=datetime.date(2026, 11, 25),
        due_date=datetime.date(2026, 12, 25),
        seller_name="Deccan Distribution",
        total=Decimal("2183.00"),
        amount_paid=Decimal("1000.00"),
    )


def sample_contexts() -> dict[str, dict]:
    """{template name: context} for every message in templates/notifications/."""
    order, items = _order()
    link = f"/customer-portal/orders/{order.number}/"
    product, distributor, supplier, request = _procurement()
    shipped = Order(**{f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields})
    shipped.customer, shipped.distributor = order.customer, order.distributor
    shipped.status, shipped.tracking_reference = Order.Status.SHIPPED, "BLUEDART 7788123456"
    received = Order(**{f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields})
    received.customer, received.distributor = order.customer, order.distributor
    received.buyer_organization = Organization(
        name="Koramangala Fresh Mart", kind=Organization.Kind.RETAILER
    )
    received.created_at = order.created_at
    lines = [
        SimpleNamespace(
            sku="TEA-ASSAM-500",
            product_name="Assam tea, 500 g",
            quantity=120,
            unit_cost=Decimal("310.00"),
            line_total=Decimal("37200.00"),
        )
    ]
    return {
        "order_confirmation": {
            "user": order.customer,
            "order": order,
            "items": items,
            "link": link,
        },
        "order_status": {
            "user": order.customer,
            "order": shipped,
            "items": items,
            "status": "shipped",
            "note": "",
            "link": link,
        },
        "backorder_allocated": {
            "user": order.customer,
            "order": order,
            "line": OrderItem(
                sku="TEA-ASSAM-500",
                product_name="Assam tea, 500 g",
                quantity=5,
                quantity_allocated=3,
                quantity_backordered=2,
                unit_price=Decimal("425.00"),
                line_total=Decimal("2125.00"),
            ),
            "quantity": 3,
            "still_backordered": 2,
            "link": link,
        },
        "order_received": {
            "user": User(email="ravi@deccan.example", name="Ravi Kumar"),
            "order": received,
            "items": items,
            "link": f"/distributor/orders/{order.number}/",
        },
        # The distributor hears that the buyer cancelled (distributor_notices).
        "order_cancelled_by_buyer": {
            "user": User(email="ravi@deccan.example", name="Ravi Kumar"),
            "order": received,
            "items": items,
            "note": "Ordered twice by mistake.",
            "cancelled_by": "Asha Rao",
            "link": f"/distributor/orders/{order.number}/",
        },
        # The distributor hears that backordered units were allocated.
        "backorder_ready": {
            "user": User(email="ravi@deccan.example", name="Ravi Kumar"),
            "order": received,
            "line": OrderItem(
                sku="TEA-ASSAM-500",
                product_name="Assam tea, 500 g",
                quantity=5,
                quantity_allocated=3,
                quantity_backordered=2,
                unit_price=Decimal("425.00"),
                line_total=Decimal("2125.00"),
            ),
            "quantity": 3,
            "still_backordered": 2,
            "link": f"/distributor/orders/{order.number}/",
        },
        "low_stock_alert": {
            "product": product,
            "distributor": distributor,
            "on_hand": 4,
            "allocated": 2,
            "held": 1,
            "available": 1,
            "reorder_level": 10,
            "reorder_quantity": 120,
            "actions": [
                f"Opened procurement request {request.number} for 120 units.",
                f"E-mailed the request to {supplier.name} ({supplier.email}).",
            ],
            "review_url": "/admin/procurement/",
        },
        "procurement_request": {
            "procurement_request": request,
            "product": product,
            "supplier": supplier,
            "distributor": distributor,
            "quantity": 120,
            "on_hand": 4,
            "available": 3,
            "reorder_level": 10,
        },
        "purchase_order": {
            "po": SimpleNamespace(
                number="PO-2026-00017",
                sent_at=timezone.now(),
                created_at=timezone.now(),
                expected_date=datetime.date(2026, 12, 2),
                delivery_address=(
                    "Deccan Distribution warehouse\n"
                    "Plot 7, Peenya Industrial Area\n"
                    "Bengaluru 560058"
                ),
                delivery_instructions=(
                    "Weekdays 09:00-17:00, dock 3. Call +91 80 4000 1234 on arrival."
                ),
                total=Decimal("37200.00"),
            ),
            "lines": lines,
            "supplier": supplier,
            "procurement_request": request,
            "reminder": False,
            "confirm_url": "http://127.0.0.1:8000/procurement/po/SIGNED-TOKEN/",
            "confirm_expires": timezone.now() + datetime.timedelta(days=14),
            "has_pdf": True,
        },
        "invoice": {
            "user": order.customer,
            "recipient_name": "Asha",
            "invoice": SimpleNamespace(
                number="INV-2026-000123",
                issue_date=datetime.date(2026, 11, 25),
                due_date=datetime.date(2026, 12, 25),
                seller_name="Deccan Distribution",
                buyer_name="Asha Rao",
                subtotal=Decimal("1850.00"),
                tax_rate=Decimal("0.18"),
                tax=Decimal("333.00"),
                cgst=Decimal("166.50"),
                sgst=Decimal("166.50"),
                igst=Decimal("0.00"),
                total=Decimal("2183.00"),
            ),
            "order": order,
            "shipment": SimpleNamespace(
                number=f"{order.number}-S1",
                sequence=1,
                method="delivery",
                status="dispatched",
                tracking_reference="BLUEDART 7788123456",
                note="2 boxes",
            ),
            "rest_follows": True,
            "lines": [
                SimpleNamespace(
                    sku=item.sku,
                    description=item.product_name,
                    quantity=item.quantity,
                    unit_price=item.unit_price,
                    line_total=item.line_total,
                )
                for item in items
            ],
            "link": "/invoices/org-1/INV-2026-000123/",
        },
        "payment_reminder": {
            "user": order.customer,
            "recipient_name": "Asha",
            "invoice": _owed_invoice(),
            "balance": Decimal("1183.00"),
            "step": 7,
            "days": 7,
            "overdue": True,
            "link": "/invoices/org-1/INV-2026-000123/",
        },
        "payment_late": {
            "user": order.customer,
            "recipient_name": "Asha",
            "order": order,
            "payment": SimpleNamespace(amount=Decimal("2183.00")),
            "outcome": "refunded",
            "refund_reason": "stock",
            "link": "/payments/7/",
        },
        "payment_bounced": {
            "user": order.customer,
            "recipient_name": "Asha",
            "invoice": _owed_invoice(),
            "balance": Decimal("1183.00"),
            "payment": SimpleNamespace(
                reference="CHQ 004512",
                amount=Decimal("1000.00"),
                received_on=datetime.date(2026, 11, 28),
                bounce_reason="Insufficient funds",
            ),
            "link": "/invoices/org-1/INV-2026-000123/",
        },
        "monthly_report": {
            "user": User(email="meera@auromart.local", name="Meera Iyer", is_staff=True),
            "report": SimpleNamespace(
                year=2026, month=10, orders=412, subtotal=Decimal("1843250.50")
            ),
            "summary": [
                ("orders", "Orders (sold)", 412, "int"),
                ("units", "Units sold", 1290, "int"),
                ("subtotal", "Revenue before tax", Decimal("1843250.50"), "money"),
                ("total", "Revenue with tax", Decimal("2175035.59"), "money"),
                ("average_cart_value", "Average cart value", Decimal("5279.21"), "money"),
                (
                    "fulfillment_median_hours",
                    "Fulfillment, median hours",
                    Decimal("50.5"),
                    "decimal",
                ),
            ],
            "month_start": datetime.datetime(2026, 10, 1),
            "top_products": [
                {
                    "label": "Dreamweave Gel Memory Foam Mattress, King",
                    "units": 31,
                    "revenue": Decimal("195269.00"),
                },
            ],
            "link": "/reports/monthly/?year=2026&month=10",
        },
        "purchase_order_answered": {
            "po": SimpleNamespace(
                number="PO-2026-00017",
                supplier=supplier,
                responded_at=timezone.now(),
                responded_by="Anil Bora",
                expected_date=datetime.date(2026, 12, 2),
                proposed_date=datetime.date(2026, 12, 9),
                supplier_note="The second flush ships a week later.",
            ),
            "lines": [
                SimpleNamespace(
                    sku="TEA-ASSAM-500",
                    product_name="Assam tea, 500 g",
                    quantity=120,
                    proposed_quantity=96,
                )
            ],
            "answer": "proposed",
            "review_url": "/admin/procurement/purchaseorder/17/change/",
        },
        # To the supplier once the PO was sent: here, closed short.
        "purchase_order_notice": {
            "po": SimpleNamespace(
                number="PO-2026-00017",
                supplier=supplier,
                closed_at=timezone.now(),
                close_reason="The second flush failed.",
                expected_date=datetime.date(2026, 12, 2),
                total=Decimal("37200.00"),
            ),
            "lines": [
                SimpleNamespace(
                    sku="TEA-ASSAM-500",
                    product_name="Assam tea, 500 g",
                    quantity=120,
                    quantity_received=90,
                    quantity_short=30,
                    unit_cost=Decimal("310.00"),
                    line_total=Decimal("37200.00"),
                )
            ],
            "supplier": supplier,
            "notice": "closed_short",
            "note": "",
        },
        # A report download prepared in the background (reporting.export_jobs), attached.
        "report_export_ready": {
            "user": User(email="meera@auromart.local", name="Meera Iyer", is_staff=True),
            "label": "Days of cover (PDF, 613 rows)",
            "rows": 613,
            "file_name": "cover-2026-11-04-2026-12-03.pdf",
            "link": "/reports/exports/6f1c0c4e-2b7a-4f0e-9a43-0d6c2b1f9e11/",
        },
        **_standing_orders(order, items),
        **_returns(order, items),
        **_credit_notes(),
        **_transfers(),
    }


def _returns(order, items) -> dict[str, dict]:
    """A return received (to the buyer) and a new return (to the distributor's members)."""
    from returns.models import ReturnLine, ReturnRequest, ReturnStatus

    rma = ReturnRequest(
        pk=42,
        number="RMA-2026-000042",
        order=order,
        customer=order.customer,
        distributor=order.distributor,
        status=ReturnStatus.RECEIVED,
        note="One pouch was torn open.",
    )
    lines = [
        ReturnLine(
            request=rma,
            order_item=items[0],
            quantity=2,
            reason="damaged_in_transit",
            note="Torn pouch",
            quantity_restocked=1,
            quantity_damaged=1,
        )
    ]
    context = {"rma": rma, "order": order, "lines": lines, "units": 2, "note": ""}
    return {
        "return_status": {**context, "status": "received", "link": "/returns/42/"},
        "return_requested": {
            **context,
            "status": "requested",
            "user": User(email="ravi@deccan.example", name="Ravi Kumar"),
            "link": "/distributor/returns/42/",
        },
    }


def _credit_notes() -> dict[str, dict]:
    """A credit note against a paid invoice (notifications.credit_note_notices, issue 24)."""
    from invoicing.models import CreditNote, CreditNoteLine, Refund

    note = CreditNote(
        number="CN-2026-000007",
        kind=CreditNote.Kind.RETURN,
        issue_date=datetime.date(2026, 12, 2),
        reason="Two packs arrived damaged",
        reference="rma:12",
        subtotal=Decimal("620.00"),
        cgst=Decimal("55.80"),
        sgst=Decimal("55.80"),
        igst=Decimal("0.00"),
        tax=Decimal("111.60"),
        total=Decimal("731.60"),
    )
    line = CreditNoteLine(
        sku="TEA-ASSAM-500",
        description="Assam tea, 500 g",
        quantity=2,
        unit_price=Decimal("310.00"),
        line_total=Decimal("620.00"),
        tax_rate=Decimal("0.18"),
        cgst=Decimal("55.80"),
        sgst=Decimal("55.80"),
    )
    return {
        "credit_note": {
            "user": User(email="asha@example.com", name="Asha Rao"),
            "recipient_name": "Asha",
            "note": note,
            "invoice": _owed_invoice(),
            "lines": [line],
            "balance": Decimal("-731.60"),
            "credit_owed": Decimal("731.60"),
            "link": "/invoices/credit-notes/org-1/CN-2026-000007/",
        },
        "refund_recorded": {
            "user": User(email="asha@example.com", name="Asha Rao"),
            "recipient_name": "Asha",
            "invoice": _owed_invoice(),
            "credit_note": note,
            "refund": Refund(
                amount=Decimal("731.60"),
                method=Refund.Method.BANK_TRANSFER,
                reference="UTR 4411902",
                refunded_on=datetime.date(2026, 12, 3),
            ),
            "balance": Decimal("0.00"),
            "credit_owed": Decimal("0.00"),
            "link": "/invoices/org-1/INV-2026-000123/",
        },
    }


def _transfers() -> dict[str, dict]:
    """A transfer asked of a distributor, and one on its way (notifications.transfer_notices)."""
    source = SimpleNamespace(name="Eastern Distribution Co.")
    destination = SimpleNamespace(name="Central Store")
    transfer = SimpleNamespace(
        number="TR-2026-000042",
        source=source,
        destination=destination,
        purchase_order=SimpleNamespace(number="PO-2026-00017"),
        tracking_reference="LR-2231",
        invoice_number="INV-2026-000311",
        taxable_total=Decimal("1000.00"),
        tax=Decimal("180.00"),
        invoice_total=Decimal("1180.00"),
    )
    lines = [
        SimpleNamespace(product_name="Basmati rice, 5 kg", sku="GEN-0036", quantity=10, shipped=10)
    ]
    member = User(email="lisa@eastern.test", name="Lisa Menon")
    return {
        name: {
            "user": member,
            "transfer": transfer,
            "lines": lines,
            "link": "/distributor/transfers/TR-2026-000042/",
        }
        for name in ("transfer_requested", "transfer_shipped")
    }


def _standing_orders(order, items) -> dict[str, dict]:
    """A standing order's reminder before its run, and what a run did (standing_orders.notices)."""
    from standing_orders.models import Frequency, StandingOrder, StandingOrderRun

    standing_order = StandingOrder(
        pk=7,
        name="Weekly restock",
        buyer=order.customer,
        distributor=order.distributor,
        shipping_address=order.shipping_address,
        frequency=Frequency.WEEKLY,
        next_run_date=datetime.date(2026, 12, 7),
    )
    lines = [
        SimpleNamespace(
            product=SimpleNamespace(name=i.product_name, sku=i.sku), quantity=i.quantity
        )
        for i in items
    ]
    items[1].quantity_backordered = 1
    links = {
        "link": "/standing-orders/7/",
        "skip_link": "/standing-orders/7/skip/",
        "edit_link": "/standing-orders/7/edit/",
    }
    run = StandingOrderRun(
        standing_order=standing_order,
        run_date=datetime.date(2026, 11, 30),
        outcome="placed",
        lines_placed=2,
        units_backordered=1,
    )
    refused = [
        {"sku": "GHEE-1L", "name": "Cow ghee, 1 l", "quantity": 4, "reason": "no longer sold"}
    ]
    return {
        "standing_order_reminder": {
            "standing_order": standing_order,
            "run_date": datetime.date(2026, 12, 7),
            "lines": lines,
            "recipient_name": "Asha",
            **links,
        },
        "standing_order_run": {
            "standing_order": standing_order,
            "run": run,
            "order": order,
            "items": items,
            "backordered": [items[1]],
            "refused": refused,
            "recipient_name": "Asha",
            **links,
        },
    }
