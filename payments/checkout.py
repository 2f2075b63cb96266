"""Whether an order goes through the gateway: the one place that decides.

Credit terms (#16 §2) and standing orders plug in here: an order on terms is
not paid at checkout, so this returns False for it.
"""

from accounts.models import Organization, User

ONLINE = "online"
ON_DELIVERY = "on_delivery"
CHOICES = [(ONLINE, "Pay online now (card, UPI or netbanking)"), (ON_DELIVERY, "Pay on delivery")]


def pay_on_delivery_allowed(distributor: Organization) -> bool:
    from .models import PaymentSettings

    settings = PaymentSettings.objects.filter(distributor=distributor).first()
    return settings.pay_on_delivery if settings is not None else True


def payment_required(*, customer: User, distributor: Organization, choice: str) -> bool:
    """True when the order about to be placed must be paid online before it is placed.

    `choice` is the buyer's ("online", "on_delivery" or "" for no choice made);
    pay on delivery only where the distributor allows it. A buyer on credit
    terms with the distributor (invoicing.credit) is never sent to the gateway:
    the order is invoiced on its terms.
    """
    if on_credit_terms(customer=customer, distributor=distributor):
        return False
    if choice == ONLINE:
        return True
    return not pay_on_delivery_allowed(distributor)


def on_credit_terms(*, customer: User, distributor: Organization) -> bool:
    """A retailer's member buying from a distributor that gives the retailer terms (net N)."""
    from accounts.models import Role
    from invoicing.credit import credit_terms_for

    if customer.role != Role.RETAILER or customer.organization_id is None:
        return False
    return credit_terms_for(seller=distributor, buyer=customer.organization_id) is not None
