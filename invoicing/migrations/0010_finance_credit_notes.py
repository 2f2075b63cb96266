"""The Finance group may also read credit notes and refunds and issue credit notes (issue 24)."""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions, revoke_group_permissions

GROUP = "Finance"
PERMISSIONS = {
    "invoicing": ["view_creditnote", "issue_creditnote", "view_creditnoteline", "view_refund"]
}


def grant(apps, schema_editor):
    grant_group_permissions(apps, GROUP, PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, GROUP, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0009_credit_notes")]

    operations = [migrations.RunPython(grant, revoke)]
