"""The `procurement` group: staff who approve requests and run purchase orders.

Each app that adds models procurement staff work with grants their
permissions to this group in a data migration of its own.
"""

from django.db import migrations

from accounts.migration_helpers import grant_group_permissions

PERMISSIONS = {"accounts": ["view_organization", "view_user"]}


def create_group(apps, schema_editor):
    grant_group_permissions(apps, "procurement", PERMISSIONS)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="procurement").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
