"""Issue 15: the application's API answer (201 of a submission, every detail GET and action
answer) is built by `workflow.api.detail_answer` without the serializer's field objects; it must
be exactly what `ApplicationDetailSerializer` gives for the same application and reader: same
keys in the same order, same values, same JSON — for a case just submitted, accepted with its
sub-cases, concluded with licences, submitted by an agent with a postal delivery, refused, read by
the applicant, a clerk and a reviewer."""

import json

import pytest
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.utils.encoders import JSONEncoder

from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    agent_for,
    concluded_application,
    form_for,
    pdf_upload,
    submitted_application,
)
from workflow import selectors, services
from workflow.api import ApplicationDetailSerializer, detail_answer
from workflow.calendar_store import seed_calendar


@pytest.fixture(autouse=True)
def calendar(db, time_machine):
    time_machine.move_to("2026-11-10 10:00 +08:00")
    seed_calendar(years=[2026])


def answers(user, application):
    """(detail_answer, the serializer's data) as JSON text, for `user` reading `application`."""
    request = APIRequestFactory().get("/")
    request.user = user
    from rest_framework.request import Request

    drf = Request(request)
    drf.user = user
    fresh = selectors.application_detail(user, application.number)
    built = detail_answer(fresh, drf)
    again = selectors.application_detail(user, application.number)
    serialized = ApplicationDetailSerializer(again, context={"request": drf}).data
    return json.dumps(built, cls=JSONEncoder, ensure_ascii=False), \
        json.dumps(serialized, cls=JSONEncoder, ensure_ascii=False)


def assert_same(user, application):
    built, serialized = answers(user, application)
    assert list(json.loads(built)) == list(json.loads(serialized))
    assert built == serialized


def test_a_submitted_case_of_two_matters_for_its_applicant_and_a_clerk():
    citizen = UserFactory()
    matters = [MatterFactory(), MatterFactory()]
    application = submitted_application(applicant=citizen, matters=matters)
    assert_same(citizen, application)
    assert_same(ClerkFactory(), application)


def test_an_accepted_case_with_sub_cases_and_a_concluded_one_with_licences_for_a_reviewer():
    clerk = ClerkFactory()
    accepted = accepted_application(clerk=clerk)
    assert_same(accepted.applicant, accepted)
    assert_same(clerk, accepted)
    concluded = concluded_application()
    assert concluded.subcases.exists()
    assert_same(concluded.applicant, concluded)
    assert_same(ReviewerFactory(department=concluded.subcases.first().department), concluded)


def test_an_agents_case_posted_to_the_applicant():
    principal, matter = UserFactory(), MatterFactory()
    grant = agent_for(principal, [matter])
    application = services.application_submit(submission=services.Submission(
        applicant=principal, matters=[matter], form_data=form_for([matter], principal),
        files={f"material_{r.pk}": pdf_upload() for r in matter.materials.all() if r.must_be_brought},
        agent=grant.agent,
        delivery={"method": "post", "recipient": "陈志明", "phone": "13826651024", "address": "清远市清新区太和镇玄真路8号"},
    ))
    assert_same(grant.agent, application)
    assert_same(principal, application)
    assert_same(ClerkFactory(), application)  # the postal details masked for a clerk who does not post


def test_a_refused_case():
    clerk = ClerkFactory()
    application = submitted_application()
    services.application_refuse(application=application, clerk=clerk, reason="不属于本中心受理范围")
    assert_same(application.applicant, application)


@pytest.mark.django_db(transaction=True)
def test_the_201_answer_is_the_serializers_answer_of_the_written_case():
    citizen, matter = UserFactory(), MatterFactory()
    client = APIClient()
    client.force_authenticate(citizen)
    files = {f"material_{r.pk}": pdf_upload() for r in matter.materials.all() if r.must_be_brought}
    response = client.post("/api/applications/", data={
        "matters": [matter.code], "form_data": json.dumps(form_for([matter], citizen)), **files}, format="multipart")
    assert response.status_code == 201, response.content
    request = APIRequestFactory().get("/")
    from rest_framework.request import Request

    drf = Request(request)
    drf.user = citizen
    serialized = ApplicationDetailSerializer(selectors.application_detail(citizen, response.json()["number"]),
                                             context={"request": drf}).data
    assert response.content.decode() == json.dumps(serialized, cls=JSONEncoder, ensure_ascii=False,
                                                   separators=(",", ":"))
