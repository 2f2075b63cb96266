from django.urls import path

from .views import ACTION_VIEWS, TransferDetailView, TransferListView

urlpatterns = [
    path("distributor/transfers", TransferListView.as_view(), name="api-transfers"),
    path("distributor/transfers/<str:number>", TransferDetailView.as_view(), name="api-transfer"),
] + [
    path(
        f"distributor/transfers/<str:number>/{action}",
        view.as_view(),
        name=f"api-transfer-{action}",
    )
    for action, view in ACTION_VIEWS.items()
]
