"""The outage scenario, shared by the short test of the normal suite and the on-demand one: the
reference department system goes down while applications are accepted (and, in the long one,
the broker stops too); after recovery every message must have arrived, none twice. Prints the
counts sent / delivered / duplicated / lost, for messages out and decisions back."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import Count

from exchange.models import InboundMessage, OutboxMessage
from tests.factories import ClerkFactory, MatterFactory, submitted_application
from workflow import services
from workflow.models import CaseLog


@dataclass
class Counts:
    sent: int
    delivered: int
    duplicated: int
    lost: int
    decisions_made: int
    decisions_applied: int
    decisions_applied_twice: int
    decisions_lost: int
    redeliveries_absorbed: int

    def line(self, label: str) -> str:
        return (f"{label}: sent {self.sent}, delivered {self.delivered}, duplicated {self.duplicated}, "
                f"lost {self.lost}; decisions made {self.decisions_made}, applied {self.decisions_applied}, "
                f"applied twice {self.decisions_applied_twice}, lost {self.decisions_lost}; "
                f"redeliveries absorbed by message id {self.redeliveries_absorbed}")


def accept_one(system, clerk=None):
    """One application of the department's matter, accepted at a window (dispatch follows on
    commit, through the broker, or by the caller)."""
    matter = MatterFactory(department=system.department)
    application = submitted_application(matters=[matter])
    return services.application_accept(application=application, clerk=clerk or ClerkFactory())


def counts(refsys) -> Counts:
    stats = refsys.stats()
    sent = OutboxMessage.objects.count()
    ours = {m.hex for m in OutboxMessage.objects.values_list("message_id", flat=True)}
    _status, listed = refsys.call("GET", "/api/subcases/")
    theirs = {r["message_id"] for r in listed["received"]}
    delivered = len(ours & theirs)
    twice = (CaseLog.objects.filter(action__in=["workflow.subcase.approved", "workflow.subcase.denied"])
             .values("subcase_id").order_by().annotate(n=Count("id")).filter(n__gt=1).count())
    applied = InboundMessage.objects.filter(outcome="applied").count()
    return Counts(
        sent=sent, delivered=delivered, duplicated=stats["subcases_twice"], lost=sent - delivered,
        decisions_made=stats["decisions"], decisions_applied=applied, decisions_applied_twice=twice,
        decisions_lost=stats["decisions"] - applied,
        redeliveries_absorbed=stats["received_posts"] - stats["received_messages"],
    )


def settled(refsys, expected: int) -> bool:
    c = counts(refsys)
    return c.sent == expected and c.delivered == expected and c.decisions_applied == expected


def wait(predicate, *, seconds: float, step: float = 0.5, each=None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if each is not None:
            each()
        if predicate():
            return True
        time.sleep(step)
    return False
