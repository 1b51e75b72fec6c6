from django.urls import path

from . import views

app_name = "civic"

urlpatterns = [
    path("", views.index, name="index"),
    path("ask/", views.ask, name="ask"),
    path("q/<id:pk>/", views.question, name="question"),
    path("mine/", views.mine, name="mine"),
    path("desk/", views.desk, name="desk"),
    path("benefits/<str:code>/", views.benefit, name="benefit"),
    path("consultations/<id:pk>/", views.consultation, name="consultation"),
]
