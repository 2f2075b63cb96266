"""Signals sent by invoicing. Payloads are ids and primitives only."""

from django.dispatch import Signal

invoice_issued = Signal()
"""An invoice and its lines exist; sent inside the transaction that issued it.

Arguments: invoice_id (int), order_id (int), shipment_id (int), number (str).
"""
