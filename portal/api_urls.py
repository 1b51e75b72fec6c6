from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import MeView, SignUpView, TokenView
from matters.api import MatterDetailView, MatterListView, ThemeDetailView, ThemeListView
from supervision.api import CardViewSet, DashboardView
from supervision.feedback_api import ComplaintViewSet, FollowUpViewSet, RatingLinkViewSet, RatingViewSet
from windows.api import WalkInView
from workflow.api import ApplicationViewSet, SubCaseViewSet
from workflow.calendar_api import DeadlineView, WorkdaysView

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("subcases", SubCaseViewSet, basename="api-subcase")
router.register("cards", CardViewSet, basename="api-card")
router.register("rating-links", RatingLinkViewSet, basename="api-rating-link")
router.register("ratings", RatingViewSet, basename="api-rating")
router.register("followups", FollowUpViewSet, basename="api-followup")
router.register("complaints", ComplaintViewSet, basename="api-complaint")

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
    *router.urls,
]
