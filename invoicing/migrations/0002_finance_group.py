"""The `Finance` group: staff who look after invoices in the admin.

Members see every invoice, download and re-render its PDF (change), record
payments (mark_paid_invoice) and void invoices (void_invoice). Making a staff
user a member is the one step that gives them all of it.
"""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions

GROUP = "Finance"
PERMISSIONS = {
    "invoicing": [
        "view_invoice",
        "change_invoice",
        "mark_paid_invoice",
        "void_invoice",
        "view_invoiceline",
    ],
}


def create_group(apps, schema_editor):
    grant_group_permissions(apps, GROUP, PERMISSIONS)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
