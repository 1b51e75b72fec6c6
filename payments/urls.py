from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.my_fees, name="my_fees"),
    path("fees/<id:line_id>/pay/", views.pay, name="pay"),
    path("return/", views.returned, name="returned"),
    path("orders/<str:out_trade_no>/receipt.pdf", views.receipt, name="receipt"),
    path("orders/<str:out_trade_no>/refund/", views.refund, name="refund"),
    path("notify/", views.notify, name="notify"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
]
