"""Issue 12: for every role, what each page, API list and detail, export, drill-down and PDF
shows (tests/security/matrix.py), and proof that the matrix catches a widened list."""

import pytest
from django.db.models import Q

from tests.security import matrix


@pytest.fixture
def world(db):
    return matrix.build()


def test_every_role_sees_exactly_what_is_theirs_on_every_endpoint(world):
    failures = matrix.run(world)
    assert not failures, "\n".join(failures)


def _everything(model):
    return lambda *args, **kwargs: model.objects.all()


def _widenings():
    """target → (the selector returning everything, the probes that must catch it: None for all)."""
    from accounts.models import AgentAuthorisation
    from exchange.models import DataQuery, ElectronicLicence
    from payments.models import FeeLine
    from supervision.cards.models import Card
    from supervision.feedback.models import Complaint, FollowUp, Rating
    from windows.models import Appointment, Consultation
    from workflow.models import Application, SubCase

    def probes(*words):
        return [p for p in matrix.PROBES if any(w in p.name for w in words)]

    return {
        # a clerk's lists back to "every submitted application" (the state before issue 12 B)
        "workflow.selectors.clerk_readable_q": (
            lambda user, *, through="", **kwargs: ~Q(**{f"{through}state": Application.State.DRAFT}),
            None),
        # an agent keeps reading after the authorisation ended
        "workflow.selectors._as_agent": (lambda user: Q(agent=user), None),
        "workflow.selectors.applications_for": (_everything(Application), None),
        "workflow.selectors.subcases_for": (_everything(SubCase), None),
        "exchange.selectors.licences_for": (_everything(ElectronicLicence), None),
        "payments.selectors.fee_lines_for": (_everything(FeeLine), None),
        "exchange.selectors.data_queries_about": (_everything(DataQuery), None),
        "windows.selectors.consultations_for": (_everything(Consultation), None),
        # the lists of session 7 (access12d), each checked on its own probes only (time)
        "supervision.feedback.selectors.complaints_for_staff": (_everything(Complaint), probes("complaint")),
        "supervision.feedback.selectors.complaints_of": (_everything(Complaint), probes("complaint", "投诉")),
        "supervision.feedback.selectors.ratings_for": (_everything(Rating), probes("rating", "好差评")),
        "supervision.feedback.selectors.followups_for": (_everything(FollowUp), probes("follow-up", "整改")),
        "supervision.cards.selectors.cards_for": (_everything(Card), probes("card", "红黄牌")),
        # a clerk answers for every application-level card again (the state before this session)
        "supervision.cards.selectors.clerk_answers_for": (
            lambda user, **kwargs: Q(subcase__isnull=True, application__isnull=False), probes("card", "红黄牌")),
        "windows.queue_selectors.my_appointments": (_everything(Appointment), probes("appointment", "预约")),
        "accounts.selectors.authorisations_for": (
            lambda user, **kwargs: AgentAuthorisation.objects.all(), probes("authorisation", "委托")),
    }


def test_the_matrix_fails_when_any_one_list_is_widened(world, monkeypatch):
    """The meta-test: each selector in turn returns everything (or a role's filter is dropped),
    and the matrix must report it. A matrix that checked status codes only would stay green."""
    caught = {}
    for target, (wide, probes) in _widenings().items():
        module, name = target.rsplit(".", 1)
        with monkeypatch.context() as patch:
            patch.setattr(f"{module}.{name}", wide)
            caught[target] = matrix.run(world, stop_at_first=True, probes=probes or matrix.PROBES)
    assert {target: bool(failures) for target, failures in caught.items()} == dict.fromkeys(caught, True)
