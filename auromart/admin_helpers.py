"""Admin pieces shared by the apps."""

from django.contrib import admin
from django.template.response import TemplateResponse


class ReadOnlyTabularInline(admin.TabularInline):
    """Rows shown beside their parent and never changed there (ledgers, history, snapshots)."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def intermediate_form_response(
    modeladmin,
    request,
    *,
    rows,
    form,
    title: str,
    button: str,
    back_url: str,
    action: str = "",
    warning: str = "",
    original=None,
) -> TemplateResponse:
    """The page between choosing an admin action and doing it: a form (a reason, a reference).

    `rows` are (pk, label) pairs of the objects the action will touch; with
    `action` the form posts back to the changelist as that action (the pks
    ride along as the selection), without it to the current URL (a change
    page's button).
    """
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "warning": warning,
        "rows": list(rows),
        "form": form,
        "button": button,
        "back_url": back_url,
        "action": action,
        "original": original,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/intermediate_form.html", context)
