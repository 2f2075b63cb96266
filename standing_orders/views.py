"""Pages for the buyer's standing orders: one set for the store's customers and retailers."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from accounts.models import BUYER_ROLES, Organization, Role
from accounts.permissions import RoleRequiredMixin
from orders.models import Order

from . import services
from .forms import StandingOrderForm, lines_text
from .models import StandingOrderStatus
from .selectors import standing_order_for, standing_orders_for


class BuyerView(RoleRequiredMixin, View):
    roles = BUYER_ROLES

    def distributors(self):
        """Where this buyer may order from: any distributor for a retailer, the store otherwise."""
        distributors = Organization.objects.filter(kind=Organization.Kind.DISTRIBUTOR)
        if self.request.user.role != Role.RETAILER:
            distributors = distributors.filter(is_default_store=True)
        return distributors.order_by("name")


class StandingOrderListView(BuyerView):
    def get(self, request):
        standing_orders = standing_orders_for(request.user).order_by(
            "status", "next_run_date", "pk"
        )
        return render(
            request,
            "standing_orders/list.html",
            {"standing_orders": standing_orders, "can_create": self.distributors().exists()},
        )


class StandingOrderFormView(BuyerView):
    """Create (no pk) or edit (pk) a standing order."""

    def get_object(self, pk):
        return standing_order_for(self.request.user, pk) if pk else None

    def initial(self, standing_order):
        if standing_order is None:
            last = (
                Order.objects.filter(customer=self.request.user)
                .order_by("-pk")
                .values_list("shipping_address", flat=True)
                .first()
            )
            tomorrow = timezone.localdate() + datetime.timedelta(days=1)
            return {"shipping_address": last or "", "next_run_date": tomorrow}
        return {
            "name": standing_order.name,
            "distributor": standing_order.distributor_id,
            "frequency": standing_order.frequency,
            "interval_weeks": standing_order.interval_weeks,
            "day_of_month": standing_order.day_of_month,
            "next_run_date": standing_order.next_run_date,
            "shipping_address": standing_order.shipping_address,
            "lines": lines_text(standing_order),
        }

    def show(self, request, form, standing_order):
        return render(
            request,
            "standing_orders/form.html",
            {"form": form, "standing_order": standing_order},
            status=400 if form.is_bound else 200,
        )

    def get(self, request, pk=None):
        standing_order = self.get_object(pk)
        if standing_order is not None and standing_order.status == StandingOrderStatus.ENDED:
            messages.error(request, "This standing order has ended; start a new one.")
            return redirect("standing_orders:detail", standing_order.pk)
        form = StandingOrderForm(
            initial=self.initial(standing_order), distributors=self.distributors()
        )
        return self.show(request, form, standing_order)

    def post(self, request, pk=None):
        standing_order = self.get_object(pk)
        form = StandingOrderForm(request.POST, distributors=self.distributors())
        if form.is_valid():
            try:
                if standing_order is None:
                    standing_order = services.standing_order_create(
                        buyer=request.user, **form.service_kwargs()
                    )
                    messages.success(request, f"{standing_order} is set up.")
                else:
                    standing_order = services.standing_order_update(
                        standing_order=standing_order, **form.service_kwargs()
                    )
                    messages.success(request, f"{standing_order} is saved.")
                return redirect("standing_orders:detail", standing_order.pk)
            except ValidationError as exc:
                form.add_service_errors(exc)
        return self.show(request, form, standing_order)


class StandingOrderDetailView(BuyerView):
    def get(self, request, pk):
        standing_order = standing_order_for(request.user, pk)
        return render(
            request,
            "standing_orders/detail.html",
            {
                "standing_order": standing_order,
                "runs": standing_order.runs.all()[:50],
                # The buyer's own order page: the portal's, or the retailer's.
                "order_url": "retailer:order"
                if request.user.role == Role.RETAILER
                else "portal:order",
            },
        )


ACTIONS = {
    "pause": (services.standing_order_pause, "{} is paused: nothing runs until you resume it."),
    "resume": (services.standing_order_resume, "{} is running again."),
    "end": (services.standing_order_end, "{} has ended."),
}


class StandingOrderActionView(BuyerView):
    action = ""

    def post(self, request, pk):
        standing_order = standing_order_for(request.user, pk)
        service, done = ACTIONS[self.action]
        try:
            service(standing_order=standing_order)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done.format(standing_order))
        return redirect("standing_orders:detail", standing_order.pk)


class StandingOrderSkipView(BuyerView):
    """GET (the reminder e-mail's link) asks to confirm; POST skips the next run."""

    def get(self, request, pk):
        standing_order = standing_order_for(request.user, pk)
        return render(request, "standing_orders/skip.html", {"standing_order": standing_order})

    def post(self, request, pk):
        standing_order = standing_order_for(request.user, pk)
        try:
            run = services.standing_order_skip_next(standing_order=standing_order)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The run of {run.run_date:%-d %B %Y} is skipped.")
        return redirect("standing_orders:detail", standing_order.pk)
