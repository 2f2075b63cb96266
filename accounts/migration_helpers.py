"""Helpers for data migrations that give groups their permissions.

Permissions are normally created after `migrate` finishes (post_migrate), so a
data migration that needs them creates them first for the apps it names.
"""

from django.contrib.auth.management import create_permissions


def grant_group_permissions(apps, group_name: str, permissions: dict[str, list[str]]) -> None:
    """Give `group_name` the permissions `{app_label: [codename, ...]}`; idempotent."""
    for label in permissions:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    for label, codenames in permissions.items():
        found = Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        missing = set(codenames) - set(found.values_list("codename", flat=True))
        if missing:
            raise LookupError(f"{label} has no permissions {sorted(missing)}")
        group.permissions.add(*found)


def revoke_group_permissions(apps, group_name: str, permissions: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=group_name).first()
    if group is None:
        return
    for label, codenames in permissions.items():
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )
