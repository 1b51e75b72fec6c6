"""The one-screen walk-in (窗口收件): situation questions, applicant look-up, material marks and
the decision (accept / one-time notice / refusal) in one POST, then the result page and its
notice to print."""

import datetime as dt

import pytest

from matters.models import SituationOption
from tests.factories import ClerkFactory, UserFactory, newborn_theme, pdf_upload, valid_id_number
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Material

S = Application.State


@pytest.fixture
def world(db, client):
    seed_calendar(years=[2026])
    theme = newborn_theme()
    clerk = ClerkFactory()
    client.force_login(clerk)
    return {"theme": theme, "clerk": clerk, "client": client,
            "options": {o.label: o for o in SituationOption.objects.filter(question__theme=theme)}}


def answers(world, *labels):
    return {f"q{world['options'][label].question_id}": world["options"][label].pk for label in labels}


def url(world, *labels):
    query = "&".join(f"{k}={v}" for k, v in answers(world, *labels).items())
    return f"/hall/walk-in/?theme={world['theme'].code}" + (f"&{query}" if query else "")


def requirement(world, name):
    return next(r for m in world["theme"].matters.all() for r in m.materials.all() if r.name == name)


def body(world, person, *, marks=None, decision="accept", **extra):
    data = {"applicant_id_number": person.id_number, "applicant_real_name": "", "applicant_phone": "",
            "field_newborn_name": "陈小雨", "field_newborn_birth_date": "2026-11-20", "field_bank": "清远农商银行",
            "decision": decision, **extra}
    for name, mark in (marks or {}).items():
        data[f"mark_{requirement(world, name).pk}"] = mark
    return data


ALL = {"出生医学证明": "window", "父母户口簿": "window", "参保登记表": "window", "新生儿免冠照片": "window"}


def test_questions_come_first_on_the_same_screen(world):
    page = world["client"].get(f"/hall/walk-in/?theme={world['theme'].code}").content.decode()
    assert "新生儿是否在清新区落户?" in page and 'name="applicant_id_number"' not in page
    page = world["client"].get(url(world, "是", "父母本人")).content.decode()
    assert 'name="applicant_id_number"' in page and "出生医学证明" in page
    assert "授权委托书" not in page  # only when 委托他人
    assert 'name="field_applicant_name"' not in page  # asked once, in the applicant section
    page = world["client"].get(url(world, "否,在外地落户", "委托他人")).content.decode()
    assert "出生医学证明" not in page and "参保登记表" in page


