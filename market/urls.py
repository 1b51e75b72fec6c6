from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("", views.index, name="index"),
    path("items/<str:code>/", views.service_item, name="service_item"),
    path("intermediaries/", views.directory, name="directory"),
    path("intermediaries/<id:pk>/", views.intermediary_detail, name="intermediary"),
    path("demands/", views.demands, name="demands"),
    path("demands/new/", views.demand_new, name="demand_new"),
    path("demands/<str:number>/", views.demand_detail, name="demand"),
    path("demands/<str:number>/bid/", views.bid, name="bid"),
    path("demands/<str:number>/select/", views.demand_select, name="select"),
    path("demands/<str:number>/cancel/", views.demand_cancel, name="cancel"),
    path("demands/<str:number>/bids/<id:pk>/edit/", views.bid_edit, name="bid_edit"),
    path("demands/<str:number>/bids/<id:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("draw/check/", views.draw_check, name="draw_check"),
    path("contracts/<str:number>/", views.contract_detail, name="contract"),
    path("contracts/<str:number>/deliver/", views.contract_deliver, name="deliver"),
    path("contracts/<str:number>/rate/", views.contract_rate, name="rate"),
    path("contracts/<str:number>/use/", views.report_use, name="use"),
    path("contracts/<str:number>/report/", views.contract_report, name="report"),
    path("register/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("mine/<id:pk>/qualifications/", views.qualification_add, name="qualification_add"),
    path("mine/<id:pk>/staff/", views.staff_add, name="staff_add"),
    path("centre/", views.centre, name="centre"),
    path("centre/<id:pk>/review/", views.review, name="review"),
    path("centre/<id:pk>/blacklist/", views.blacklist, name="blacklist"),
    path("centre/blacklist/<id:pk>/lift/", views.blacklist_lift, name="blacklist_lift"),
    path("centre/<id:pk>/bar/", views.bar, name="bar"),
]
