from django.urls import path

from . import views

app_name = "notifications-api"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("read-all", views.NotificationReadAllView.as_view(), name="read-all"),
    path("<int:pk>/read", views.NotificationReadView.as_view(), name="read"),
]
