"""政民互动: asking, who answers and who publishes, the answer clock across National Day 2026,
personal data kept out of what is published, the FAQ on the guide page, consultations."""

import datetime as dt

import pytest
from django.urls import reverse

from civic import selectors, services
from civic.models import Comment, Consultation, Question
from core.errors import Conflict, Forbidden, Invalid
from tests.factories import DepartmentFactory, MatterFactory, ReviewerFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db
D = dt.date
ID = "44180319900307123X"


@pytest.fixture
def matter(calendar_2026, at):
    at(D(2026, 9, 29))  # Tuesday; 5 working days: Sep 30, Oct 8, 9, Sat 10 (make-up), 12
    return MatterFactory()


def ask(matter, **kwargs):
    return services.question_ask(
        **{
            "matter_id": matter.pk,
            "subject": "新生儿落户要带什么",
            "content": "请问孩子出生后落户需要哪些材料?",
            **kwargs,
        }
    )


def test_the_answer_is_due_in_5_working_days_across_national_day(matter):
    question = ask(matter, contact_phone="13912345678")
    assert (question.department, question.submitted_on, question.due) == (
        matter.department,
        D(2026, 9, 29),
        D(2026, 10, 12),
    )
    assert question.asker is None and question.state == Question.State.OPEN


def test_the_limit_is_configurable(matter, settings):
    settings.CIVIC_ANSWER_DAYS = 2
    assert ask(matter, contact_phone="13912345678").due == D(2026, 10, 8)


def test_anonymous_needs_a_contact_and_may_not_suggest(matter):
    with pytest.raises(Invalid) as exc:
        ask(matter)
    assert set(exc.value.fields) == {"contact_phone"}
    with pytest.raises(Invalid) as exc:
        ask(matter, kind=Question.Kind.SUGGESTION, contact_phone="13912345678")
    assert set(exc.value.fields) == {"kind"}
    assert not Question.objects.exists()


def test_who_answers_and_who_publishes(matter):
    citizen = UserFactory()
    question = ask(matter, user=citizen)
    outsider = ReviewerFactory()  # another department
    answerer = ReviewerFactory(department=matter.department)
    checker = ReviewerFactory(department=matter.department)
    for refused in (citizen, outsider, SupervisorFactory()):
        with pytest.raises(Forbidden):
            services.question_answer(question=question, user=refused, answer="带出生医学证明。")
    services.question_answer(question=question, user=answerer, answer="带出生医学证明和户口簿。")
    for refused in (citizen, outsider, answerer):  # the one who answered does not check their own answer
        with pytest.raises(Forbidden):
            services.question_publish(question=question, user=refused)
    question.refresh_from_db()
    assert question.state == Question.State.ANSWERED
    assert list(selectors.published_questions()) == []
    services.question_publish(question=question, user=checker)
    question.refresh_from_db()
    assert question.state == Question.State.PUBLISHED and question.published_by == checker
    assert list(selectors.published_questions()) == [question]
    assert list(selectors.my_questions(citizen)) == [question]
    assert list(selectors.my_questions(UserFactory())) == []


def test_the_published_text_is_masked(matter):
    citizen = UserFactory(real_name="王小明")
    question = ask(matter, user=citizen, content=f"我是王小明,身份证 {ID},电话 13912345678,孩子怎么落户?")
    services.question_answer(
        question=question,
        user=ReviewerFactory(department=matter.department),
        answer="王小明您好:请带出生医学证明到窗口办理。",
    )
    question = services.question_publish(question=question, user=SupervisorFactory())
    assert "王小明" not in question.public_content + question.public_answer
    assert ID not in question.public_content and "13912345678" not in question.public_content
    assert "4418**********123X" in question.public_content and "139****5678" in question.public_content
    assert "王**" in question.public_answer


