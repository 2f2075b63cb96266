"""The buyer's return pages, mounted at /returns/ (namespace `returns`)."""

from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("", views.ReturnListView.as_view(), name="list"),
    path("new/<str:number>/", views.ReturnRequestView.as_view(), name="create"),
    path("<int:pk>/", views.ReturnDetailView.as_view(), name="detail"),
]
