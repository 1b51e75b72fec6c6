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
    from exchange.models import DataQuery, ElectronicLicence
    from payments.models import FeeLine
    from windows.models import Consultation
    from workflow.models import Application, SubCase

    return {
        # a clerk's lists back to "every submitted application" (the state before issue 12 B)
        "workflow.selectors.clerk_readable": lambda user: Application.objects.exclude(state=Application.State.DRAFT),
        # an agent keeps reading after the authorisation ended
        "workflow.selectors._as_agent": lambda user: Q(agent=user),
        "workflow.selectors.applications_for": _everything(Application),
        "workflow.selectors.subcases_for": _everything(SubCase),
        "exchange.selectors.licences_for": _everything(ElectronicLicence),
        "payments.selectors.fee_lines_for": _everything(FeeLine),
        "exchange.selectors.data_queries_about": _everything(DataQuery),
        "windows.selectors.consultations_for": _everything(Consultation),
    }


def test_the_matrix_fails_when_any_one_list_is_widened(world, monkeypatch):
    """The meta-test: each selector in turn returns everything (or a role's filter is dropped),
    and the matrix must report it. A matrix that checked status codes only would stay green."""
    caught = {}
    for target, wide in _widenings().items():
        module, name = target.rsplit(".", 1)
        with monkeypatch.context() as patch:
            patch.setattr(f"{module}.{name}", wide)
            caught[target] = matrix.run(world, stop_at_first=True)
    assert {target: bool(failures) for target, failures in caught.items()} == dict.fromkeys(caught, True)
