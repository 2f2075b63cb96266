"""Procurement staff see the catalog in the admin (read only)."""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions, revoke_group_permissions

PERMISSIONS = {"catalog": ["view_category", "view_product"]}


def grant(apps, schema_editor):
    grant_group_permissions(apps, "procurement", PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, "procurement", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("accounts", "0002_procurement_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
