from django.contrib import admin

from .models import Payment, PaymentSettings, WebhookEvent


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Read-only: a payment's state comes from the provider, never from a form."""

    list_display = (
        "pk",
        "created_at",
        "distributor",
        "subject_text",
        "amount",
        "status",
        "gateway",
    )
    list_filter = ("status", "gateway", "distributor")
    search_fields = ("provider_order_id", "provider_payment_id", "order__number", "invoice__number")
    list_select_related = ("distributor", "order", "invoice")
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Payment._meta.fields]

    @admin.display(description="For")
    def subject_text(self, obj):
        return obj.subject

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("received_at", "event", "event_id", "payment")
    search_fields = ("event_id",)
    readonly_fields = ("event_id", "event", "payment", "received_at")

    def has_add_permission(self, request):
        return False


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(admin.ModelAdmin):
    list_display = ("distributor", "pay_on_delivery")
    list_filter = ("pay_on_delivery",)
