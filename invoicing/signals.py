"""Signals sent by invoicing. Payloads are ids and primitives only."""

from django.dispatch import Signal

invoice_issued = Signal()
"""An invoice and its lines exist; sent inside the transaction that issued it.

Arguments: invoice_id (int), order_id (int), shipment_id (int), number (str).
"""

invoice_payment_recorded = Signal()
"""A payment was recorded against an invoice; sent inside the recording transaction.

Arguments: payment_id (int), invoice_id (int), amount (str, the Decimal as text),
status (str, the invoice's status after it: "partially_paid" or "paid").
"""

invoice_payment_bounced = Signal()
"""A recorded cheque bounced and stopped counting; sent inside that transaction.

Arguments: payment_id (int), invoice_id (int).
"""

invoice_payment_reminder_due = Signal()
"""A payment reminder was logged for an invoice; sent inside that transaction.

Arguments: invoice_id (int), step (int, days relative to the due date).
"""
