"""Procurement staff work procurement in the admin: requests, purchase orders, receipts."""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions, revoke_group_permissions

PERMISSIONS = {
    "procurement": [
        "view_procurementrequest",
        "add_procurementrequest",
        "change_procurementrequest",
        "view_purchaseorder",
        "change_purchaseorder",
        "view_purchaseorderline",
        "view_goodsreceipt",
        "view_goodsreceiptline",
    ],
}


def grant(apps, schema_editor):
    grant_group_permissions(apps, "procurement", PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, "procurement", PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("procurement", "0001_initial"),
        ("accounts", "0002_procurement_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
