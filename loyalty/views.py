"""The customer's points page: balance, what a point is worth, and the history."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from accounts.models import Role
from accounts.permissions import RoleRequiredMixin

from . import selectors, services
from .models import LoyaltySettings

PAGE_SIZE = 25


class PointsView(RoleRequiredMixin, View):
    roles = (Role.CUSTOMER,)

    def get(self, request):
        balance = services.points_balance(user_id=request.user.pk)
        settings = LoyaltySettings.load()
        page = Paginator(selectors.points_history(user_id=request.user.pk), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request,
            "loyalty/points.html",
            {
                "balance": balance,
                "value": balance * settings.point_value,
                "settings": settings,
                "page": page,
                "query": request.GET,
                "page_range": list(
                    page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
                ),
            },
        )
