"""Situation questions (情形引导): the answers decide the matters, the materials and the form, from
one source (matters.questions), on the theme page (the one-time notice), on the apply form and on
the administrator's preview; invalid or missing answers change nothing.
"""

import pytest
from django.core.management import call_command

from accounts.models import User
from core.errors import Invalid
from matters.models import (
    ConditionalMaterial,
    MaterialRequirement,
    OptionMaterial,
    SituationOption,
    SituationQuestion,
    Theme,
)
from matters.questions import combinations, load_situation, resolve
from portal.demo import catalog
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    form_for,
    pdf_upload,
    theme_with,
)
from workflow.calendar_store import seed_calendar
from workflow.models import Application

LOGIN = "login"


class Birth:
    """A natural-person theme of two matters and three questions:
    1. 是否在本区落户? 否 → 出生登记 is not applied for;
    2. 是否委托他人代办? 是 → 授权委托书 (asked for only when chosen) is required;
    3. 父母是否已在本区登记结婚? 是 → 结婚证 (a catalog material of 出生登记) need not be brought."""

    def __init__(self):
        self.certificate = MatterFactory(name="出生医学证明首次签发")
        self.registration = MatterFactory(name="出生登记", fields=[
            {"key": "applicant_name", "label": "申请人姓名"},
            {"key": "baby_name", "label": "新生儿姓名"},
        ])
        self.letter = MaterialRequirement.objects.create(matter=self.registration, name="授权委托书", required=False)
        ConditionalMaterial.objects.create(requirement=self.letter, note="委托他人代办")
        self.marriage = MaterialRequirement.objects.create(matter=self.registration, name="结婚证", required=False)
        self.theme = theme_with([self.certificate, self.registration], code="xinshenger", name="新生儿出生一件事",
                                target="natural")
        self.settle, (self.settle_here, self.settle_away) = self._question("是否在本区落户?", "是", "否")
        self.settle_away.excluded_matters.add(self.registration)
        self.agent, (self.by_parent, self.by_agent) = self._question("是否委托他人代办?", "否", "是")
        OptionMaterial.objects.create(option=self.by_agent, requirement=self.letter)
        self.married, (self.married_here, self.married_elsewhere) = self._question("父母是否已在本区登记结婚?", "是", "否")
        OptionMaterial.objects.create(option=self.married_here, requirement=self.marriage,
                                      effect=OptionMaterial.Effect.EXCLUDE)

    def _question(self, text, *labels):
        question = SituationQuestion.objects.create(theme=self.theme, text=text,
                                                    order=SituationQuestion.objects.count())
        return question, [SituationOption.objects.create(question=question, label=label, order=i)
                          for i, label in enumerate(labels)]

    def answers(self, settle=None, agent=None, married=None):
        return {self.settle.pk: (settle or self.settle_here).pk, self.agent.pk: (agent or self.by_parent).pk,
                self.married.pk: (married or self.married_elsewhere).pk}

    def query(self, **kwargs):
        return {f"q{q}": o for q, o in self.answers(**kwargs).items()}


@pytest.fixture
def birth(db):
    return Birth()


def names(requirements):
    return [r.name for r in requirements]


# --- the rules ---------------------------------------------------------------------------------


def test_answering_changes_the_matters_the_materials_and_the_form(birth):
    plain = resolve(birth.theme, birth.answers())
    assert [m.name for m in plain.matters] == ["出生医学证明首次签发", "出生登记"]
    assert names(plain.requirements) == ["申请表", "居民身份证", "申请表", "居民身份证", "结婚证"]  # no 授权委托书
    assert [f.key for f in plain.fields] == ["applicant_name", "contact_phone", "baby_name"]

    away = resolve(birth.theme, birth.answers(settle=birth.settle_away, agent=birth.by_agent))
    assert [m.name for m in away.matters] == ["出生医学证明首次签发"]
    assert [m.name for m in away.excluded_matters] == ["出生登记"]
    assert names(away.requirements) == ["申请表", "居民身份证"]  # 出生登记's materials go with it
    assert "baby_name" not in [f.key for f in away.fields]

    agent = resolve(birth.theme, birth.answers(agent=birth.by_agent, married=birth.married_here))
    assert names(agent.requirements) == ["申请表", "居民身份证", "申请表", "居民身份证", "授权委托书"]
    letter = next(r for r in agent.requirements if r.name == "授权委托书")
    assert letter.required and agent.required_by_answer == {birth.letter.pk}
    assert not MaterialRequirement.objects.get(pk=birth.letter.pk).required  # the catalog is not changed
    assert agent.record()["answers"][1] == {"question": birth.agent.pk, "text": "是否委托他人代办?",
                                            "option": birth.by_agent.pk, "label": "是"}


