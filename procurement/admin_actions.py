"""Admin actions for the loops a PO and a request close: close short, decline a proposal,
switch a request's supplier. Module-level actions, listed by the ModelAdmins in admin.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from auromart.admin_helpers import intermediate_form_response
from catalog.models import SupplierLine

from . import services
from .exceptions import ProcurementConflict


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class NoteForm(forms.Form):
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Sent to the supplier with the decline.",
    )


class SwitchSupplierForm(forms.Form):
    supplier_line = forms.ModelChoiceField(
        queryset=SupplierLine.objects.filter(is_active=True).select_related("supplier", "product"),
        help_text="One of the product's active supplier lines.",
    )


def _is_staff(request) -> bool:
    return request.user.is_authenticated and request.user.is_procurement_staff


def _form_step(modeladmin, request, queryset, *, form_class, action, title, button, run):
    if not _is_staff(request):
        raise PermissionDenied
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            run(form.cleaned_data)
            return None
    else:
        form = form_class()
    return intermediate_form_response(
        modeladmin,
        request,
        rows=[(obj.pk, str(obj)) for obj in queryset],
        back_url=request.get_full_path(),
        form=form,
        title=title,
        action=action,
        button=button,
    )


@admin.action(description="Close selected purchase orders short…")
def close_short_selected(modeladmin, request, queryset):
    return _form_step(
        modeladmin,
        request,
        queryset,
        form_class=ReasonForm,
        action="close_short_selected",
        title="Close purchase orders short",
        button="Close short",
        run=lambda data: modeladmin._each(
            request,
            queryset,
            lambda po: services.purchase_order_close_short(
                purchase_order=po, by=request.user, reason=data["reason"]
            ),
            "closed short; what did not come no longer counts as incoming.",
        ),
    )


@admin.action(description="Decline the supplier's proposal…")
def decline_proposal_selected(modeladmin, request, queryset):
    return _form_step(
        modeladmin,
        request,
        queryset,
        form_class=NoteForm,
        action="decline_proposal_selected",
        title="Decline the supplier's proposal",
        button="Decline",
        run=lambda data: modeladmin._each(
            request,
            queryset,
            lambda po: services.purchase_order_decline_proposal(
                purchase_order=po, by=request.user, note=data["note"]
            ),
            "proposal declined; the order stands as sent and the supplier is told.",
        ),
    )


@admin.action(description="Switch the supplier of the selected open request…")
def switch_supplier_selected(modeladmin, request, queryset):
    def run(data):
        for procurement_request in queryset:
            try:
                services.procurement_request_switch_supplier(
                    request=procurement_request,
                    supplier_line=data["supplier_line"],
                    by=request.user,
                )
            except (ProcurementConflict, ValidationError) as exc:
                text = getattr(exc, "message", None) or "; ".join(exc.messages)
                modeladmin.message_user(
                    request, f"{procurement_request.number}: {text}", messages.ERROR
                )
            else:
                modeladmin.message_user(
                    request,
                    f"{procurement_request.number}: now with {data['supplier_line'].supplier}.",
                    messages.SUCCESS,
                )

    return _form_step(
        modeladmin,
        request,
        queryset,
        form_class=SwitchSupplierForm,
        action="switch_supplier_selected",
        title="Switch supplier",
        button="Switch",
        run=run,
    )