def test_complete_walk_in_of_three_matters_is_accepted_from_one_post(world):
    person = UserFactory(real_name="陈志明", phone="13922223333")
    response = world["client"].post(url(world, "是", "父母本人"), body(world, person, marks=ALL))
    application = Application.objects.get(applicant=person)
    assert response.status_code == 302 and response["Location"] == f"/hall/walk-in/{application.number}/"
    assert application.state == S.ACCEPTED and application.accepted_by == world["clerk"]
    assert application.subcases.count() == 3
    assert application.form_data["applicant_name"] == "陈志明"  # from the person found, not typed
    assert application.form_data["contact_phone"] == "13922223333"
    assert [a["label"] for a in application.situation["answers"]] == ["是", "父母本人"]
    assert not application.materials.filter(name="授权委托书").exists()
    page = world["client"].get(response["Location"]).content.decode()
    assert "已当场受理" in page and f"/hall/walk-in/{application.number}/notice.pdf" in page and "打印受理通知书" in page
    pdf = world["client"].get(f"/hall/walk-in/{application.number}/notice.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert application.notices.filter(kind="acceptance").count() == 1
    world["client"].get(f"/hall/walk-in/{application.number}/notice.pdf")  # printed twice: one notice
    assert application.notices.filter(kind="acceptance").count() == 1


def test_accept_with_a_missing_material_names_it_and_saves_nothing(world):
    person = UserFactory()
    marks = {**ALL, "父母户口簿": "none"}
    response = world["client"].post(url(world, "是", "父母本人"), body(world, person, marks=marks))
    assert response.status_code == 400
    assert "尚缺 1 项:父母户口簿" in response.content.decode()
    assert not Application.objects.exists()
    data = body(world, person, marks=marks)
    data["field_newborn_name"] = ""  # and a form field left empty: both reported at once
    response = world["client"].post(url(world, "是", "父母本人"), data)
    page = response.content.decode()
    assert response.status_code == 400 and "尚缺 1 项:父母户口簿" in page
    field = page.split('id="id_field_newborn_name"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in field
    assert not Application.objects.exists()


def test_one_time_notice_lists_everything_missing(world):
    person = UserFactory()
    marks = {**ALL, "父母户口簿": "none", "新生儿免冠照片": "none"}
    response = world["client"].post(url(world, "是", "父母本人"), body(world, person, marks=marks, decision="supplement"))
    application = Application.objects.get(applicant=person)
    assert response.status_code == 302 and application.state == S.SUPPLEMENT_REQUESTED
    assert sorted(i["material"] for i in application.supplement_requests.get().items) == ["新生儿免冠照片", "父母户口簿"]
    page = world["client"].get(response["Location"]).content.decode()
    assert "打印补正材料通知书" in page and "父母户口簿" in page
    pdf = world["client"].get(f"/hall/walk-in/{application.number}/notice.pdf")
    assert pdf.status_code == 200 and application.notices.filter(kind="supplement").count() == 1


def test_refusal_needs_reasons(world):
    person = UserFactory()
    target = url(world, "是", "父母本人")
    response = world["client"].post(target, body(world, person, marks=ALL, decision="refuse"))
    assert response.status_code == 400 and not Application.objects.exists()
    response = world["client"].post(target, body(world, person, marks=ALL, decision="refuse", reason="新生儿户籍不在本区"))
    application = Application.objects.get(applicant=person)
    assert application.state == S.NOT_ACCEPTED and application.refusal_reason == "新生儿户籍不在本区"


def test_deferrable_material_and_a_new_applicant_registered(world):
    number = valid_id_number(birth="19921012")
    marks = {**ALL, "参保登记表": "deferred"}
    data = body(world, UserFactory.build(id_number=number), marks=marks, applicant_real_name="黄丽娟",
                applicant_phone="13711112222", deferred_until="2026-12-31")
    data[f"material_{requirement(world, '新生儿免冠照片').pk}"] = pdf_upload("照片.pdf")
    data[f"mark_{requirement(world, '新生儿免冠照片').pk}"] = "upload"
    response = world["client"].post(url(world, "是", "父母本人"), data)
    assert response.status_code == 302, response.content.decode()[:500]
    application = Application.objects.get(applicant__id_number=number)
    assert application.applicant.real_name == "黄丽娟" and application.state == S.ACCEPTED
    deferred = application.materials.get(source=Material.Source.DEFERRED)
    assert deferred.name == "参保登记表" and deferred.due_on == dt.date(2026, 12, 31)
    assert application.materials.get(name="新生儿免冠照片").source == Material.Source.UPLOAD


def test_a_registered_applicant_with_another_name_is_refused(world):
    person = UserFactory(real_name="陈志明")
    response = world["client"].post(url(world, "是", "父母本人"),
                                    body(world, person, marks=ALL, applicant_real_name="陈志强"))
    assert response.status_code == 400 and not Application.objects.exists()


def test_lookup_shows_the_person_masked(world):
    person = UserFactory(real_name="陈志明", phone="13922223333")
    data = world["client"].get("/hall/walk-in/lookup/", {"id_number": person.id_number}).json()
    assert data["found"] and data["name"] == "陈**" and data["phone"] == "139****3333"
    assert "陈志明" not in str(data) and person.id_number not in str(data)
    data = world["client"].get("/hall/walk-in/lookup/", {"id_number": valid_id_number()}).json()
    assert data["valid"] and not data["found"]
    data = world["client"].get("/hall/walk-in/lookup/", {"id_number": "441803199003070000"}).json()
    assert not data["valid"] and "校验位" in data["message"]


def test_the_result_page_is_for_clerks_of_that_category(world, client):
    person = UserFactory()
    world["client"].post(url(world, "是", "父母本人"), body(world, person, marks=ALL))
    number = Application.objects.get().number
    other = ClerkFactory(window__category="legal")
    client.force_login(other)
    assert client.get(f"/hall/walk-in/{number}/").status_code == 404
    assert client.get(f"/hall/walk-in/{number}/notice.pdf").status_code == 404


def test_legal_walk_in_finds_the_enterprise_by_credit_code(db, client):
    from tests.factories import EnterpriseFactory, MatterFactory

    seed_calendar(years=[2026])
    matter = MatterFactory(target="legal", name="食品经营许可", fields=[{"key": "company_name", "label": "企业名称"}])
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司", legal_representative="陈志强")
    client.force_login(ClerkFactory(window__category="legal"))
    data = client.get("/hall/walk-in/lookup/", {"credit_code": enterprise.credit_code}).json()
    assert data["found"] and "禾云山茶业" in data["message"] and "陈**" in data["message"]
    data = client.get("/hall/walk-in/lookup/", {"credit_code": "91441803MA0000000X"}).json()
    assert not data["valid"]
    person = UserFactory()
    upload = matter.materials.get(name="申请表")
    body = {"applicant_id_number": person.id_number, "enterprise": enterprise.credit_code,
            "field_company_name": enterprise.name, f"mark_{upload.pk}": "window", "decision": "accept"}
    response = client.post(f"/hall/walk-in/?matter={matter.code}", body)
    application = Application.objects.get()
    assert response.status_code == 302 and application.enterprise == enterprise and application.state == S.ACCEPTED
    page = client.get(f"/hall/walk-in/{application.number}/").content.decode()
    assert enterprise.name in page


def test_api_walk_in_with_situation_answers_and_a_decision(world):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(world["clerk"])
    person = UserFactory(real_name="陈志明")
    payload = {"applicant": {"real_name": "", "id_number": person.id_number}, "theme": world["theme"].code,
               "form_data": {"newborn_name": "陈小雨", "newborn_birth_date": "2026-11-20", "bank": "清远农商银行"},
               "received": [requirement(world, n).pk for n in ("出生医学证明", "父母户口簿", "新生儿免冠照片")],
               "decision": "accept"}
    response = api.post("/api/windows/walk-ins/", {**payload, "answers": {}}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_situation"
    answers = {str(k[1:]): v for k, v in answers_of(world, "否,在外地落户", "父母本人").items()}
    response = api.post("/api/windows/walk-ins/", {**payload, "answers": answers}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "materials_missing"  # 参保登记表
    response = api.post("/api/windows/walk-ins/", {**payload, "answers": answers, "decision": "supplement"},
                        format="json")
    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert application.state == S.SUPPLEMENT_REQUESTED
    assert sorted(application.matters.values_list("name", flat=True)) == ["城乡居民医保参保登记", "社会保障卡申领"]
    assert [i["material"] for i in application.supplement_requests.get().items] == ["参保登记表"]


def answers_of(world, *labels):
    return answers(world, *labels)


def test_a_scanned_file_is_kept_when_the_walk_in_comes_back_with_errors(db, client):
    """Issue 17: a scan the clerk chose is kept (已选择, token bound to the clerk) after an error,
    the banner counts the form's problems too, and the next post registers it without a new file."""
    import re

    from tests.factories import MatterFactory
    from workflow.models import PendingUpload

    seed_calendar(years=[2026])
    matter = MatterFactory(name="城乡居民养老保险参保登记", materials=[
        {"name": "参保登记表", "source": "applicant"}, {"name": "户口簿", "source": "applicant"}],
        fields=[{"key": "insured_from", "label": "参保起始日期", "type": "date"}])
    scan, booklet = matter.materials.get(name="参保登记表"), matter.materials.get(name="户口簿")
    clerk = ClerkFactory()
    client.force_login(clerk)
    person = UserFactory()
    body = {"applicant_id_number": person.id_number, "field_insured_from": "2026-13-45", f"mark_{scan.pk}": "upload", f"mark_{booklet.pk}": "none",
            "decision": "accept", f"material_{scan.pk}": pdf_upload("参保登记表扫描件.pdf")}
    response = client.post(f"/hall/walk-in/?matter={matter.code}", body)
    page = response.content.decode()
    assert response.status_code == 400 and not Application.objects.exists()
    assert "尚缺 1 项:户口簿" in page and "表单另有 1 处需要修改" in page
    assert "已选择:<strong>参保登记表扫描件.pdf</strong>" in page
    token = re.search(rf'name="pending_material_{scan.pk}" value="([^"]+)"', page).group(1)
    assert PendingUpload.objects.get(token=token).owner == clerk

    # another clerk cannot use the token
    other = ClerkFactory()
    client.force_login(other)
    again = {k: v for k, v in body.items() if not k.startswith("material_")}
    again.update({"field_insured_from": "2026-12-01", f"mark_{booklet.pk}": "window",
                  f"pending_material_{scan.pk}": token})
    response = client.post(f"/hall/walk-in/?matter={matter.code}", again)
    assert response.status_code == 400 and "尚缺 1 项:参保登记表" in response.content.decode()

    client.force_login(clerk)
    response = client.post(f"/hall/walk-in/?matter={matter.code}", again)
    assert response.status_code == 302, response.content.decode()[:2000]
    material = Application.objects.get().materials.get(name="参保登记表")
    assert (material.source, material.original_name) == (Material.Source.UPLOAD, "参保登记表扫描件.pdf")
    assert not PendingUpload.objects.filter(token=token).exists()
