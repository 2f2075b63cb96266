"""Procurement staff see every organization's reports (reporting.view_reports).

They watch stock, suppliers and reorders across all distributors, which is
what the reorder performance and supplier figures are about.
"""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions, revoke_group_permissions

GROUP = "procurement"
PERMISSIONS = {"reporting": ["view_reports"]}


def grant(apps, schema_editor):
    grant_group_permissions(apps, GROUP, PERMISSIONS)


def revoke(apps, schema_editor):
    revoke_group_permissions(apps, GROUP, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_report_access"),
        ("accounts", "0002_procurement_group"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
