from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Every background job, read-only: they are written by jobs.services alone."""

    list_display = ["label", "kind", "owner", "status", "percent", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["label", "owner__email"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    # The list grows with every export; "N of M" would count the whole table a second time.
    show_full_result_count = False
    readonly_fields = [f.name for f in Job._meta.fields] + ["percent"]

    @admin.display(description="progress")
    def percent(self, job):
        return f"{job.percent} %"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
