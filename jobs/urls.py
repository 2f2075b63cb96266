from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("<uuid:public_id>/progress", views.job_progress, name="progress"),
    path("<uuid:public_id>/file", views.job_file, name="file"),
]
