import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import CustomerFactory
from notifications.models import Notification


class NotificationFactory(DjangoModelFactory):
    """An unread in-app notification of a new customer; `read=True` makes it read."""

    class Meta:
        model = Notification

    class Params:
        read = factory.Trait(read_at=factory.LazyFunction(timezone.now))

    user = factory.SubFactory(CustomerFactory)
    event = "order_status"
    title = factory.Sequence(lambda n: f"Order AM-{n:06d} has shipped")
    message = "Your order is on its way."
    link = factory.Sequence(lambda n: f"/customer-portal/orders/AM-{n:06d}/")