def test_include_wins_over_exclude(birth):
    OptionMaterial.objects.create(option=birth.married_here, requirement=birth.letter,
                                  effect=OptionMaterial.Effect.EXCLUDE)
    both = resolve(birth.theme, birth.answers(agent=birth.by_agent, married=birth.married_here))
    assert "授权委托书" in names(both.requirements)


@pytest.mark.parametrize("broken", ["missing", "other_question", "unknown", "not_a_number"])
def test_invalid_or_missing_answers_are_refused_in_chinese(birth, broken):
    answers = birth.answers()
    if broken == "missing":
        del answers[birth.agent.pk]
    elif broken == "other_question":
        answers[birth.agent.pk] = birth.settle_away.pk
    elif broken == "unknown":
        answers[birth.agent.pk] = 999999
    else:
        answers[birth.agent.pk] = "是"
    with pytest.raises(Invalid) as caught:
        resolve(birth.theme, answers)
    assert caught.value.code == "invalid_situation"
    assert list(caught.value.fields) == [f"q{birth.agent.pk}"]
    assert "是否委托他人代办?" in caught.value.fields[f"q{birth.agent.pk}"][0]


def test_a_theme_without_questions_keeps_all_its_matters_but_not_the_materials_asked_only_when_chosen(birth):
    SituationQuestion.objects.filter(theme=birth.theme).delete()
    everything = resolve(birth.theme, {})
    assert len(everything.matters) == 2 and "授权委托书" not in names(everything.requirements)


def test_the_preview_lists_every_combination(birth):
    rows, total = combinations(load_situation(birth.theme))
    assert total == len(rows) == 8
    assert sum(1 for r in rows if len(r.matters) == 1) == 4
    # 授权委托书 belongs to 出生登记: asked for when an agent applies and 出生登记 is done here
    assert sum(1 for r in rows if "授权委托书" in names(r.requirements)) == 2


# --- the theme page: the one-time notice -----------------------------------------------------------


def test_the_theme_page_asks_and_then_shows_exactly_the_list(client, birth):
    asked = client.get("/themes/xinshenger/")
    html = asked.content.decode()
    assert asked.status_code == 200
    assert "是否委托他人代办?" in html and f'name="q{birth.agent.pk}"' in html
    assert "回答上方情形问题后" in html

    answered = client.get("/themes/xinshenger/", birth.query(settle=birth.settle_away, agent=birth.by_agent))
    html = answered.content.decode()
    assert answered.status_code == 200
    assert "一次性告知" in html and "打印一次性告知单" in html
    notice = html.split('id="notice"', 1)[1].split("</section>", 1)[0]
    assert "申请表" in notice and "授权委托书" not in notice and "结婚证" not in notice  # 出生登记 is left out
    assert "按您的情形无需办理" in html
    login_next = f"next=/apply/theme/xinshenger/%3Fq{birth.settle.pk}%3D{birth.settle_away.pk}%26q{birth.agent.pk}%3D"
    assert login_next in html  # the answers go on to the apply form, through the sign-in page

    agent = client.get("/themes/xinshenger/", birth.query(agent=birth.by_agent, married=birth.married_here))
    notice = agent.content.decode().split('id="notice"', 1)[1].split("</section>", 1)[0]
    assert "授权委托书" in notice and "结婚证" not in notice


def test_the_theme_page_refuses_invalid_answers_and_shows_everything(client, birth):
    query = birth.query()
    query[f"q{birth.agent.pk}"] = str(birth.settle_away.pk)
    response = client.get("/themes/xinshenger/", query)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请先回答全部情形问题" in html and "“是否委托他人代办?”的回答无效" in html
    assert "一次性告知" not in html and "结婚证" in html  # the whole list, as before any answer


# --- the apply form ------------------------------------------------------------------------------


@pytest.fixture
def citizen(client, birth):
    seed_calendar(years=[2026])
    user = UserFactory()
    client.force_login(user)
    return user


