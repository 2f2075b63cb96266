"""`manage.py gst_states_missing`: what has no GST state yet, for review.

Organizations with a blank state (no GSTIN, and an address naming no state:
the admin's "State: missing" filter shows the same), and open delivery
orders whose address named no state (their place of supply fell back to the
buyer's or the seller's state, auromart.tax).
"""

from django.core.management.base import BaseCommand

from accounts.models import Organization
from orders.models import OPEN_STATUSES, FulfillmentType, Order


class Command(BaseCommand):
    help = "List organizations and open delivery orders without a GST state."

    def handle(self, *args, **options):
        orgs = Organization.objects.filter(state="").order_by("kind", "name")
        self.stdout.write(f"Organizations without a state: {orgs.count()}")
        for org in orgs:
            where = ", ".join(p for p in (org.address, org.city, org.region) if p) or "no address"
            self.stdout.write(f"  #{org.pk} {org.name} ({org.kind}): {where}")
        orders = Order.objects.filter(
            fulfillment_type=FulfillmentType.DELIVERY, shipping_state="", status__in=OPEN_STATUSES
        ).order_by("created_at")
        self.stdout.write(f"Open delivery orders whose address names no state: {orders.count()}")
        for order in orders[:200]:
            address = " ".join(order.shipping_address.split())
            self.stdout.write(f"  {order.number}: {address}")
