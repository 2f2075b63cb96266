from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "notifications-api"

urlpatterns = [
    path("notifications", views.NotificationListView.as_view(), name="list"),
    # The list was /api/notifications/, the only API path with a trailing slash.
    path(
        "notifications/",
        RedirectView.as_view(
            pattern_name="notifications-api:list", query_string=True, permanent=True
        ),
        name="list-old",
    ),
    path("notifications/read-all", views.NotificationReadAllView.as_view(), name="read-all"),
    path("notifications/<int:pk>/read", views.NotificationReadView.as_view(), name="read"),
]
