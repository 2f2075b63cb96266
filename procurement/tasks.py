"""Celery tasks of procurement: the interface to its services."""

from celery import shared_task

from .services import purchase_order_reminders_send


@shared_task(name="procurement.send_confirmation_reminders")
def send_confirmation_reminders() -> int:
    """Beat, hourly: remind suppliers once about POs left unanswered (see the service)."""
    return purchase_order_reminders_send()


@shared_task(name="procurement.replenishment_sweep")
def replenishment_sweep() -> dict:
    """Beat, hourly: evaluate every low item, catching any change that was not announced."""
    from .monitoring import replenishment_sweep as sweep

    result = sweep()
    return {"evaluated": result.evaluated, "opened": result.opened, "reasons": result.reasons}


@shared_task(name="procurement.replenishment_policies_recompute")
def replenishment_policies_recompute() -> dict:
    """Beat, nightly: recompute every dynamic policy, then sweep with the new reorder points."""
    from .monitoring import replenishment_sweep as sweep
    from .policy_nightly import policies_recompute

    result = policies_recompute()
    swept = sweep()
    return {"policies": result.policies, "computed": result.computed, "opened": swept.opened}
