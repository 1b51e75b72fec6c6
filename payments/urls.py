from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.my_fees, name="my_fees"),
    path("fees/<id:line_id>/pay/", views.pay, name="pay"),
    path("return/", views.returned, name="returned"),
    path("bills/<slug:source>/pay/", views.bill_pay, name="bill_pay"),
    path("bills/<id:bill_id>/", views.bill, name="bill"),
    path("bills/<id:bill_id>/check/", views.bill_check, name="bill_check"),
    path("orders/<str:out_trade_no>/receipt.pdf", views.receipt, name="receipt"),
    path("orders/<str:out_trade_no>/refund/", views.refund, name="refund"),
    path("notify/", views.notify, name="notify"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
]
