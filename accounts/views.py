from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views import View
from django.views.generic import FormView, TemplateView

from auromart.urls_helpers import site_url

from . import services
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
            if org_form is not None:
                services.organization_update(
                    organization=request.user.organization,
                    by=request.user,
                    **{f: org_form.cleaned_data[f] for f in OrganizationForm.Meta.fields},
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


class RoleDashboardView(RoleRequiredMixin, TemplateView):
    """A role's home page: its organization, team and what it can do here.

    Later issues extend each role's dashboard with its own work (orders,
    stock, products); this is where every role lands after logging in.
    """

    template_name = "accounts/dashboard.html"
    title = ""

    def get_context_data(self, **kwargs):
        user = self.request.user
        members = user.organization.members.order_by("name") if user.organization_id else []
        return super().get_context_data(title=self.title, members=members, **kwargs)


def role_dashboard(role: str, title: str):
    return RoleDashboardView.as_view(roles=(role,), title=title)


retailer_dashboard = role_dashboard(Role.RETAILER, "Retailer dashboard")
distributor_dashboard = role_dashboard(Role.DISTRIBUTOR, "Distributor dashboard")
manufacturer_dashboard = role_dashboard(Role.MANUFACTURER, "Manufacturer dashboard")
