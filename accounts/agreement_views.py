"""Supply agreement pages: /manufacturer/agreements/ and /distributor/agreements/.

One set of views for both sides (the role decides which agreements are listed
and which moves each row offers): the manufacturer requests and ends, the
distributor accepts or ends. Rules are accounts.agreements'.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from .agreements import (
    NOTE_MAX_LENGTH,
    AgreementConflict,
    agreement_accept,
    agreement_end,
    agreement_request,
    agreements_of,
    distributors_to_request,
)
from .models import Organization, Role, SupplyAgreement
from .permissions import RoleRequiredMixin


class AgreementRequestForm(forms.Form):
    distributor = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        empty_label="Choose…",
        help_text="Distributors you have no open request or agreement with.",
    )
    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional: what you would supply, your terms.",
    )

    def __init__(self, *args, manufacturer: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = distributors_to_request(manufacturer=manufacturer)


class AgreementEndForm(forms.Form):
    reason = forms.CharField(required=False, max_length=NOTE_MAX_LENGTH)


class AgreementListView(RoleRequiredMixin, View):
    """The caller's organization's agreements, and (manufacturers) the request form."""

    roles = (Role.MANUFACTURER, Role.DISTRIBUTOR)

    @property
    def organization(self) -> Organization:
        organization = self.request.user.organization
        if organization is None:  # a superuser without an organization
            raise PermissionDenied("Supply agreements belong to an organization.")
        return organization

    @property
    def list_url(self) -> str:
        return reverse(f"{self.organization.kind}:agreements")

    @property
    def is_manufacturer(self) -> bool:
        return self.organization.kind == Organization.Kind.MANUFACTURER

    def get(self, request):
        form = (
            AgreementRequestForm(manufacturer=self.organization) if self.is_manufacturer else None
        )
        return self.render(form)

    def post(self, request):
        if not self.is_manufacturer:
            raise PermissionDenied("Manufacturers request supply agreements.")
        form = AgreementRequestForm(request.POST, manufacturer=self.organization)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            agreement = agreement_request(
                manufacturer=self.organization,
                distributor=form.cleaned_data["distributor"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except (ValidationError, AgreementConflict) as exc:
            form.add_error(None, getattr(exc, "message", None) or exc.messages)
            return self.render(form, status=400)
        messages.success(
            request,
            f"{agreement.distributor} was asked to take your products. You can assign stock "
            "to it once it accepts.",
        )
        return redirect(self.list_url)

    def render(self, form, status: int = 200):
        agreements = list(agreements_of(organization=self.organization))
        context = {
            "form": form,
            "is_manufacturer": self.is_manufacturer,
            "agreements": agreements,
            "waiting": sum(a.status == SupplyAgreement.Status.REQUESTED for a in agreements),
            "end_form": AgreementEndForm(),
        }
        return render(self.request, "accounts/agreements.html", context, status=status)


class AgreementMoveView(AgreementListView):
    """POST .../agreements/<pk>/<action>/: accept (distributor) or end (either side)."""

    def get(self, request, pk: int, action: str):
        return redirect(self.list_url)

    def post(self, request, pk: int, action: str):
        agreement = agreements_of(organization=self.organization).filter(pk=pk).first()
        if agreement is None:
            raise Http404("No such agreement.")
        other = agreement.distributor if self.is_manufacturer else agreement.manufacturer
        try:
            if action == "accept" and not self.is_manufacturer:
                agreement_accept(agreement=agreement, by=request.user)
                messages.success(request, f"You now take supplies from {other}.")
            elif action == "end":
                form = AgreementEndForm(request.POST)
                reason = form.cleaned_data["reason"] if form.is_valid() else ""
                agreement_end(agreement=agreement, by=request.user, reason=reason)
                messages.success(request, f"The agreement with {other} has ended.")
            else:
                raise Http404("No such action.")
        except AgreementConflict as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(self.list_url)
