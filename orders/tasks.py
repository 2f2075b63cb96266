"""Celery tasks of orders: the interface to its services."""

import contextlib

from celery import shared_task

from .models import Shipment
from .shipment_docs import packing_slip_render


@shared_task(name="orders.render_packing_slip", ignore_result=True)
def render_packing_slip(shipment_id: int) -> None:
    """Render a dispatched shipment's packing slip in the worker, after the dispatch committed."""
    # DoesNotExist: its transaction rolled back after all; nothing to render.
    with contextlib.suppress(Shipment.DoesNotExist):
        packing_slip_render(shipment_id=shipment_id)
