"""Working calendars and replenishment policies in the admin (procurement.models_policy)."""

from django.contrib import admin, messages
from django.db import transaction

from .models import Holiday, ReplenishmentPolicy, WorkingCalendar
from .models_policy import COMPUTED_FIELDS
from .monitoring import item_evaluate
from .policy_nightly import policies_recompute


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(admin.ModelAdmin):
    list_display = [
        "distributor",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
    list_select_related = ["distributor"]
    autocomplete_fields = ["distributor"]
    inlines = [HolidayInline]


def _recompute_and_evaluate(policies) -> int:
    """Recompute the policies' figures now and re-evaluate their items (one transaction)."""
    items = list(
        policies.values_list(
            "stock_item_id", "stock_item__product_id", "stock_item__distributor_id"
        )
    )
    with transaction.atomic():
        policies_recompute(stock_item_ids=[pk for pk, _, _ in items])
        for _, product_id, distributor_id in items:
            item_evaluate(product_id=product_id, distributor_id=distributor_id, reference="policy")
    return len(items)


@admin.register(ReplenishmentPolicy)
class ReplenishmentPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "stock_item",
        "policy",
        "service_level",
        "demand_method",
        "demand_mean",
        "lead_time_mean",
        "reorder_point",
        "order_up_to_level",
        "computed_at",
    ]
    list_select_related = ["stock_item__product", "stock_item__distributor"]
    list_filter = ["policy", "demand_method"]
    search_fields = ["stock_item__product__sku", "stock_item__product__name"]
    raw_id_fields = ["stock_item"]
    readonly_fields = COMPUTED_FIELDS
    actions = ["recompute"]

    def save_model(self, request, obj, form, change):
        """A change of policy is a change of reorder settings: recompute and re-evaluate at once."""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            _recompute_and_evaluate(ReplenishmentPolicy.objects.filter(pk=obj.pk))

    @admin.action(description="Recompute the figures now and re-evaluate the items")
    def recompute(self, request, queryset):
        count = _recompute_and_evaluate(queryset)
        self.message_user(request, f"Recomputed {count} policies.", messages.SUCCESS)
