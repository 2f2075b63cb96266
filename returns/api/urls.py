from django.urls import path

from . import views

urlpatterns = [
    path("returns", views.ReturnListView.as_view(), name="api-returns"),
    path("returns/<int:pk>", views.ReturnDetailView.as_view(), name="api-return"),
    path(
        "distributor/returns",
        views.DistributorReturnListView.as_view(),
        name="api-distributor-returns",
    ),
    path(
        "distributor/returns/<int:pk>",
        views.DistributorReturnDetailView.as_view(),
        name="api-distributor-return",
    ),
    path(
        "distributor/returns/<int:pk>/approve",
        views.DistributorReturnApproveView.as_view(),
        name="api-distributor-return-approve",
    ),
    path(
        "distributor/returns/<int:pk>/reject",
        views.DistributorReturnRejectView.as_view(),
        name="api-distributor-return-reject",
    ),
    path(
        "distributor/returns/<int:pk>/receive",
        views.DistributorReturnReceiveView.as_view(),
        name="api-distributor-return-receive",
    ),
]
