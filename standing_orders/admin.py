from django.contrib import admin

from .models import StandingOrder, StandingOrderLine, StandingOrderRun


class StandingOrderLineInline(admin.TabularInline):
    model = StandingOrderLine
    extra = 0
    raw_id_fields = ("product",)


class StandingOrderRunInline(admin.TabularInline):
    model = StandingOrderRun
    extra = 0
    can_delete = False
    fields = ("run_date", "outcome", "order", "lines_placed", "units_backordered", "message")
    readonly_fields = fields
    ordering = ("-run_date",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StandingOrder)
class StandingOrderAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "buyer",
        "buyer_organization",
        "distributor",
        "frequency",
        "next_run_date",
        "status",
    )
    list_filter = ("status", "frequency")
    search_fields = ("name", "buyer__email", "buyer_organization__name", "distributor__name")
    list_select_related = ("buyer", "buyer_organization", "distributor")
    raw_id_fields = ("buyer", "buyer_organization", "distributor")
    readonly_fields = ("reminded_for", "created_at", "updated_at")
    inlines = [StandingOrderLineInline, StandingOrderRunInline]


@admin.register(StandingOrderRun)
class StandingOrderRunAdmin(admin.ModelAdmin):
    """Runs are a record of what happened: read only."""

    list_display = (
        "standing_order",
        "run_date",
        "outcome",
        "order",
        "lines_placed",
        "units_backordered",
    )
    list_filter = ("outcome",)
    list_select_related = ("standing_order", "order")
    search_fields = ("standing_order__name", "order__number")
    readonly_fields = [f.name for f in StandingOrderRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
