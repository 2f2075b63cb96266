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

credit_note_issued = Signal()
"""A credit note and its lines exist and its invoice's balance follows; sent inside the
transaction that issued it (invoicing.credit_notes.credit_note_issue).

Arguments: credit_note_id (int), invoice_id (int), kind (str: "return", "price",
"cancellation"), reference (str, e.g. "rma:12" or ""), total (str, the Decimal as text).
"""

refund_recorded = Signal()
"""Money was paid back to a buyer against an invoice (by hand, or the gateway confirmed
it); sent inside the transaction that made it count (invoicing.refunds).

Arguments: refund_id (int), invoice_id (int), amount (str), method (str).
"""
