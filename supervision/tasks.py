"""Celery finds the app's tasks here (`autodiscover_tasks`); each sub-package defines its own,
under the names `supervision.tasks.<name>` that beat and queued messages use."""

from .cards.tasks import sweep_deadlines  # noqa: F401
from .compliance.tasks import verify_audit_chains  # noqa: F401
from .evaluation.tasks import build_report  # noqa: F401
from .feedback.tasks import send_reminders  # noqa: F401
from .figures.tasks import refresh_all_figures, refresh_figure_days, refresh_figures  # noqa: F401
