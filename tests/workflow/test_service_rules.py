"""Rules a page also checks are enforced by the service itself, for every caller."""

import pytest

from core.errors import Forbidden
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, UserFactory, files_for, form_for
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("staff", [ClerkFactory, ReviewerFactory])
def test_staff_cannot_apply_online_whoever_calls_the_service(staff):
    seed_calendar(years=[2026])
    matter, person = MatterFactory(), staff()
    with pytest.raises(Forbidden, match="工作人员请通过窗口收件登记办件"):
        services.application_submit(submission=services.Submission(
            applicant=person, matters=[matter], form_data=form_for([matter], person), files=files_for([matter]),
        ))
    assert not Application.objects.exists()


def test_a_citizen_still_applies_online():
    seed_calendar(years=[2026])
    matter, citizen = MatterFactory(), UserFactory()
    application = services.application_submit(submission=services.Submission(
        applicant=citizen, matters=[matter], form_data=form_for([matter], citizen), files=files_for([matter]),
    ))
    assert application.state == Application.State.SUBMITTED
