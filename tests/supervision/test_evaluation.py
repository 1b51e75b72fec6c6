"""Performance evaluation: the figures per department and period, and the export built in the
worker (the task run directly; messages queued on commit go to the in-memory broker).

October 2026 in department A: three applications received, two accepted on Fri Oct 9, one
approved on Mon Oct 12 (on time, 2 working days: the make-up Saturday Oct 10 and Oct 12), one
denied on Tue Oct 13 after its one-day deadline (3 working days), one notice to supplement. In
department B: one accepted whose 1-day limit runs out, so the sweep shows a red card on Oct 13.
"""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import User
from supervision.cards.services import sweep_deadlines
from supervision.evaluation import services as evaluation
from supervision.figures import services as figures
from supervision.models import Card, ReportJob
from supervision.tasks import build_report
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    accepted_application,
    submitted_application,
)
from workflow import services
from workflow.models import SupplementRequest

pytestmark = pytest.mark.django_db
D = dt.date
OCTOBER = {"start": "2026-10-01", "end": "2026-10-31"}


@pytest.fixture
def october(calendar_2026, at):
    clerk = ClerkFactory()
    a = MatterFactory(name="食品经营许可", promised_days=10)
    a_fast = MatterFactory(name="食品经营许可变更", department=a.department, promised_days=1)
    b = MatterFactory(name="建设工程规划许可", promised_days=1)
    reviewer = ReviewerFactory(department=a.department)
    at(D(2026, 10, 9))
    first = accepted_application(matters=[a], clerk=clerk)
    second = accepted_application(matters=[a_fast], clerk=clerk)
    other = accepted_application(matters=[b], clerk=clerk)
    for application in (first, second, other):
        services.dispatch_subcases(application_id=application.pk)
    at(D(2026, 10, 12))
    services.subcase_decide(subcase=first.subcases.get(), reviewer=reviewer, approve=True, reason="")
    waiting = submitted_application(matters=[a])
    services.application_request_supplement(application=waiting, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    SupplementRequest.objects.update(requested_at=dt.datetime(2026, 10, 12, 10, tzinfo=evaluation.BEIJING))
    at(D(2026, 10, 13))
    services.subcase_decide(subcase=second.subcases.get(), reviewer=reviewer, approve=False, reason="不符合条件")
    sweep_deadlines(today=D(2026, 10, 13))
    figures.refresh_all()  # the evaluation reads the dashboard's rollups, as the beat keeps them
    return {"a": a.department, "b": b.department, "clerk": clerk, "reviewer": reviewer}


def test_figures_follow_their_definitions(october):
    rows = {r["department_id"]: r for r in evaluation.department_figures(start=D(2026, 10, 1), end=D(2026, 10, 31))}
    a, b = rows[october["a"].pk], rows[october["b"].pk]
    assert {k: a[k] for k in ("started", "concluded", "on_time", "on_time_rate", "avg_days",
                              "red_cards", "yellow_cards", "deemed_started", "extensions", "supplements")} == {
        "started": 2, "concluded": 2, "on_time": 1, "on_time_rate": 50.0, "avg_days": 2.5,
        "red_cards": 0, "yellow_cards": 0, "deemed_started": 0, "extensions": 0, "supplements": 1,
    }
    assert "received" not in a  # an application spans departments: not split by department anywhere
    assert (b["started"], b["concluded"], b["red_cards"], b["on_time_rate"]) == (1, 0, 1, None)
    assert Card.objects.filter(department=october["b"], level="red").count() == 1
    # Outside the period nothing counts; one department asked for, one row.
    assert evaluation.department_figures(start=D(2026, 9, 1), end=D(2026, 9, 30),
                                         department_ids=[october["a"].pk])[0]["started"] == 0
    assert len(evaluation.department_figures(start=D(2026, 10, 1), end=D(2026, 10, 31),
                                             department_ids=[october["a"].pk])) == 1
    total = evaluation.totals(list(rows.values()))
    assert (total["started"], total["concluded"], total["red_cards"], total["on_time_rate"]) == (3, 2, 1, 50.0)


def _page_cells(html, department_id):
    row = html.split(f'data-department="{department_id}"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-key="(\w+)">(?:<strong>)?([^<]*)<', row))


def _pdf_text(job):
    with job.pdf.open("rb") as fh:
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)


