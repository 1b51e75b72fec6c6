"""同问: people signed in say a published question is theirs too, once each; the count shows on
the question, orders the matter's FAQ on its guide, and lists the frequent questions not yet in the
FAQ on the department's desk (only its own department's)."""

import datetime as dt

import pytest
from django.urls import reverse

from civic import services
from civic.models import Question
from core.errors import Conflict, Forbidden
from tests.factories import ReviewerFactory, UserFactory

from .test_questions import ask

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(calendar_2026, at):
    from tests.factories import MatterFactory

    at(dt.date(2026, 9, 29))
    matter = MatterFactory(name="新生儿入户登记")
    asker = UserFactory()
    question = ask(matter, user=asker)
    services.question_answer(question=question, user=ReviewerFactory(department=matter.department),
                             answer="带出生医学证明和户口簿。")
    services.question_publish(question=question, user=ReviewerFactory(department=matter.department))
    question.refresh_from_db()
    return question, asker


def echo(client, question):
    return client.post(reverse("civic:question", args=[question.pk]), {"action": "echo"})


def test_each_person_counts_once_and_the_asker_and_anonymous_do_not(published, client):
    question, asker = published
    url = reverse("civic:question", args=[question.pk])
    page = client.get(url).content.decode()
    assert "0 人同问" in page and "echo-form" not in page and "后可点“我也想问”" in page
    assert echo(client, question).status_code == 403  # signed out: nothing counted
    for person in (UserFactory(), UserFactory()):
        client.force_login(person)
        assert "echo-form" in client.get(url).content.decode()
        assert echo(client, question).status_code == 302
        echo(client, question)  # twice: once
        assert "echo-form" not in client.get(url).content.decode()
    client.force_login(asker)
    assert echo(client, question).status_code == 409
    question.refresh_from_db()
    assert question.echo_count == 2 == question.echoes.count()
    client.logout()
    assert "2 人同问" in client.get(url).content.decode()


def test_only_published_questions_are_echoed(published):
    question, _asker = published
    fresh = ask(question.matter, user=UserFactory())
    with pytest.raises(Conflict):
        services.question_echo(question=fresh, user=UserFactory())
    with pytest.raises(Forbidden):
        from django.contrib.auth.models import AnonymousUser

        services.question_echo(question=question, user=AnonymousUser())
    assert Question.objects.get(pk=fresh.pk).echo_count == 0


def test_frequent_questions_reach_the_desk_and_order_the_faq(published, client):
    question, _asker = published
    matter, department = question.matter, question.department
    other = ask(matter, user=UserFactory(), subject="落户后多久能办身份证")
    reviewer = ReviewerFactory(department=department)
    services.question_answer(question=other, user=reviewer, answer="落户后即可申领。")
    services.question_publish(question=other, user=ReviewerFactory(department=department))
    for _n in range(3):
        services.question_echo(question=Question.objects.get(pk=other.pk), user=UserFactory())
    services.question_echo(question=question, user=UserFactory())

    client.force_login(reviewer)
    desk = client.get(reverse("civic:desk")).content.decode()
    rows = desk[desk.index('id="faq-candidates"'):]
    assert rows.index("落户后多久能办身份证") < rows.index("新生儿落户要带什么")  # most asked first
    client.force_login(ReviewerFactory())  # another department's desk: none of them
    assert "faq-candidates" not in client.get(reverse("civic:desk")).content.decode()

    for q in (question, other):
        services.question_set_faq(question=Question.objects.get(pk=q.pk), user=reviewer)
    guide = client.get(reverse("portal:matter", args=[matter.code])).content.decode()
    assert guide.index("落户后即可申领") < guide.index("带出生医学证明和户口簿")
    client.force_login(reviewer)
    assert "faq-candidates" not in client.get(reverse("civic:desk")).content.decode()  # both in the FAQ now
