"""Pages for suppliers: answer a purchase order by its signed link or as a signed-in member."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin

from . import selectors, services
from .exceptions import PurchaseOrderStateError
from .forms import ConfirmForm, ProposalForm
from .models import POStatus, PurchaseOrder

SUPPLIER_ROLES = (Role.MANUFACTURER, Role.DISTRIBUTOR)
PAGE_SIZE = 20


def purchase_order_pdf_response(po: PurchaseOrder) -> FileResponse:
    path = services.purchase_order_pdf_ensure(purchase_order=po)
    return FileResponse(
        default_storage.open(path, "rb"),
        content_type="application/pdf",
        filename=f"{po.number}.pdf",
    )


class AnswerMixin:
    """The PO, the supplier's two answers (confirm, propose) and what happened to it."""

    template_name = "procurement/answer.html"
    ask_name = True

    def get_purchase_order(self, request, **kwargs) -> PurchaseOrder:
        raise NotImplementedError  # each page finds the PO its own way

    def responder(self, request, form) -> str:
        return form.cleaned_data["responded_by"]

    def render_page(self, request, po, *, confirm_form=None, proposal_form=None, status=200):
        can_answer = po.status == POStatus.SENT
        context = {
            "po": po,
            "lines": list(po.lines.all()),
            "can_answer": can_answer,
            "confirm_form": confirm_form or (ConfirmForm() if self.ask_name else None),
            "proposal_form": proposal_form
            or ProposalForm(purchase_order=po, ask_name=self.ask_name),
            # A cancelled PO serves no PDF: the link answers "cancelled", nothing to act on.
            "pdf_url": None if po.status == POStatus.CANCELLED else self.pdf_url(po),
            "ask_name": self.ask_name,
        }
        context.update(self.extra_context(po))
        return render(request, self.template_name, context, status=status)

    def extra_context(self, po) -> dict:
        return {}

    def get(self, request, **kwargs):
        return self.render_page(request, self.get_purchase_order(request, **kwargs))

    def post(self, request, **kwargs):
        po = self.get_purchase_order(request, **kwargs)
        action = request.POST.get("action")
        if po.status != POStatus.SENT:
            messages.error(
                request,
                f"Purchase order {po.number} is already {po.get_status_display().lower()}; "
                "there is nothing more to answer here.",
            )
            return self.render_page(request, po, status=409)
        if action == "confirm":
            form = ConfirmForm(request.POST) if self.ask_name else None
            if form is not None and not form.is_valid():
                return self.render_page(request, po, confirm_form=form, status=400)
            try:
                services.purchase_order_confirm(
                    purchase_order=po, responded_by=self.responder(request, form)
                )
            except PurchaseOrderStateError as exc:
                messages.error(request, exc.message)
                return self.render_page(request, po, status=409)
            messages.success(request, f"Thank you: purchase order {po.number} is confirmed.")
            return redirect(request.path)
        if action == "propose":
            form = ProposalForm(request.POST, purchase_order=po, ask_name=self.ask_name)
            if form.is_valid():
                try:
                    services.purchase_order_propose(
                        purchase_order=po,
                        responded_by=self.responder(request, form),
                        proposed_date=form.cleaned_data["proposed_date"],
                        quantities=form.quantities(),
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    for field, errors in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                except PurchaseOrderStateError as exc:
                    messages.error(request, exc.message)
                    return self.render_page(request, po, status=409)
                else:
                    messages.success(
                        request,
                        f"Thank you: your proposal for {po.number} is sent. "
                        "Our procurement team will get back to you.",
                    )
                    return redirect(request.path)
            return self.render_page(request, po, proposal_form=form, status=400)
        messages.error(request, "Choose to confirm the order or to propose changes.")
        return self.render_page(request, po, status=400)


@method_decorator(never_cache, name="dispatch")
class AnswerByLinkView(AnswerMixin, View):
    """The signed, expiring link e-mailed to the supplier: no account needed.

    A tampered, expired or revoked token is 404, like a PO that does not exist.
    """

    def get_purchase_order(self, request, token: str) -> PurchaseOrder:
        po = services.purchase_order_from_token(token)
        if po is None or po.status == POStatus.AWAITING_APPROVAL:
            raise Http404("This link is not valid or has expired.")
        self.token = token
        return po

    def pdf_url(self, po):
        return reverse("procurement:answer_pdf", args=[self.token])


@never_cache
def pdf_by_link(request, token: str):
    po = services.purchase_order_from_token(token)
    if po is None or po.status in (POStatus.AWAITING_APPROVAL, POStatus.CANCELLED):
        raise Http404("This link is not valid or has expired.")
    return purchase_order_pdf_response(po)


class SupplierMixin(RoleRequiredMixin):
    roles = SUPPLIER_ROLES

    def get_purchase_order(self, request, number: str) -> PurchaseOrder:
        po = selectors.purchase_order_for_supplier(
            organization=request.user.organization, number=number
        )
        if po is None:
            raise Http404("No such purchase order.")
        return po


class SupplierPurchaseOrderListView(SupplierMixin, View):
    """The purchase orders addressed to the user's organization, waiting ones first."""

    def get(self, request):
        status = request.GET.get("status", "")
        queryset = selectors.purchase_orders_for_supplier(organization=request.user.organization)
        if status in POStatus.values:
            queryset = queryset.filter(status=status)
        else:
            status = ""
        page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "procurement/supplier_list.html",
            {
                "page": page,
                "status": status,
                "statuses": [
                    (value, label)
                    for value, label in POStatus.choices
                    if value != POStatus.AWAITING_APPROVAL
                ],
                "counts": selectors.supplier_dashboard_counts(
                    organization=request.user.organization
                ),
            },
        )


class SupplierPurchaseOrderView(SupplierMixin, AnswerMixin, View):
    """A member of the supplier answers on the site; their account is who answered."""

    ask_name = False

    def responder(self, request, form) -> str:
        return f"{request.user.get_full_name()} <{request.user.email}>"

    def pdf_url(self, po):
        return reverse("procurement:supplier_po_pdf", args=[po.number])

    def extra_context(self, po) -> dict:
        return {"member_view": True}


class SupplierPurchaseOrderPdfView(SupplierMixin, View):
    def get(self, request, number: str):
        po = self.get_purchase_order(request, number)
        if po.status == POStatus.CANCELLED:
            raise Http404("This purchase order is cancelled.")
        return purchase_order_pdf_response(po)
