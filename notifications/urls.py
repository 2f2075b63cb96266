from django.urls import path

from . import sms_views, views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("preferences/", views.preferences, name="preferences"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:pk>/read/", views.mark_read, name="read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("sms/status/<int:pk>/", sms_views.sms_status, name="sms_status"),
]
