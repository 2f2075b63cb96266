from django.urls import path

from . import views

app_name = "standing_orders"

urlpatterns = [
    path("", views.StandingOrderListView.as_view(), name="list"),
    path("new/", views.StandingOrderFormView.as_view(), name="create"),
    path("<int:pk>/", views.StandingOrderDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.StandingOrderFormView.as_view(), name="edit"),
    path("<int:pk>/skip/", views.StandingOrderSkipView.as_view(), name="skip"),
    path("<int:pk>/pause/", views.StandingOrderActionView.as_view(action="pause"), name="pause"),
    path("<int:pk>/resume/", views.StandingOrderActionView.as_view(action="resume"), name="resume"),
    path("<int:pk>/end/", views.StandingOrderActionView.as_view(action="end"), name="end"),
]
