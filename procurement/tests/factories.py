import importlib

from django.apps import apps
from django.contrib.auth.models import Group
from django.db.migrations.operations.special import RunPython

from accounts.models import PROCUREMENT_GROUP
from accounts.tests.factories import UserFactory

# The data migrations that create the groups and grant their permissions.
GROUP_MIGRATIONS = (
    "accounts.migrations.0002_procurement_group",
    "catalog.migrations.0002_procurement_view_permissions",
    "inventory.migrations.0002_procurement_view_permissions",
    "invoicing.migrations.0002_finance_group",
    "procurement.migrations.0002_procurement_group_permissions",
    "procurement.migrations.0008_policy_group_permissions",
    "reporting.migrations.0002_procurement_group_views_reports",
)


def groups_restore() -> None:
    """Run the group data migrations again: a transactional test's flush (browser and
    migration tests) empties every table, the migrations' rows included."""
    for name in GROUP_MIGRATIONS:
        for operation in importlib.import_module(name).Migration.operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


def procurement_staff(**fields):
    """A staff user in the procurement group."""
    if not Group.objects.filter(name=PROCUREMENT_GROUP).exists():
        groups_restore()
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=PROCUREMENT_GROUP))
    return user
