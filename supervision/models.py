"""The models of supervision, one app label (`supervision`) for every sub-package: each
sub-package defines its own in its models.py; this module gathers them for Django and for the
code outside the app (`from supervision.models import Card`). Sub-packages import their own or a
lower sub-package's models, never this module (docs/decisions.md).
"""

from .cards.models import (  # noqa: F401
    Card,
    CardContest,
    CardLog,
    CardPolicy,
    CardThreshold,
    Step,
    WorkdayIndex,
    WorkdayIndexState,
)
from .evaluation.models import ReportJob  # noqa: F401
from .feedback.models import (  # noqa: F401
    BAD_LEVELS,
    LEVELS_BIG_FIRST,
    CallBack,
    Complaint,
    FeedbackLog,
    FollowUp,
    Occasion,
    Rating,
    RatingAppeal,
    RatingLevel,
    RatingToken,
)
from .figures.models import HISTOGRAM_DAYS, FigureRefresh, FigureRollup, FigureRollupCoarse  # noqa: F401
