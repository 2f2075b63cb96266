from django.contrib.auth.models import Group

from accounts.models import PROCUREMENT_GROUP
from accounts.tests.factories import UserFactory


def procurement_staff(**fields):
    """A staff user in the procurement group."""
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=PROCUREMENT_GROUP))
    return user
