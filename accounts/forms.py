from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.core.exceptions import ValidationError

from . import services
from .models import ORGANIZATION_ROLES, Organization, Role, User


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": "That e-mail and password do not match an active account.",
    }


class SignupForm(forms.Form):
    """Customer sign-up; the business form adds the organization."""

    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    phone = forms.CharField(label="Phone", max_length=32, required=False)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    account_role = Role.CUSTOMER

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") != cleaned["password1"]:
            self.add_error("password2", "The two passwords differ.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "email": data["email"],
            "password": data["password1"],
            "name": data["name"],
            "phone": data.get("phone", ""),
            "role": self.account_role,
        }

    def save(self) -> User:
        """Register through the service; its field errors land on this form's fields."""
        try:
            return services.user_register(**self.service_kwargs())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = {"password": "password1"}.get(field, field)
                self.add_error(target if target in self.fields else None, messages)
            raise


class BusinessSignupForm(SignupForm):
    role = forms.ChoiceField(
        label="Your organization is a",
        choices=[(r.value, r.label) for r in ORGANIZATION_ROLES],
        widget=forms.RadioSelect,
    )
    organization_name = forms.CharField(label="Organization name", max_length=200)
    address = forms.CharField(max_length=255, required=False)
    city = forms.CharField(max_length=100, required=False)
    region = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=100, required=False)

    field_order = [
        "role",
        "organization_name",
        "name",
        "email",
        "phone",
        "address",
        "city",
        "region",
        "country",
        "password1",
        "password2",
    ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().service_kwargs(),
            "role": data["role"],
            "organization_name": data["organization_name"],
            "address": data.get("address", ""),
            "city": data.get("city", ""),
            "region": data.get("region", ""),
            "country": data.get("country", ""),
        }


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "phone", "backorder_policy"]
        labels = {"backorder_policy": "When stock is short"}
        widgets = {"backorder_policy": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.organization_id:
            # A member orders as its organization: the organization's setting applies.
            del self.fields["backorder_policy"]
        else:
            self.fields["backorder_policy"].required = False  # absent: unchanged
            self.fields["backorder_policy"].help_text = (
                "What your orders do by default when the store has less than you ask for; "
                "each checkout lets you choose again."
            )


class OrganizationForm(forms.ModelForm):
    CONTACT_FIELDS = list(services.ORGANIZATION_CONTACT_FIELDS)

    class Meta:
        model = Organization
        fields = [*services.ORGANIZATION_CONTACT_FIELDS, "backorder_policy"]
        labels = {"backorder_policy": "When a distributor is short"}
        widgets = {"backorder_policy": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.kind != Organization.Kind.RETAILER:
            del self.fields["backorder_policy"]  # only buyers order
        else:
            self.fields["backorder_policy"].required = False  # absent: unchanged
            self.fields[
                "backorder_policy"
            ].help_text = (
                "The default for your organization's orders; each checkout lets you choose again."
            )


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(label="E-mail", max_length=254)
