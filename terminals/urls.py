"""The kiosk's pages, under /kiosk/ (namespace "kiosk")."""

from django.urls import path

from . import kiosk_views as views

app_name = "kiosk"

urlpatterns = [
    path("", views.home, name="home"),
    path("enrol/", views.enrol, name="enrol"),
    path("state/", views.state, name="state"),
    path("paid/", views.paid, name="paid"),
    path("id/", views.id_number, name="id_number"),
    path("<id:session_id>/", views.menu, name="menu"),
    path("<id:session_id>/pin/", views.pin, name="pin"),
    path("<id:session_id>/code/", views.code, name="code"),
    path("<id:session_id>/code/send/", views.code_send, name="code_send"),
    path("<id:session_id>/finish/", views.finish, name="finish"),
    path("<id:session_id>/applications/", views.my_applications, name="applications"),
    path("<id:session_id>/licences/", views.my_licences, name="licences"),
    path("<id:session_id>/data/", views.data, name="data"),
    path("<id:session_id>/data/<slug:source>/", views.data_query, name="data_query"),
    path("<id:session_id>/bills/<slug:source>/pay/", views.bill_pay, name="bill_pay"),
    path("<id:session_id>/bills/<id:bill_id>/check/", views.bill_check, name="bill_check"),
    path("<id:session_id>/fees/", views.my_fees, name="fees"),
    path("<id:session_id>/fees/<id:line_id>/pay/", views.fee_pay, name="fee_pay"),
    path("<id:session_id>/fees/<id:line_id>/check/", views.fee_check, name="fee_check"),
    path("<id:session_id>/queue/", views.queue, name="queue"),
    path("<id:session_id>/queue/take/", views.ticket_take, name="ticket_take"),
    path("<id:session_id>/queue/check-in/", views.check_in, name="check_in"),
    path("<id:session_id>/apply/", views.apply_list, name="apply"),
    path("<id:session_id>/apply/<str:code>/", views.apply_matter, name="apply_matter"),
    path("<id:session_id>/supplement/<str:number>/print/", views.supplement_print, name="supplement_print"),
    path("<id:session_id>/rate/", views.rate, name="rate"),
    path("<id:session_id>/rate/<str:number>/", views.rate_submit, name="rate_submit"),
    path("<id:session_id>/receipts/<id:receipt_id>.pdf", views.receipt_pdf, name="receipt"),
]