def test_export_contains_the_figures_the_page_shows(client, october, django_capture_on_commit_callbacks):
    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    department = october["a"]
    query = {**OCTOBER, "department": department.pk}
    page = client.get("/supervision/evaluation/", query)
    assert page.status_code == 200
    shown = _page_cells(page.content.decode(), department.pk)
    assert shown["started"] == "2" and shown["on_time_rate"] == "50.0" and shown["avg_days"] == "2.5"
    assert list(shown) == [key for key, _label in evaluation.COLUMNS]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/supervision/evaluation/export/", query)
    assert response.status_code == 302 and len(callbacks) == 1
    job = ReportJob.objects.get()
    assert (job.state, job.requested_by, job.params["department_id"]) == ("queued", supervisor, department.pk)
    assert job.task_id and f"job={job.pk}" in response["Location"]

    assert build_report(job.pk) == "done"
    job.refresh_from_db()
    first_pdf = job.pdf.name
    assert build_report(job.pk) == "done"  # run twice: one result
    job.refresh_from_db()
    assert (job.state, job.progress, job.pdf.name) == ("done", 100, first_pdf)
    assert ReportJob.objects.count() == 1

    text = _pdf_text(job)
    assert "清新区政务服务绩效评估报告" in text and "2026年10月1日至2026年10月31日" in text
    assert "第 1 页 共 1 页" in text
    row = re.sub(r"\s+", " ", text.split(department.name)[-1])  # the table row (the name heads the page too)
    assert row.strip().startswith(" ".join(shown.values())), row[:200]

    sheet = load_workbook(io.BytesIO(job.xlsx.open("rb").read())).active
    rows = {r[1]: r for r in sheet.iter_rows(min_row=7, values_only=True)}
    cells = rows[department.name][2:]
    assert [None if v == "—" else float(v) for v in shown.values()] == [None if c is None else float(c) for c in cells]

    status = client.get(f"/supervision/evaluation/jobs/{job.pk}/").json()
    assert status["state"] == "done" and status["progress"] == 100
    download = client.get(status["pdf_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(status["xlsx_url"]).status_code == 200


def test_progress_is_reported_per_department(october):
    supervisor = SupervisorFactory()
    job = evaluation.export_request(user=supervisor, start=D(2026, 10, 1), end=D(2026, 10, 31))
    seen = []
    original = evaluation._progress

    def record(job_, progress, message):
        seen.append(progress)
        original(job_, progress, message)

    evaluation._progress = record
    try:
        evaluation.export_build(job_id=job.pk)
    finally:
        evaluation._progress = original
    job.refresh_from_db()
    assert job.state == "done" and job.progress == 100
    departments = len(evaluation.department_figures(start=D(2026, 10, 1), end=D(2026, 10, 31)))
    assert departments <= evaluation.PROGRESS_STEPS  # one step per department
    assert len(seen) == departments + 1 and seen == sorted(seen) and seen[-2] == 80


def test_many_departments_report_progress_in_groups(october, monkeypatch):
    monkeypatch.setattr(evaluation, "PROGRESS_STEPS", 2)
    job = evaluation.export_request(user=SupervisorFactory(), start=D(2026, 10, 1), end=D(2026, 10, 31))
    evaluation.export_build(job_id=job.pk)
    job.refresh_from_db()
    sheet = load_workbook(io.BytesIO(job.xlsx.open("rb").read())).active
    names = [r[1] for r in sheet.iter_rows(min_row=7, values_only=True)]
    expected = [r["department"] for r in evaluation.department_figures(start=D(2026, 10, 1), end=D(2026, 10, 31))]
    assert names == [*expected, "合计"] and job.progress == 100


def test_a_failed_build_marks_the_job_failed(october, settings, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.MEDIA_ROOT = blocked  # the files cannot be stored
    job = evaluation.export_request(user=SupervisorFactory(), start=D(2026, 10, 1), end=D(2026, 10, 31))
    assert build_report(job.pk) == "failed"
    job.refresh_from_db()
    assert job.state == "failed" and job.message.startswith("生成失败") and job.finished_at
    assert not job.pdf and build_report(job.pk) == "failed"  # a failed job is not built again


@pytest.mark.parametrize("role,allowed", [
    ("supervisor", True), ("administrator", True), ("clerk", False), ("reviewer", False), ("public", False),
])
def test_who_may_request_and_download(client, october, role, allowed):
    owner = SupervisorFactory()
    job = evaluation.export_request(user=owner, start=D(2026, 10, 1), end=D(2026, 10, 31))
    build_report(job.pk)
    user = UserFactory(role=role, department=october["a"] if role == "reviewer" else None)
    client.force_login(user)
    expected = 200 if allowed else 403
    assert client.get("/supervision/evaluation/", OCTOBER).status_code == expected
    assert client.get(f"/supervision/evaluation/jobs/{job.pk}/").status_code == expected
    assert client.get(f"/supervision/evaluation/jobs/{job.pk}/pdf/").status_code == expected
    before = ReportJob.objects.count()
    response = client.post("/supervision/evaluation/export/", OCTOBER)
    assert response.status_code == (302 if allowed else 403)
    assert ReportJob.objects.count() == before + allowed
    if not allowed:
        with pytest.raises(Exception) as exc:
            evaluation.export_request(user=user, start=D(2026, 10, 1), end=D(2026, 10, 31))
        assert exc.value.code == "not_a_supervisor"
    assert User.objects.filter(pk=user.pk).exists()


def test_a_bad_period_is_refused_in_chinese(client, october):
    client.force_login(SupervisorFactory())
    response = client.post("/supervision/evaluation/export/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert response.content.decode().count("统计条件有误") == 1
    assert not ReportJob.objects.exists()
    assert client.get("/supervision/evaluation/jobs/999999/").status_code == 404


# --- one definition per figure: the dashboard page, the API and the export agree ---------------------

THREE_WAYS = {"started": "受理子件", "concluded": "办结", "on_time_rate": "按时办结率", "avg_days": "平均用时"}


def _number(text):
    text = re.sub(r"<[^>]+>", "", text).replace("%", "").strip()
    return None if text in ("", "—") else float(text)


def _dashboard_rows(html):
    """{department name: {figure: value}} as the dashboard's table shows them."""
    body = html.split('<table class="figure-table">', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for name, cells in re.findall(r'<td data-label="名称">([^<]*)</td>(.*?)</tr>', body, re.S):
        values = dict(re.findall(r'<td data-label="([^"]+)" class="num">(.*?)</td>', cells, re.S))
        rows[name.strip()] = {key: _number(values[label]) for key, label in THREE_WAYS.items()}
    return rows


def test_the_page_the_api_and_the_export_show_the_same_figures(client, october, django_capture_on_commit_callbacks):
    client.force_login(SupervisorFactory())
    period = {"period": "custom", "first": OCTOBER["start"], "last": OCTOBER["end"], "group_by": "department"}

    page = _dashboard_rows(client.get("/supervision/", period).content.decode())

    data = client.get("/api/supervision/figures/", period).json()
    api = {r["label"]: {key: None if r[key] is None else float(r[key]) for key in THREE_WAYS} for r in data["rows"]}

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/supervision/evaluation/export/", OCTOBER)
    job = ReportJob.objects.get()
    build_report(job.pk)
    job.refresh_from_db()
    sheet = load_workbook(io.BytesIO(job.xlsx.open("rb").read())).active
    header = next(r for r in sheet.iter_rows(values_only=True) if r and "办结" in r)
    position = {key: header.index(str(dict(evaluation.COLUMNS)[key])) for key in THREE_WAYS}
    export = {}
    for r in sheet.iter_rows(min_row=7, values_only=True):
        if r[1] and r[1] != "合计":
            export[r[1]] = {key: None if r[i] in (None, "—") else float(r[i]) for key, i in position.items()}

    a, b = october["a"].name, october["b"].name
    assert page[a] == {"started": 2, "concluded": 2, "on_time_rate": 50.0, "avg_days": 2.5}
    assert page[b] == {"started": 1, "concluded": 0, "on_time_rate": None, "avg_days": None}
    for name in (a, b):
        assert page[name] == api[name] == export[name], name
    # every department the dashboard lists has the export's figures (the export lists all of them)
    assert {name: export[name] for name in page} == page
    # and the ranking is the dashboard's: same places, by the same rule
    rank_column = header.index(str(dict(evaluation.COLUMNS)["rank"]))
    export_ranks = {r[1]: r[rank_column] for r in sheet.iter_rows(min_row=7, values_only=True)
                    if r[1] and r[1] != "合计" and r[rank_column] not in (None, "—")}
    assert export_ranks == {r["label"]: r["rank"] for r in data["ranking"]} == {a: 1}
