"""Returns in the admin: read them with their lines and history; moves go through the pages
or the API (the services), never by editing a status here."""

from django.contrib import admin

from .models import ReturnLine, ReturnRequest, ReturnStatusChange


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    fields = ["order_item", "quantity", "reason", "note", "quantity_restocked", "quantity_damaged"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReturnStatusChangeInline(admin.TabularInline):
    model = ReturnStatusChange
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "changed_by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ["number", "order", "distributor", "customer", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["order", "distributor", "customer"]
    search_fields = ["number", "order__number", "customer__email", "buyer_organization__name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "number",
        "order",
        "customer",
        "buyer_organization",
        "distributor",
        "status",
        "note",
        "decision_note",
        "created_at",
        "decided_at",
        "received_at",
        "closed_at",
    ]
    fields = readonly_fields
    inlines = [ReturnLineInline, ReturnStatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
