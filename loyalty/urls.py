from django.urls import path

from . import views

app_name = "loyalty"

urlpatterns = [path("", views.PointsView.as_view(), name="points")]
