"""Inventory's handlers of other apps' signals, wired in InventoryConfig.ready()."""

from django.dispatch import receiver

from accounts.models import Organization
from accounts.signals import organization_created

from .warehouses import warehouse_create_default


@receiver(organization_created, dispatch_uid="inventory.first_warehouse")
def first_warehouse(sender, *, organization_id, kind, **kwargs):
    """A new distributor gets its "Main warehouse" (in its state) at once."""
    if kind == Organization.Kind.DISTRIBUTOR:
        warehouse_create_default(distributor=Organization.objects.get(pk=organization_id))
