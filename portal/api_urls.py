from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import MeView, SignUpView, TokenLogoutView, TokenView
from civic.api import QuestionViewSet
from exchange.api import LicenceVerifyView, LicenceViewSet
from exchange.inbound_api import DepartmentDecisionView, DepartmentMaterialFileView
from market.api import DemandViewSet, IntermediaryViewSet
from matters.api import MatterDetailView, MatterListView, ThemeDetailView, ThemeListView
from notifications.api import AppDeviceListView, AppDeviceView
from payments.api import FeeViewSet, PaymentOrderViewSet, ReconciliationViewSet
from portal.disclosure import DisclosureView
from supervision.cards.api import CardViewSet, LiveCardsView
from supervision.feedback.api import ComplaintViewSet, FollowUpViewSet, RatingLinkViewSet, RatingViewSet
from supervision.figures.api import FiguresView
from terminals.api import TerminalEventView
from windows import queue_api as queue
from windows.api import ConsultationViewSet, WalkInView
from workflow.agency_api import AgentAuthorisationViewSet
from workflow.api import ApplicationViewSet, SubCaseViewSet
from workflow.calendar_api import DeadlineView, WorkdaysView

router = SimpleRouter()
router.register("applications", ApplicationViewSet, basename="api-application")
router.register("subcases", SubCaseViewSet, basename="api-subcase")
router.register("cards", CardViewSet, basename="api-card")
router.register("authorisations", AgentAuthorisationViewSet, basename="api-authorisation")
router.register("consultations", ConsultationViewSet, basename="api-consultation")
router.register("licences", LicenceViewSet, basename="api-licence")
router.register("rating-links", RatingLinkViewSet, basename="api-rating-link")
router.register("ratings", RatingViewSet, basename="api-rating")
router.register("followups", FollowUpViewSet, basename="api-followup")
router.register("complaints", ComplaintViewSet, basename="api-complaint")
router.register("fees", FeeViewSet, basename="api-fee")
router.register("payment-orders", PaymentOrderViewSet, basename="api-payment-order")
router.register("reconciliations", ReconciliationViewSet, basename="api-reconciliation")
router.register("market/intermediaries", IntermediaryViewSet, basename="api-market-intermediary")
router.register("market/demands", DemandViewSet, basename="api-market-demand")
router.register("civic/questions", QuestionViewSet, basename="api-civic-question")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
    path("accounts/signup/", SignUpView.as_view(), name="api-signup"),
    path("accounts/me/", MeView.as_view(), name="api-me"),
    path("notifications/devices/", AppDeviceListView.as_view(), name="api-app-devices"),
    path("notifications/devices/<id:device_id>/", AppDeviceView.as_view(), name="api-app-device"),
    path("calendar/deadline", DeadlineView.as_view(), name="calendar-deadline"),
    path("calendar/workdays", WorkdaysView.as_view(), name="calendar-workdays"),
    path("matters/", MatterListView.as_view(), name="api-matters"),
    path("matters/<str:code>/", MatterDetailView.as_view(), name="api-matter"),
    path("themes/", ThemeListView.as_view(), name="api-themes"),
    path("themes/<slug:code>/", ThemeDetailView.as_view(), name="api-theme"),
    path("windows/walk-ins/", WalkInView.as_view(), name="api-walk-in"),
    path("queue/tickets/", queue.TicketTakeView.as_view(), name="api-tickets"),
    path("queue/tickets/<uuid:token>/", queue.TicketDetailView.as_view(), name="api-ticket"),
    path("queue/tickets/<uuid:token>/recall/", queue.TicketRecallView.as_view(), name="api-ticket-recall"),
    path("queue/tickets/<uuid:token>/serve/", queue.TicketServeView.as_view(), name="api-ticket-serve"),
    path("queue/tickets/<uuid:token>/no-show/", queue.TicketNoShowView.as_view(), name="api-ticket-no-show"),
    path("queue/call-next/", queue.CallNextView.as_view(), name="api-call-next"),
    path("queue/check-in/", queue.CheckInView.as_view(), name="api-check-in"),
    path("queue/halls/<str:code>/screen/", queue.ScreenView.as_view(), name="api-screen"),
    path("appointments/", queue.AppointmentListView.as_view(), name="api-appointments"),
    path("appointments/slots/", queue.SlotListView.as_view(), name="api-slots"),
    path("appointments/<str:code>/cancel/", queue.AppointmentCancelView.as_view(), name="api-appointment-cancel"),
    path("licences/verify/", LicenceVerifyView.as_view(), name="api-licence-verify"),
    path("exchange/decisions/", DepartmentDecisionView.as_view(), name="api-exchange-decisions"),
    path("exchange/materials/<id:material_id>/file/", DepartmentMaterialFileView.as_view(),
         name="api-exchange-material-file"),
    path("terminals/events/", TerminalEventView.as_view(), name="api-terminal-events"),
    path("disclosure/applications/", DisclosureView.as_view(), name="api-disclosure"),
    path("supervision/figures/", FiguresView.as_view(), name="api-figures"),
    path("supervision/live-cards/", LiveCardsView.as_view(), name="api-live-cards"),
    *router.urls,
]
