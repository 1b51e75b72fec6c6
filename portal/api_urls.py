from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import MeView, SignUpView, TokenView
from matters.api import MatterDetailView, MatterListView, ThemeDetailView, ThemeListView
from supervision.api import CardViewSet, DashboardView, FiguresView, LiveCardsView
from windows.api import WalkInView
from workflow.api import ApplicationViewSet, SubCaseViewSet
from workflow.calendar_api import DeadlineView, WorkdaysView

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("subcases", SubCaseViewSet, basename="api-subcase")
router.register("cards", CardViewSet, basename="api-card")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("accounts/signup/", SignUpView.as_view(), name="api-signup"),
    path("accounts/me/", MeView.as_view(), name="api-me"),
    path("calendar/deadline", DeadlineView.as_view(), name="calendar-deadline"),
    path("calendar/workdays", WorkdaysView.as_view(), name="calendar-workdays"),
    path("matters/", MatterListView.as_view(), name="api-matters"),
    path("matters/<str:code>/", MatterDetailView.as_view(), name="api-matter"),
    path("themes/", ThemeListView.as_view(), name="api-themes"),
    path("themes/<slug:code>/", ThemeDetailView.as_view(), name="api-theme"),
    path("windows/walk-ins/", WalkInView.as_view(), name="api-walk-in"),
    path("supervision/dashboard/", DashboardView.as_view(), name="api-dashboard"),
    path("supervision/figures/", FiguresView.as_view(), name="api-figures"),
    path("supervision/live-cards/", LiveCardsView.as_view(), name="api-live-cards"),
    *router.urls,
]