def test_apply_asks_the_questions_first(client, birth, citizen):
    response = client.get("/apply/theme/xinshenger/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "请先选择您的情形" in html and "是否在本区落户?" in html
    assert "提交申请" not in html and "field_applicant_name" not in html


def test_apply_form_follows_the_answers(client, birth, citizen):
    response = client.get("/apply/theme/xinshenger/", birth.query(settle=birth.settle_away))
    html = response.content.decode()
    assert response.status_code == 200
    assert "field_applicant_name" in html and "field_baby_name" not in html
    registration_materials = birth.registration.materials.values_list("pk", flat=True)
    assert not any(f'name="material_{pk}"' in html for pk in registration_materials)
    assert f'name="q{birth.settle.pk}" value="{birth.settle_away.pk}"' in html  # carried to the POST

    agent = client.get("/apply/theme/xinshenger/", birth.query(agent=birth.by_agent)).content.decode()
    assert f'name="material_{birth.letter.pk}"' in agent and "field_baby_name" in agent


def _post(birth, citizen, matters, **answers):
    data = {f"field_{k}": v for k, v in form_for(matters, citizen).items()}
    data.update(birth.query(**answers))
    for matter in matters:
        for r in matter.materials.filter(source="applicant", required=True):
            data[f"material_{r.pk}"] = pdf_upload()
    return data


def test_apply_with_answers_submits_only_the_resolved_matters(client, birth, citizen):
    data = _post(birth, citizen, [birth.certificate], settle=birth.settle_away)
    response = client.post("/apply/theme/xinshenger/", data)
    assert response.status_code == 302, response.content.decode()[:500]
    application = Application.objects.get(applicant=citizen)
    assert list(application.matters.values_list("name", flat=True)) == ["出生医学证明首次签发"]
    assert application.theme.code == "xinshenger"
    assert set(application.form_data) == {"applicant_name", "contact_phone"}
    recorded = application.situation
    assert recorded["theme"] == "xinshenger" and recorded["answers"]
    assert all(answer["text"] and answer["label"] for answer in recorded["answers"])


def test_apply_requires_the_material_an_answer_asks_for(client, birth, citizen):
    matters = [birth.certificate, birth.registration]
    data = _post(birth, citizen, matters, agent=birth.by_agent)
    refused = client.post("/apply/theme/xinshenger/", data)
    assert refused.status_code == 400
    assert "请上传“授权委托书”" in refused.content.decode()
    assert not Application.objects.exists()

    data = _post(birth, citizen, matters, agent=birth.by_agent)
    data[f"material_{birth.letter.pk}"] = pdf_upload("委托书.pdf")
    done = client.post("/apply/theme/xinshenger/", data)
    assert done.status_code == 302
    application = Application.objects.get()
    assert application.matters.count() == 2
    assert application.materials.filter(requirement=birth.letter).exists()


@pytest.mark.parametrize("broken", ["missing", "invalid"])
def test_apply_with_missing_or_invalid_answers_changes_nothing(client, birth, citizen, broken):
    data = _post(birth, citizen, [birth.certificate, birth.registration])
    if broken == "missing":
        del data[f"q{birth.married.pk}"]
    else:
        data[f"q{birth.married.pk}"] = str(birth.by_agent.pk)
    response = client.post("/apply/theme/xinshenger/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "请先回答全部情形问题" in html and "父母是否已在本区登记结婚?" in html
    assert not Application.objects.exists()


def test_answers_that_leave_no_matter_cannot_be_applied_for(client, birth, citizen):
    birth.settle_away.excluded_matters.add(birth.certificate)
    response = client.get("/apply/theme/xinshenger/", birth.query(settle=birth.settle_away))
    assert response.status_code == 400
    assert "没有需要办理的事项" in response.content.decode()


# --- the administrator's preview -----------------------------------------------------------------

ROLES = ["anonymous", "citizen", "clerk", "reviewer", "supervisor", "administrator", "superuser"]


def make(role):
    return {
        "anonymous": lambda: None,
        "citizen": UserFactory,
        "clerk": ClerkFactory,
        "reviewer": ReviewerFactory,
        "supervisor": SupervisorFactory,
        "administrator": lambda: UserFactory(role=User.Role.ADMINISTRATOR),
        "superuser": lambda: UserFactory(role=User.Role.PUBLIC, is_superuser=True, is_staff=True),
    }[role]()


@pytest.mark.parametrize("role,expected", list(zip(ROLES, [LOGIN, 403, 403, 403, 403, 200, 200])))
def test_preview_is_for_administrators(client, birth, role, expected):
    user = make(role)
    if user is not None:
        client.force_login(user)
    response = client.get("/catalog/themes/xinshenger/situations/")
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == expected
    html = response.content.decode()
    if expected == 200:
        assert "共 8 种情形组合" in html and "授权委托书" in html
    else:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in html)


def test_preview_tries_one_combination_and_refuses_a_bad_one(client, birth):
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR))
    tried = client.get("/catalog/themes/xinshenger/situations/", birth.query(settle=birth.settle_away))
    assert tried.status_code == 200
    assert "办理的事项" in tried.content.decode()
    bad = client.get("/catalog/themes/xinshenger/situations/", {f"q{birth.settle.pk}": "x"})
    assert bad.status_code == 400
    assert client.get("/catalog/themes/no-such/situations/").status_code == 404


