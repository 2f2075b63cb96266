from django.urls import path

from . import views

urlpatterns = [
    path("points", views.PointsSummaryView.as_view(), name="api-loyalty-points"),
    path("points/history", views.PointsHistoryView.as_view(), name="api-loyalty-history"),
]
