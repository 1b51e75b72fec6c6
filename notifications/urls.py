from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("sms/receipt/", views.sms_receipt, name="sms_receipt"),
]
