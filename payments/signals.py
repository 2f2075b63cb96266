"""Signals sent by payments. Payloads are ids and primitives only."""

from django.dispatch import Signal

payment_confirmed = Signal()
"""The provider confirmed a payment (paid, with the amount expected); sent inside the transaction.

Arguments: payment_id (int), order_id (int | None), invoice_id (int | None), amount (str).
"""
