"""Procurement staff keep working calendars and replenishment policies in the admin:
they add and edit calendars, holidays and policies (a policy's figures stay read-only),
and remove a holiday entered by mistake."""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions, revoke_group_permissions

PERMISSIONS = {
    "procurement": [
        "view_replenishmentpolicy",
        "add_replenishmentpolicy",
        "change_replenishmentpolicy",
        "view_workingcalendar",
        "add_workingcalendar",
        "change_workingcalendar",
        "view_holiday",
        "add_holiday",
        "change_holiday",
        "delete_holiday",
    ],
}


def grant(apps, schema_editor):
    grant_group_permissions(apps, "procurement", PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, "procurement", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0007_purchase_order_gst"),
        ("accounts", "0002_procurement_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
