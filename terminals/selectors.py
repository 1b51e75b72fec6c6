"""Which terminals a member of staff looks after: supervisors and administrators every one; a
window clerk those of the halls where they are seated today or which they head."""

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from windows.home_visit_models import HallHead
from windows.selectors import seats_today

from .models import Terminal


def terminals_for(user) -> QuerySet[Terminal]:
    terminals = Terminal.objects.select_related("hall").order_by("hall__name", "code")
    if user.is_superuser or user.role in (User.Role.SUPERVISOR, User.Role.ADMINISTRATOR):
        return terminals
    if user.role == User.Role.CLERK:
        halls = {seat.window.hall_id for seat in seats_today(user, timezone.localdate())}
        halls |= set(HallHead.objects.filter(clerk=user).values_list("hall_id", flat=True))
        return terminals.filter(hall_id__in=halls)
    return terminals.none()