def test_theme_admin_edits_questions_inline(client, birth):
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    theme_page = client.get(f"/admin/matters/theme/{birth.theme.pk}/change/").content.decode()
    assert "是否委托他人代办?" in theme_page and "/catalog/themes/xinshenger/situations/" in theme_page
    question_page = client.get(f"/admin/matters/situationquestion/{birth.agent.pk}/change/")
    assert question_page.status_code == 200
    option_page = client.get(f"/admin/matters/situationoption/{birth.by_agent.pk}/change/")
    assert option_page.status_code == 200 and "出生登记 · 授权委托书" in option_page.content.decode()


# --- the demo ------------------------------------------------------------------------------------


def test_demo_questions_refer_to_the_catalog():
    matters = {m["code"]: m for m in catalog.MATTERS}
    themes = {t["code"]: t for t in catalog.THEMES}
    assert len({q["theme"] for q in catalog.QUESTIONS}) >= 4
    for question in catalog.QUESTIONS:
        theme = themes[question["theme"]]
        assert len(question["options"]) >= 2
        for option in question["options"]:
            assert set(option) <= {"label", "skip", "needs", "drops"}
            assert set(option.get("skip", [])) <= set(theme["matters"])
            for code, material in option.get("needs", []):
                assert code in theme["matters"] and material["name"]
            for code, name in option.get("drops", []):
                assert code in theme["matters"] and name in [m["name"] for m in matters[code]["materials"]]


@pytest.mark.django_db
def test_demo_load_sets_up_the_questions_once():
    call_command("load_demo")
    call_command("load_demo")
    assert SituationQuestion.objects.count() == len(catalog.QUESTIONS)
    company = Theme.objects.get(code="kaiban-qiye")
    agent = SituationQuestion.objects.get(theme=company, text="是否委托代理人办理?")
    yes = agent.situationoption_set.get(label="是,委托代理人办理")
    plain = resolve(company, {q.pk: q.situationoption_set.first().pk for q in SituationQuestion.objects.filter(theme=company)})
    with_agent = resolve(company, {**plain.answers, agent.pk: yes.pk})
    assert "授权委托书" not in names(plain.requirements) and "授权委托书" in names(with_agent.requirements)


@pytest.mark.django_db
def test_demo_company_theme_with_answers_end_to_end(client):
    call_command("load_demo")
    company = Theme.objects.get(code="kaiban-qiye")
    questions = {q.text: q for q in SituationQuestion.objects.filter(theme=company)}
    seal, agent = questions["是否需要同时刻制公章?"], questions["是否委托代理人办理?"]
    answers = {f"q{seal.pk}": seal.situationoption_set.get(label__startswith="否").pk,
               f"q{agent.pk}": agent.situationoption_set.get(label__startswith="是").pk}
    notice = client.get("/themes/kaiban-qiye/", answers).content.decode()
    assert "授权委托书" in notice and "公章刻制备案</a>" not in notice

    for code in {q["theme"] for q in catalog.QUESTIONS}:  # every combination of every demo theme
        rows, total = combinations(load_situation(Theme.objects.get(code=code)))
        assert len(rows) == total and all(r.matters for r in rows)

    staff = User.objects.get(username="enterprise")
    client.force_login(staff)
    form = client.get("/apply/theme/kaiban-qiye/", answers)
    assert form.status_code == 200
    resolution = resolve(company, {int(k[1:]): v for k, v in answers.items()})
    data = {**answers, **{f"field_{k}": v for k, v in form_for(resolution.matters, staff).items()}}
    data.update({"field_registered_capital": "100", "field_credit_code": ""})  # not registered yet
    for r in resolution.requirements:
        if r.must_be_brought:
            data[f"material_{r.pk}"] = pdf_upload(f"{r.name}.pdf")
    done = client.post("/apply/theme/kaiban-qiye/", data)
    assert done.status_code == 302, [line for line in done.content.decode().splitlines() if "errorlist" in line]
    application = Application.objects.filter(applicant=staff, theme=company).latest("pk")
    assert "公章刻制备案" not in application.matters.values_list("name", flat=True)
    assert application.matters.count() == 3
    assert application.materials.filter(name="授权委托书").exists()
