"""Export jobs are intents with a lease (issue 12, nothing lost): a request made while the broker
was down is built by the relay's send; a job whose worker died mid-build is taken again once its
lease ran out, not left "running"; a job another worker holds is not built twice."""

import datetime as dt

import pytest
from celery import current_app
from django.utils import timezone

from core.models import Intent
from supervision.evaluation import services as evaluation
from supervision.models import ReportJob
from supervision.tasks import build_report
from tests.factories import DepartmentFactory, SupervisorFactory

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def sent(monkeypatch):
    calls = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args=None, kwargs=None, **options:
                        calls.append((name, tuple(args or ()), kwargs or {}, options)))
    return calls


def test_an_export_is_an_intent_woken_with_its_task_id(calendar_2026, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = evaluation.export_request(user=SupervisorFactory(), start=D(2026, 10, 1), end=D(2026, 10, 31))
    intent = Intent.objects.get(key=f"supervision.report:{job.pk}")
    assert sent == [("supervision.tasks.build_report", (job.pk,), {"intent_id": intent.pk}, {"task_id": job.task_id})]
    assert build_report(job.pk, intent_id=intent.pk) == "done"
    intent.refresh_from_db()
    assert intent.status == Intent.Status.DONE
    assert build_report(job.pk, intent_id=intent.pk) is None  # the intent is done: not even looked at


def test_a_job_whose_worker_died_is_taken_again_after_its_lease(calendar_2026, sent, settings):
    settings.REPORT_LEASE_SECONDS = 120
    DepartmentFactory()
    job = evaluation.export_request(user=SupervisorFactory(), start=D(2026, 10, 1), end=D(2026, 10, 31))
    intent = Intent.objects.get(key=f"supervision.report:{job.pk}")
    # a worker took it and was killed at 40 %: the row says running, under a lease
    ReportJob.objects.filter(pk=job.pk).update(state=ReportJob.State.RUNNING, progress=40,
                                               lease_until=timezone.now() + dt.timedelta(seconds=60))
    assert build_report(job.pk, intent_id=intent.pk) == "running"  # still held: not built twice
    intent.refresh_from_db()
    assert intent.status == Intent.Status.PENDING  # so the relay sends it again later
    ReportJob.objects.filter(pk=job.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert build_report(job.pk, intent_id=intent.pk) == "done"
    job.refresh_from_db()
    intent.refresh_from_db()
    assert (job.state, job.progress, job.lease_until, bool(job.pdf), bool(job.xlsx)) == ("done", 100, None, True, True)
    assert intent.status == Intent.Status.DONE


def test_progress_renews_the_lease(calendar_2026, sent, settings, time_machine):
    settings.REPORT_LEASE_SECONDS = 120
    time_machine.move_to(dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC), tick=False)
    DepartmentFactory()
    job = evaluation.export_request(user=SupervisorFactory(), start=D(2026, 10, 1), end=D(2026, 10, 31))
    leases = []
    original = evaluation._progress

    def later(job_, progress, message):  # each step a minute after the previous one
        time_machine.shift(dt.timedelta(minutes=1))
        original(job_, progress, message)
        leases.append(ReportJob.objects.get(pk=job_.pk).lease_until)

    evaluation._progress = later
    try:
        evaluation.export_build(job_id=job.pk)
    finally:
        evaluation._progress = original
    assert len(leases) >= 2 and leases == sorted(leases) and leases[0] < leases[-1]
