"""Credit terms in the Django admin: staff see and correct any distributor's terms.

Distributors set their own on /distributor/credit-terms/ (invoicing.credit);
here the model's validation (bounds, a distributor giving a retailer terms)
and the database constraints hold the same rules.
"""

from django.contrib import admin

from .models import CreditTerms


@admin.register(CreditTerms)
class CreditTermsAdmin(admin.ModelAdmin):
    list_display = ("buyer", "seller", "payment_terms_days", "credit_limit", "active", "updated_at")
    list_filter = ("active",)
    list_select_related = ("buyer", "seller")
    search_fields = ("buyer__name", "seller__name")
    autocomplete_fields = ("seller", "buyer")
    readonly_fields = ("updated_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
