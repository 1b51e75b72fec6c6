from django.urls import path

from . import display, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("claim/", views.claim, name="claim"),
    path("display/", display.choose_display, name="display"),
]
