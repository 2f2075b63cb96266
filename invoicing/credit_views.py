"""The distributor's credit terms pages, at /distributor/credit-terms/.

Distributors only (another role gets 403); each sees and sets the terms its
own organization gives (another distributor's terms answer 404). Every write
goes through invoicing.credit.credit_terms_set.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin

from .credit import credit_buyers, credit_rows, credit_terms_of, credit_terms_set
from .credit_forms import CreditTermsForm
from .models import CreditTerms

CREDIT_PAGE_SIZE = 50


def _apply(form: CreditTermsForm, *, request, buyer) -> CreditTerms | None:
    """Save the form's terms for `buyer`; None (with the errors on the form) when refused."""
    data = form.cleaned_data
    try:
        return credit_terms_set(
            seller=request.user.organization,
            buyer=buyer,
            payment_terms_days=data["payment_terms_days"],
            credit_limit=data["credit_limit"],
            active=data["active"],
            by=request.user,
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return None


class CreditTermsListView(RoleRequiredMixin, View):
    """The buyers with terms: limit, exposure, overdue; and a form to give a new buyer terms."""

    roles = (Role.DISTRIBUTOR,)

    def buyers(self, request):
        return credit_buyers().exclude(credit_terms_received__seller=request.user.organization)

    def get(self, request, form: CreditTermsForm | None = None, status: int = 200):
        seller = request.user.organization
        page = Paginator(credit_terms_of(seller=seller), CREDIT_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context = {
            "page": page,
            "rows": credit_rows(seller=seller, terms=page.object_list),
            "form": form or CreditTermsForm(buyers=self.buyers(request)),
            "default_due_days": settings.INVOICE_DUE_DAYS,
        }
        return render(request, "invoicing/credit_terms.html", context, status=status)

    def post(self, request):
        form = CreditTermsForm(request.POST, buyers=self.buyers(request))
        if form.is_valid():
            buyer = form.cleaned_data["buyer"]
            if _apply(form, request=request, buyer=buyer) is not None:
                messages.success(request, f"{buyer.name} now has credit terms with you.")
                return redirect("credit:list")
        return self.get(request, form=form, status=400)


class CreditTermsEditView(RoleRequiredMixin, View):
    """Change one buyer's terms."""

    roles = (Role.DISTRIBUTOR,)

    def terms(self, request, pk: int) -> CreditTerms:
        return get_object_or_404(
            CreditTerms.objects.select_related("buyer"), pk=pk, seller=request.user.organization
        )

    def page(self, request, terms, form, status=200):
        return render(
            request,
            "invoicing/credit_terms_form.html",
            {"terms": terms, "form": form},
            status=status,
        )

    def get(self, request, pk: int):
        terms = self.terms(request, pk)
        form = CreditTermsForm(
            initial={
                "payment_terms_days": terms.payment_terms_days,
                "credit_limit": terms.credit_limit,
                "active": terms.active,
            }
        )
        return self.page(request, terms, form)

    def post(self, request, pk: int):
        terms = self.terms(request, pk)
        form = CreditTermsForm(request.POST)
        if form.is_valid() and _apply(form, request=request, buyer=terms.buyer) is not None:
            messages.success(request, f"Credit terms of {terms.buyer.name} saved.")
            return redirect("credit:list")
        return self.page(request, terms, form, status=400)
