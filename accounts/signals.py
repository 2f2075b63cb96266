"""Signals sent by accounts. Payloads are ids and primitives only."""

from django.dispatch import Signal

organization_created = Signal()
"""An organization was registered (accounts.services.organization_create).

Sent inside the creating transaction once the row exists. Inventory's
receiver gives a new distributor its first warehouse.

Arguments:
    organization_id (int), kind (str): manufacturer, distributor or retailer.
"""
