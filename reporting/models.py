"""Reporting owns no tables: one permission-only model carries `reporting.view_reports`."""

from django.db import models


class ReportAccess(models.Model):
    """No table (unmanaged, never queried): the home of the `view_reports` permission.

    A staff user with `reporting.view_reports` (the procurement group has it,
    superusers have every permission) sees every organization's figures;
    organization members see their own scope without it (reporting.selectors.ReportScope).
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can view every organization's reports")]

    def __str__(self) -> str:
        return "report access"
