"""Signals sent by returns. Payloads are ids and primitives only."""

from django.dispatch import Signal

return_status_changed = Signal()
"""A return request was created or moved; sent inside the service's transaction.

Sent by returns.services once the request, its lines (with the received
units, for `received`) and its ReturnStatusChange row are written, and, for
`received`, the stock movements and demand record too. A repeated move (an
idempotent retry) sends nothing.

Arguments:
    return_id (int), order_id (int), distributor_id (int),
    from_status (str, "" when created), to_status (str: requested, approved,
    rejected, received, closed), changed_by_id (int | None), note (str).
"""
