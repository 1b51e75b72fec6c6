"""Issue 17: a licence's validity comes from its type (`LicenceType.valid_months`, which the matter points at: a
居住证 is valid for one year and renewed), not from the applicant; 长期 only when the type says so."""

import datetime as dt

import pytest

from exchange.models import ElectronicLicence, LicenceType
from tests.factories import LicenceTypeFactory, MatterFactory, ReviewerFactory, UserFactory, accepted_application
from workflow import services, tasks
from workflow.calendar_store import seed_calendar


@pytest.fixture(autouse=True)
def calendar(db):
    seed_calendar(years=[2026])


def _issue(matter):
    application = accepted_application(applicant=UserFactory(), matters=[matter])
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                            approve=True, reason="")
    tasks.issue_licence(subcase.pk)
    subcase.refresh_from_db()
    return ElectronicLicence.objects.get(case_ref=subcase.number), subcase


def test_a_residence_permit_is_valid_for_one_year():
    permit = MatterFactory(name="居住证申领", issues_licence=True, result_name="广东省居住证",
                           licence_type=LicenceTypeFactory(name="广东省居住证", valid_months=12))
    licence, subcase = _issue(permit)
    assert licence.valid_until == permit.licence_valid_until(subcase.decided_on)
    assert licence.valid_until is not None
    assert (licence.valid_until - subcase.decided_on).days in (364, 365)


def test_a_licence_type_without_a_term_is_long_term():
    licence, _subcase = _issue(MatterFactory(issues_licence=True, result_name="食品经营许可证"))
    assert licence.valid_until is None


@pytest.mark.parametrize("issued,months,until", [
    (dt.date(2026, 12, 4), 12, dt.date(2027, 12, 3)),
    (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 27)),  # clamped to February's end, then the day before
    (dt.date(2026, 3, 1), 6, dt.date(2026, 8, 31)),
])
def test_valid_until_is_the_day_before_the_anniversary(issued, months, until):
    assert LicenceType(name="x", code="LOCAL-1", valid_months=months).valid_until(issued) == until
