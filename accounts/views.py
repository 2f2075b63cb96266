from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.views import View
from django.views.generic import FormView, TemplateView

from auromart.urls_helpers import site_url
from catalog.selectors import manufacturer_product_counts
from inventory.selectors import low_stock_count, units_at_distributors
from orders.distributor_today import distributor_today
from orders.models import OrderStatus
from orders.selectors import (
    buyer_organization_order_counts,
    distributor_order_counts,
    orders_for_distributor,
    orders_for_retailer_organization,
    orders_with_products_of,
    orders_with_products_of_count,
)
from procurement.selectors import supplier_dashboard_counts

from . import services, throttles
from .agreements import agreement_counts
from .forms import (
    BusinessSignupForm,
    LoginForm,
    OrganizationForm,
    PasswordResetForm,
    ProfileForm,
    SignupForm,
)
from .models import Role
from .permissions import RoleRequiredMixin, dashboard_url

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def home(request):
    """Anonymous visitors see what AuroMart is; users go to their dashboard."""
    if request.user.is_authenticated:
        return redirect(dashboard_url(request.user))
    return render(request, "home.html")


class SignupView(FormView):
    template_name = "accounts/signup.html"
    form_class = SignupForm
    business = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect(dashboard_url(request.user))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(business=self.business, **kwargs)

    def form_valid(self, form):
        if not throttles.registration_allowed(self.request):
            form.add_error(None, "Too many sign-ups from your network; try again in an hour.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        try:
            user = form.save()
        except ValidationError:
            return self.form_invalid(form)
        login(self.request, user, backend=MODEL_BACKEND)
        messages.success(self.request, f"Welcome to AuroMart, {user.get_short_name()}.")
        return redirect(dashboard_url(user))


class BusinessSignupView(SignupView):
    form_class = BusinessSignupForm
    business = True


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return dashboard_url(self.request.user)


class LogoutView(auth_views.LogoutView):
    pass


class ProfileView(LoginRequiredMixin, View):
    template_name = "accounts/profile.html"

    def get_forms(self, data=None):
        user = self.request.user
        profile_form = ProfileForm(data, instance=user, prefix="profile")
        org_form = None
        if user.organization_id and user.is_org_admin:
            org_form = OrganizationForm(data, instance=user.organization, prefix="org")
        return profile_form, org_form

    def get(self, request):
        profile_form, org_form = self.get_forms()
        return self.render(profile_form, org_form)

    def post(self, request):
        profile_form, org_form = self.get_forms(request.POST)
        forms_valid = profile_form.is_valid() and (org_form is None or org_form.is_valid())
        if not forms_valid:
            return self.render(profile_form, org_form, status=400)
        with transaction.atomic():
            services.user_update_profile(
                user=request.user,
                name=profile_form.cleaned_data["name"],
                phone=profile_form.cleaned_data["phone"],
            )
            if profile_form.cleaned_data.get("backorder_policy"):
                services.backorder_policy_set(
                    buyer=request.user,
                    policy=profile_form.cleaned_data["backorder_policy"],
                    by=request.user,
                )
            if org_form is not None:
                services.organization_update(
                    organization=request.user.organization,
                    by=request.user,
                    **{f: org_form.cleaned_data[f] for f in OrganizationForm.CONTACT_FIELDS},
                )
                if org_form.cleaned_data.get("backorder_policy"):
                    services.backorder_policy_set(
                        buyer=request.user.organization,
                        policy=org_form.cleaned_data["backorder_policy"],
                        by=request.user,
                    )
        messages.success(request, "Your profile was saved.")
        return redirect("accounts:profile")

    def render(self, profile_form, org_form, status=200):
        user = self.request.user
        members = user.organization.members.order_by("name") if user.organization_id else []
        return render(
            self.request,
            self.template_name,
            {"profile_form": profile_form, "org_form": org_form, "members": members},
            status=status,
        )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    html_email_template_name = "accounts/email/password_reset.html"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if not throttles.password_reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error(None, "Too many reset requests; try again in an hour.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)

    @property
    def extra_email_context(self):
        # Read per request, so the link follows SITE_URL as configured now.
        return {"site_url": site_url("")}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@dataclass(frozen=True)
class Figure:
    """One number on a dashboard, and the page where the user acts on it."""

    label: str
    value: int
    url: str
    hint: str = ""
    # "warning" draws attention: there is work waiting.
    tone: str = "primary"


def _url(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


class RoleDashboardView(RoleRequiredMixin, TemplateView):
    """A role's home page: the figures it acts on, each linking to where it acts.

    Subclasses compute their figures through the apps' selectors in a fixed
    number of queries, whatever the size of the organization's data.
    """

    template_name = "accounts/dashboard.html"
    title = ""

    def figures(self, organization) -> list[Figure]:
        return []

    def extra_context_data(self, organization) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        user = self.request.user
        organization = user.organization
        members = list(organization.members.order_by("name")) if organization else []
        return super().get_context_data(
            title=self.title,
            members=members,
            figures=self.figures(organization),
            **self.extra_context_data(organization),
            **kwargs,
        )


class ManufacturerDashboardView(RoleDashboardView):
    roles = (Role.MANUFACTURER,)
    title = "Manufacturer dashboard"
    template_name = "accounts/dashboard_manufacturer.html"

    def figures(self, organization) -> list[Figure]:
        month_start = timezone.localdate().replace(day=1)
        products = manufacturer_product_counts(manufacturer=organization)
        agreements = agreement_counts(organization=organization)
        return [
            Figure(
                "Active products",
                products["active"],
                _url("manufacturer:products", active="active"),
                f"of {products['total']} in your catalog",
            ),
            Figure(
                "Units at distributors",
                units_at_distributors(manufacturer=organization),
                _url("manufacturer:stock"),
                "on hand, all your products",
            ),
            Figure(
                "Orders this month",
                orders_with_products_of_count(manufacturer=organization, placed_from=month_start),
                _url("manufacturer:orders", date_from=month_start.isoformat()),
                "holding your products",
            ),
            Figure(
                "Purchase orders to answer",
                supplier_dashboard_counts(organization=organization)["awaiting_answer"],
                _url("procurement:supplier_pos", status="sent"),
                "confirm or propose changes",
            ),
            Figure(
                "Distributors supplied",
                agreements["accepted"],
                _url("manufacturer:agreements"),
                f"{agreements['requested']} request{pluralize(agreements['requested'])} waiting",
            ),
        ]

    def extra_context_data(self, organization) -> dict:
        recent = orders_with_products_of(manufacturer=organization)[:RECENT_ORDERS]
        return {"recent_orders": list(recent)}


class DistributorDashboardView(RoleDashboardView):
    roles = (Role.DISTRIBUTOR,)
    title = "Distributor dashboard"
    template_name = "accounts/dashboard_distributor.html"

    def figures(self, organization) -> list[Figure]:
        orders = distributor_order_counts(distributor=organization)
        low = low_stock_count(distributor=organization)
        agreements = agreement_counts(organization=organization)
        return [
            Figure(
                "Orders to accept",
                orders["to_accept"],
                _url("distributor:orders", status=OrderStatus.PLACED),
                "placed, waiting for you"
                + (f"; {orders['on_hold']} held for credit approval" if orders["on_hold"] else ""),
                "warning" if orders["to_accept"] or orders["on_hold"] else "primary",
            ),
            Figure(
                "Low stock items",
                low,
                _url("distributor:inventory", low="on"),
                "at or below their reorder level",
                "warning" if low else "primary",
            ),
            Figure(
                "Shipments in transit",
                orders["in_transit"],
                _url("distributor:orders", status=OrderStatus.SHIPPED),
                "shipped, not yet delivered",
            ),
            Figure(
                "Agreements to answer",
                agreements["requested"],
                _url("distributor:agreements"),
                f"manufacturers asking to supply you; {agreements['accepted']} accepted",
                "warning" if agreements["requested"] else "primary",
            ),
        ]

    def extra_context_data(self, organization) -> dict:
        recent = orders_for_distributor(distributor=organization)[:RECENT_ORDERS]
        return {"recent_orders": list(recent), "today": distributor_today(distributor=organization)}


class RetailerDashboardView(RoleDashboardView):
    roles = (Role.RETAILER,)
    title = "Retailer dashboard"
    template_name = "accounts/dashboard_retailer.html"

    def figures(self, organization) -> list[Figure]:
        orders = buyer_organization_order_counts(organization=organization)
        return [
            Figure(
                "Open orders",
                orders["open"],
                _url("retailer:orders"),
                "not yet delivered, rejected or cancelled",
            ),
            Figure(
                "On the way",
                orders["shipped"],
                _url("retailer:orders", status=OrderStatus.SHIPPED),
                "shipped to you",
            ),
        ]

    def extra_context_data(self, organization) -> dict:
        recent = orders_for_retailer_organization(organization=organization)[:RECENT_ORDERS]
        return {"recent_orders": list(recent)}


# How many of the latest orders a dashboard lists.
RECENT_ORDERS = 5

retailer_dashboard = RetailerDashboardView.as_view()
distributor_dashboard = DistributorDashboardView.as_view()
manufacturer_dashboard = ManufacturerDashboardView.as_view()
