"""The distributor's return pages, mounted at /distributor/returns/ (namespace
`distributor_returns`)."""

from django.urls import path

from . import views

app_name = "distributor_returns"

urlpatterns = [
    path("", views.DistributorReturnListView.as_view(), name="list"),
    path("<int:pk>/", views.DistributorReturnDetailView.as_view(), name="detail"),
] + [
    path(
        f"<int:pk>/{action}/",
        views.DistributorReturnActionView.as_view(action=action),
        name=action,
    )
    for action in ("approve", "reject", "receive", "close")
]
