from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("效能监督")

    def ready(self):
        from supervision.cards.levels import decision_levels
        from workflow.hooks import register_clock_levels

        register_clock_levels(decision_levels)

        from matters.hooks import register_hall_gaps
        from supervision.compliance.services import halls_without_clerks

        register_hall_gaps(halls_without_clerks)

        from supervision.figures.services import connect_event_signals

        connect_event_signals()

        from supervision.feedback.models import LEVELS_BIG_FIRST
        from supervision.feedback.ratings import kiosk_open_ratings, kiosk_rate
        from terminals.hooks import RatingProvider, register_ratings

        register_ratings(RatingProvider(open_ratings=kiosk_open_ratings, rate=kiosk_rate, levels=LEVELS_BIG_FIRST))
