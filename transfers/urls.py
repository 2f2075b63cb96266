from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    path("", views.TransferListView.as_view(), name="list"),
    path("new/", views.TransferCreateView.as_view(), name="create"),
    path("transfer-now/", views.TransferNowView.as_view(), name="transfer_now"),
    path("<str:number>/", views.TransferDetailView.as_view(), name="detail"),
    path("<str:number>/packing-slip/", views.PackingSlipView.as_view(), name="packing_slip"),
    *[
        path(
            f"<str:number>/{action}/",
            views.TransferActionView.as_view(action=action),
            name=action.replace("-", "_"),
        )
        for action in ("confirm", "ship", "receive", "cancel", "write-off")
    ],
]