def test_publishing_with_a_leftover_id_number_is_refused(matter):
    question = ask(matter, contact_phone="13912345678")
    services.question_answer(question=question, user=ReviewerFactory(department=matter.department), answer="请带证件。")
    with pytest.raises(Invalid) as exc:
        services.question_publish(
            question=question,
            user=SupervisorFactory(),
            public_subject="落户",
            public_content=f"身份证{ID}怎么落户",
            public_answer="请带证件。",
        )
    assert set(exc.value.fields) == {"public_content"}
    with pytest.raises(Invalid):
        services.question_publish(
            question=question,
            user=SupervisorFactory(),
            public_subject="落户",
            public_content="怎么落户",
            public_answer="请致电 13912345678 咨询。",
        )
    question.refresh_from_db()
    assert question.state == Question.State.ANSWERED and question.public_content == ""


def test_a_faq_shows_on_the_guide_page(matter, client):
    question = ask(matter, contact_phone="13912345678")
    services.question_answer(
        question=question, user=ReviewerFactory(department=matter.department), answer="带出生医学证明和户口簿。"
    )
    checker = ReviewerFactory(department=matter.department)
    with pytest.raises(Conflict):
        services.question_set_faq(question=question, user=checker)  # not published yet
    services.question_publish(question=question, user=checker)
    url = reverse("portal:matter", args=[matter.code])
    assert "带出生医学证明和户口簿" not in client.get(url).content.decode()
    with pytest.raises(Forbidden):
        services.question_set_faq(question=question, user=UserFactory())
    services.question_set_faq(question=question, user=checker)
    page = client.get(url).content.decode()
    assert "常见问题" in page and "带出生医学证明和户口簿" in page


def test_an_unpublished_question_is_hidden_from_others(matter, client):
    citizen = UserFactory()
    question = ask(matter, user=citizen)
    url = reverse("civic:question", args=[question.pk])
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(citizen)
    assert client.get(url).status_code == 200
    client.force_login(ReviewerFactory(department=matter.department))
    assert "answer-form" in client.get(url).content.decode()


@pytest.fixture
def consultation(calendar_2026, at):
    department = DepartmentFactory()
    return Consultation.objects.create(
        title="出生登记服务标准(征求意见稿)",
        department=department,
        draft="办理时限由5个工作日压缩为即办。",
        opens_on=D(2026, 11, 2),
        closes_on=D(2026, 11, 16),
    )


def test_comments_only_inside_the_period(consultation, at):
    citizen = UserFactory()
    for day in (D(2026, 11, 1), D(2026, 11, 17)):
        at(day)
        with pytest.raises(Conflict):
            services.comment_add(consultation=consultation, user=citizen, content="建议增加网上办理渠道。")
    at(D(2026, 11, 16))  # the last day counts
    services.comment_add(consultation=consultation, user=citizen, content="建议增加网上办理渠道。")
    with pytest.raises(Forbidden):
        services.comment_add(consultation=consultation, user=None, content="匿名意见不收。")
    assert Comment.objects.filter(consultation=consultation).count() == 1


def test_the_summary_after_the_period_by_the_department(consultation, at):
    at(D(2026, 11, 10))
    reviewer = ReviewerFactory(department=consultation.department)
    with pytest.raises(Conflict):
        services.consultation_publish_summary(consultation=consultation, user=reviewer, summary="采纳1条。")
    at(D(2026, 11, 17))
    with pytest.raises(Forbidden):
        services.consultation_publish_summary(consultation=consultation, user=ReviewerFactory(), summary="采纳1条。")
    services.consultation_publish_summary(consultation=consultation, user=reviewer, summary="共收到意见1条,已采纳。")
    consultation.refresh_from_db()
    assert consultation.summary_published_at is not None


def test_the_disclosure_page_shows_answers_by_department(matter, client):
    question = ask(matter, contact_phone="13912345678")
    ask(matter, contact_phone="13912345678")
    services.question_answer(question=question, user=ReviewerFactory(department=matter.department), answer="请带证件。")
    page = client.get(reverse("portal:disclosure")).content.decode()
    row = page[page.index(f"<td>{matter.department.name}</td>", page.index("收到咨询建议")):]
    assert row.startswith(f"<td>{matter.department.name}</td><td>2</td><td>1</td><td>0</td>")
