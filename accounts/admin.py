from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count

from auromart.spreadsheets import SpreadsheetImportExportMixin

from . import services
from .agreements import agreement_accept_by_staff
from .models import Organization, SupplyAgreement, User
from .resources import OrganizationResource


class MemberInline(admin.TabularInline):
    model = User
    fields = ["email", "name", "phone", "is_org_admin", "is_active"]
    readonly_fields = ["email"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # members are created as users, then attached


class OrganizationAdminForm(forms.ModelForm):
    # Named apart from the model field so that the form never writes the flag:
    # it moves only through the service (which clears the previous store), in
    # OrganizationAdmin.save_model.
    make_default_store = forms.BooleanField(
        required=False,
        label="Default store",
        help_text=(
            "The distributor the customer portal sells from. Ticking it here "
            "moves the flag from the current store."
        ),
    )

    class Meta:
        model = Organization
        fields = ["name", "kind", *services.ORGANIZATION_CONTACT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["make_default_store"] = bool(self.instance.is_default_store)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("make_default_store")
            and cleaned.get("kind") != Organization.Kind.DISTRIBUTOR
        ):
            self.add_error("make_default_store", "Only a distributor can be the default store.")
        return cleaned


class StateMissingFilter(admin.SimpleListFilter):
    """Organizations whose GST state is not known (the data migration could not read one)."""

    title = "state"
    parameter_name = "state_missing"

    def lookups(self, request, model_admin):
        return [("yes", "State: missing"), ("no", "State: known")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(state="")
        if self.value() == "no":
            return queryset.exclude(state="")
        return queryset


@admin.register(Organization)
class OrganizationAdmin(SpreadsheetImportExportMixin, admin.ModelAdmin):
    resource_classes = [OrganizationResource]
    form = OrganizationAdminForm
    list_display = [
        "name",
        "kind",
        "city",
        "region",
        "state",
        "country",
        "is_default_store",
        "member_count",
    ]
    list_filter = ["kind", "is_default_store", StateMissingFilter, "country", "region"]
    search_fields = ["name", "contact_email", "city", "region", "phone"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [MemberInline]
    fieldsets = [
        (None, {"fields": ["name", "kind", "make_default_store"]}),
        (
            "Contact",
            {"fields": ["contact_email", "phone", "address", "city", "region", "state", "country"]},
        ),
        ("Tax", {"fields": ["gstin"]}),
        ("Orders (distributors)", {"fields": ["order_lead_days"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        wanted = form.cleaned_data["make_default_store"]
        if wanted and not obj.is_default_store:
            services.organization_set_default_store(organization=obj)
            messages.info(request, f"{obj} is now the default store of the customer portal.")
        elif not wanted and obj.is_default_store:
            services.organization_clear_default_store(organization=obj)
            messages.warning(
                request, "There is no default store now: the customer portal has none to sell from."
            )

    @admin.display(description="members", ordering="_members")
    def member_count(self, obj):
        return obj._members


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "name"]


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "organization",
        "role_display",
        "is_staff",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "organization__kind", "groups"]
    search_fields = ["email", "name", "phone", "organization__name"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["name", "phone"]}),
        ("Organization", {"fields": ["organization", "is_org_admin"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("History", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "name", "usable_password", "password1", "password2"],
            },
        ),
    ]
    filter_horizontal = ["groups", "user_permissions"]

    @admin.display(description="role")
    def role_display(self, obj):
        return obj.role


@admin.register(SupplyAgreement)
class SupplyAgreementAdmin(admin.ModelAdmin):
    """Who supplies whom. Staff see and may end agreements; the parties request and accept."""

    list_display = ["manufacturer", "distributor", "status", "requested_at", "accepted_at"]
    list_filter = ["status"]
    list_select_related = ["manufacturer", "distributor"]
    search_fields = ["manufacturer__name", "distributor__name"]
    readonly_fields = [
        "manufacturer",
        "distributor",
        "status",
        "note",
        "requested_by",
        "requested_at",
        "accepted_by",
        "accepted_at",
        "ended_by",
        "ended_at",
        "end_reason",
    ]
    actions = ["record_accepted"]

    def has_add_permission(self, request):
        return False  # manufacturers request; the distributor accepts

    def has_delete_permission(self, request, obj=None):
        return False  # the history of who supplied whom stays

    @admin.action(description="Record as accepted (on the distributor's word)")
    def record_accepted(self, request, queryset):
        for agreement in queryset.select_related("manufacturer", "distributor"):
            agreement_accept_by_staff(
                manufacturer=agreement.manufacturer,
                distributor=agreement.distributor,
                by=request.user,
            )
        self.message_user(request, f"{queryset.count()} agreement(s) recorded as accepted.")
