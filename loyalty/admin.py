"""The programme in the admin: its settings (one row), accounts and the read-only ledger."""

from django.contrib import admin
from django.db.models import Sum

from .models import LoyaltyAccount, LoyaltySettings, PointsEntry


@admin.register(LoyaltySettings)
class LoyaltySettingsAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "enabled",
        "points_per_100",
        "point_value",
        "max_redeem_percent",
        "max_redeem_amount",
        "expiry_months",
    ]
    readonly_fields = ["updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not LoyaltySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyLedgerMixin:
    """Entries are append-only: the admin shows them and never changes or deletes one."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PointsEntryInline(ReadOnlyLedgerMixin, admin.TabularInline):
    model = PointsEntry
    fields = ["created_at", "kind", "points", "order", "amount", "expires_on", "note"]
    readonly_fields = fields
    ordering = ["-created_at", "-pk"]
    extra = 0
    max_num = 0
    show_change_link = False


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(ReadOnlyLedgerMixin, admin.ModelAdmin):
    list_display = ["user", "balance", "created_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__name"]
    readonly_fields = ["user", "created_at"]
    inlines = [PointsEntryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_balance=Sum("entries__points"))

    @admin.display(description="balance (ledger sum)", ordering="_balance")
    def balance(self, obj):
        return obj._balance or 0


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyLedgerMixin, admin.ModelAdmin):
    list_display = ["created_at", "account", "kind", "points", "order", "amount", "expires_on"]
    list_filter = ["kind"]
    list_select_related = ["account__user", "order"]
    search_fields = ["account__user__email", "order__number", "dedup_key"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in PointsEntry._meta.fields]
