"""Issue 17, the facts of a supplement (补正) on the application page:
- the original receipt time stays as 提交时间 (and on the progress page), the resubmission beside it;
- a material handed in again is shown once, as the current one, with the replaced one behind it;
- the clerk's one-time notice form follows the applicant's situation answers (a material an
  answer made necessary is required, not 视情况; one the answers left out is not listed as 未交)."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from matters.models import SituationOption
from matters.questions import resolve
from tests.factories import ClerkFactory, UserFactory, form_for, newborn_theme, pdf_upload
from workflow import services
from workflow.calendar_store import seed_calendar
from workflow.models import Application

ORIGINAL = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 15))


@pytest.fixture
def theme(db):
    seed_calendar(years=[2026])
    return newborn_theme()


def _apply(theme, *labels, applicant=None):
    options = {o.label: o for o in SituationOption.objects.filter(question__theme=theme)}
    resolution = resolve(theme, {options[label].question_id: options[label].pk for label in labels})
    applicant = applicant or UserFactory(real_name="陈志明")
    files = {f"material_{r.pk}": pdf_upload(f"{r.name}.pdf") for r in resolution.requirements if r.must_be_brought}
    return services.application_submit(submission=services.Submission(
        applicant=applicant, matters=resolution.matters, theme=theme,
        form_data=form_for(resolution.matters, applicant), files=files, requirements=resolution.requirements,
        required_ids=resolution.required_by_answer, situation=resolution.record(),
    ))


def _row(html, label):
    """The one-time notice form's row of a material (its label cell and 已收 cell)."""
    match = re.search(rf'<label for="sup_\d+">{label}</label>(.*?)</tr>', html, re.S)
    return match.group(1) if match else None


def test_the_notice_form_follows_the_situation_answers(theme, client):
    by_agent = _apply(theme, "是", "委托他人")
    in_person = _apply(theme, "是", "父母本人")
    client.force_login(ClerkFactory())
    html = client.get(f"/applications/{by_agent.number}/").content.decode()
    row = _row(html, "授权委托书")
    assert row is not None and "视情况" not in row and "已收" in row
    html = client.get(f"/applications/{in_person.number}/").content.decode()
    assert _row(html, "出生医学证明") is not None
    assert _row(html, "授权委托书") is None  # the answers left it out: not 未交


def test_original_receipt_and_replaced_material_after_a_supplement(theme, client):
    application = _apply(theme, "是", "父母本人")
    Application.objects.filter(pk=application.pk).update(submitted_at=ORIGINAL, first_submitted_at=ORIGINAL)
    clerk = ClerkFactory()
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "出生医学证明", "reason": "复印件不清晰"}])
    certificate = next(r for m in application.matters.all() for r in m.materials.all() if r.name == "出生医学证明")
    services.application_resubmit(application=application, applicant=application.applicant,
                                  files={f"material_{certificate.pk}": pdf_upload("出生医学证明-清晰.pdf")})
    application.refresh_from_db()
    assert application.received_at == ORIGINAL and application.resubmitted_at > ORIGINAL

    client.force_login(clerk)
    html = client.get(f"/applications/{application.number}/").content.decode()
    received = html.split('id="received-at">', 1)[1].split("</dd>", 1)[0]
    assert received.startswith("2026-12-01 09:15")
    assert "补正后重新提交:" + timezone.localtime(application.resubmitted_at).strftime("%Y-%m-%d %H:%M") in received
    # one row for the certificate: the current file, the replaced one behind it
    materials = html.split("申请材料</h2>", 1)[1].split("</section>", 1)[0]
    assert materials.count("<td data-label=\"材料\">出生医学证明</td>") == 1
    assert "现行" in materials and "历史版本 1 份(已被替换)" in materials
    current = application.materials.get(name="出生医学证明", replaced_by__isnull=True)
    old = application.materials.get(name="出生医学证明", replaced_by__isnull=False)
    assert current.original_name == "出生医学证明-清晰.pdf" and old.replaced_by == current
    assert f"/materials/{current.pk}/" in materials and f"/materials/{old.pk}/" in materials

    # the progress page (public, by number and the ID number's last 4) shows the original too
    client.logout()
    html = client.get("/progress/", {"number": application.number,
                                      "id_last4": application.applicant.id_number[-4:]}).content.decode()
    assert "2026-12-01 09:15" in html and "补正后重新提交" in html


def test_the_online_supplement_keeps_a_chosen_file_after_an_error(theme, client):
    application = _apply(theme, "是", "父母本人")
    services.application_request_supplement(application=application, clerk=ClerkFactory(),
                                            items=[{"material": "出生医学证明", "reason": "复印件不清晰"}])
    certificate = next(r for m in application.matters.all() for r in m.materials.all() if r.name == "出生医学证明")
    client.force_login(application.applicant)
    form = {f"field_{k}": v for k, v in application.form_data.items()}
    url = f"/applications/{application.number}/resubmit/"
    response = client.post(url, {**form, "field_newborn_birth_date": "2026-02-30",
                                 f"material_{certificate.pk}": pdf_upload("出生医学证明-清晰.pdf")})
    html = response.content.decode()
    assert response.status_code == 400 and "已选择:<strong>出生医学证明-清晰.pdf</strong>" in html
    token = re.search(rf'name="pending_material_{certificate.pk}" value="([^"]+)"', html).group(1)
    response = client.post(url, {**form, f"pending_material_{certificate.pk}": token})
    assert response.status_code == 302
    current = application.materials.get(name="出生医学证明", replaced_by__isnull=True)
    assert current.original_name == "出生医学证明-清晰.pdf"
