"""我经手的在办件 as a query of its own, below both `selectors` (the clerk's list) and `services`
(a clerk finishes a case in hand at whatever window they sit today), so neither imports the
other for it."""

from django.db.models import Q

from .models import Application, Material, SupplementRequest


def cases_in_hand(clerk):
    """What still waits on this clerk, wherever they sit today — walk-ins they registered and
    have not accepted yet, applications they asked to supplement (the open request is theirs), and
    applications they accepted with 容缺 materials still outstanding."""
    open_requests = SupplementRequest.objects.filter(requested_by=clerk, resolved_at__isnull=True)
    deferred = Material.objects.filter(source=Material.Source.DEFERRED, fulfilled_at__isnull=True)
    S = Application.State
    return Application.objects.filter(
        Q(state=S.SUBMITTED, created_by=clerk, channel="window")
        | Q(state=S.SUPPLEMENT_REQUESTED, pk__in=open_requests.values("application_id"))
        | Q(state__in=(S.ACCEPTED, S.IN_REVIEW), accepted_by=clerk, pk__in=deferred.values("application_id"))
    )


def in_hand_of(clerk, application) -> bool:
    return cases_in_hand(clerk).filter(pk=application.pk).exists()
