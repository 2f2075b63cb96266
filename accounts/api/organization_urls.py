"""/api/organizations: staff manage organizations (for now: flag the portal's store)."""

from django.urls import path

from . import views

urlpatterns = [
    path("organizations", views.OrganizationListView.as_view(), name="api-organization-list"),
    path(
        "organizations/<int:pk>",
        views.OrganizationDetailView.as_view(),
        name="api-organization-detail",
    ),
]
