"""Return pages: one set for the buyer (the store's customers and retailers), one for the
distributor. Another organization's return, or order, is a 404."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from accounts.models import BUYER_ROLES, Role
from accounts.permissions import RoleRequiredMixin
from orders.models import Order

from . import services
from .forms import DecisionForm, ReceiveForm, RejectForm, ReturnRequestForm, apply_errors
from .models import ReturnStatus
from .selectors import (
    buyer_orders,
    credit_notes_for,
    return_for_buyer,
    return_for_distributor,
    returnable_lines,
    returns_for_buyer,
    returns_for_distributor,
)

PAGE_SIZE = 25


def order_url(order: Order) -> str:
    """The buyer's page of an order: the retailer area for an organization's, else the portal."""
    name = "retailer:order" if order.buyer_organization_id else "portal:order"
    return reverse(name, args=[order.number])


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


class BuyerView(RoleRequiredMixin, View):
    roles = BUYER_ROLES


class ReturnListView(BuyerView):
    def get(self, request):
        page = _page(request, returns_for_buyer(request.user))
        return render(request, "returns/list.html", {"page": page})


class ReturnRequestView(BuyerView):
    """Ask to return delivered units of one order."""

    def get_order(self, number: str) -> Order:
        try:
            return buyer_orders(self.request.user).prefetch_related("items").get(number=number)
        except Order.DoesNotExist:
            raise Http404("No such order.") from None

    def show(self, request, order, form, lines, status=200):
        return render(
            request,
            "returns/request.html",
            {
                "order": order,
                "form": form,
                "lines": lines,
                "order_url": order_url(order),
                "window_days": settings.RETURN_WINDOW_DAYS,
            },
            status=status,
        )

    def get(self, request, number):
        order = self.get_order(number)
        lines = returnable_lines(order)
        return self.show(request, order, ReturnRequestForm(lines=lines), lines)

    def post(self, request, number):
        order = self.get_order(number)
        lines = returnable_lines(order)
        form = ReturnRequestForm(request.POST, lines=lines)
        if form.is_valid():
            try:
                rma = services.return_request_create(
                    order=order,
                    by=request.user,
                    lines=form.requested_lines(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("returns:detail", rma.pk)
        return self.show(request, order, form, lines, status=400)


class ReturnDetailView(BuyerView):
    def get(self, request, pk):
        rma = return_for_buyer(request.user, pk)
        return render(
            request,
            "returns/detail.html",
            {"rma": rma, "order_url": order_url(rma.order), "credit_notes": credit_notes_for(rma)},
        )


# --- The distributor's side ------------------------------------------------------------


class DistributorView(RoleRequiredMixin, View):
    roles = (Role.DISTRIBUTOR,)


class DistributorReturnListView(DistributorView):
    def get(self, request):
        status = request.GET.get("status", "")
        if status not in ReturnStatus.values:
            status = ""
        search = request.GET.get("q", "").strip()[:100]
        qs = returns_for_distributor(
            distributor=request.user.organization, status=status, search=search
        )
        return render(
            request,
            "returns/distributor_list.html",
            {
                "page": _page(request, qs),
                "status": status,
                "q": search,
                "statuses": ReturnStatus.choices,
            },
        )


class DistributorReturnDetailView(DistributorView):
    def context(self, rma, **forms) -> dict:
        return {
            "rma": rma,
            "approve_form": forms.get("approve_form") or DecisionForm(),
            "reject_form": forms.get("reject_form") or RejectForm(),
            "receive_form": forms.get("receive_form") or ReceiveForm(rma=rma),
            "close_form": DecisionForm(),
            "credit_notes": credit_notes_for(rma),
        }

    def get(self, request, pk):
        rma = return_for_distributor(distributor=request.user.organization, pk=pk)
        return render(request, "returns/distributor_detail.html", self.context(rma))


class DistributorReturnActionView(DistributorReturnDetailView):
    """approve, reject, receive or close; a form error shows the page again with it (400)."""

    action = ""

    def post(self, request, pk):
        rma = return_for_distributor(distributor=request.user.organization, pk=pk)
        if self.action == "receive":
            form = ReceiveForm(request.POST, rma=rma)
        elif self.action == "reject":
            form = RejectForm(request.POST)
        else:
            form = DecisionForm(request.POST)
        if form.is_valid():
            note = form.cleaned_data.get("note", "")
            try:
                if self.action == "receive":
                    services.return_receive(
                        return_request=rma, by=request.user, received=form.received(), note=note
                    )
                else:
                    move = {
                        "approve": services.return_approve,
                        "reject": services.return_reject,
                        "close": services.return_close,
                    }[self.action]
                    move(return_request=rma, by=request.user, note=note)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                return redirect("distributor_returns:detail", rma.pk)
        context = self.context(rma, **{f"{self.action}_form": form})
        return render(request, "returns/distributor_detail.html", context, status=400)
