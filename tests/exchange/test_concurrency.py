"""Two workers issuing the same licence, two delivery windows posting the same result, at the
same moment on two real database connections: one licence, one delivery."""

import pytest
from django.db import connection

from core.errors import Conflict
from exchange.models import ElectronicLicence
from tests.concurrency import run_concurrently
from tests.factories import ClerkFactory, HallFactory, MatterFactory, ReviewerFactory, accepted_application
from windows.models import Window
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, CaseLog

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"),
]


def _approved(*, delivery, clerk=None):
    application = accepted_application(matters=[MatterFactory(issues_licence=True, result_name="营业执照")],
                                       delivery=delivery, **({"clerk": clerk} if clerk else {}))
    services.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department), approve=True,
                            reason="")
    return application, subcase


def test_two_workers_issuing_one_licence_at_once_make_one():
    seed_calendar(years=[2026])
    application, subcase = _approved(delivery={"method": "electronic"})
    services.prepare_result(application_id=application.pk)
    results = run_concurrently(*[lambda: services.issue_subcase_licence(subcase_id=subcase.pk) for _ in range(2)])
    assert sorted(r for _kind, r in results) == [False, True], results
    licence = ElectronicLicence.objects.get()
    assert licence.file.storage.exists(licence.file.name)
    assert CaseLog.objects.filter(application=application, action="workflow.subcase.licence_issued").count() == 1
    assert CaseLog.objects.filter(application=application,
                                  action="workflow.application.delivered_electronically").count() == 1
    assert Application.objects.get(pk=application.pk).state == Application.State.DELIVERED


def test_two_windows_posting_one_result_at_once_deliver_it_once():
    seed_calendar(years=[2026])
    hall = HallFactory()
    application, _subcase = _approved(clerk=ClerkFactory(window__hall=hall), delivery={
        "method": "post", "recipient": "陈志明", "phone": "13826651024", "address": "清远市清新区太和镇玄真路8号"})
    services.prepare_result(application_id=application.pk)
    clerks = [ClerkFactory(window__hall=hall, window__category=Window.Category.DELIVERY) for _ in range(2)]
    results = run_concurrently(*[
        (lambda c=c, n=n: services.application_post(application=application, clerk=c, carrier="中国邮政EMS",
                                                    tracking_number=n))
        for c, n in zip(clerks, ["1186543210975", "1186543210976"])
    ])
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert isinstance(next(r for kind, r in results if kind == "error"), Conflict)
    assert CaseLog.objects.filter(application=application, action="workflow.application.posted").count() == 1
