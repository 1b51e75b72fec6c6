"""Result delivery (统一窗口出件): the applicant's choice, 同城通办 collection at any hall, posting
with a tracking number, and what each reader sees of it."""

from unittest import mock

import pytest
from django.core.cache import cache

from core.errors import Conflict, Forbidden, Invalid
from tests.factories import (
    ClerkFactory,
    HallFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    files_for,
    form_for,
    submitted_application,
)
from windows.models import Window
from workflow import selectors, services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, DeliveryMethod

pytestmark = pytest.mark.django_db
S = Application.State
POST = {"method": "post", "recipient": "陈志明", "phone": "138 2665 1024", "address": "清远市清新区太和镇玄真路8号3栋502"}


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])
    cache.clear()


def delivery_clerk(hall):
    return ClerkFactory(window__hall=hall, window__category=Window.Category.DELIVERY, window__name="综合出件窗口")


def bring_to_ready(application, *, clerk):
    """Accept at the clerk's hall, dispatch, approve every sub-case, prepare the result."""
    application = services.application_accept(application=application, clerk=clerk)
    services.dispatch_subcases(application_id=application.pk)
    for subcase in application.subcases.all():
        services.subcase_decide(subcase=subcase, reviewer=ReviewerFactory(department=subcase.department),
                                approve=True, reason="")
    with mock.patch("workflow.documents.generate_notice"):
        services.prepare_result(application_id=application.pk)
    return Application.objects.get(pk=application.pk)


# --- the choice --------------------------------------------------------------------------------


def test_electronic_licence_is_refused_when_a_matter_issues_none():
    paper, licence = MatterFactory(name="个体工商户名称变更备案"), MatterFactory(issues_licence=True)
    citizen = UserFactory()
    with pytest.raises(Invalid) as refused:
        submitted_application(applicant=citizen, matters=[paper, licence], delivery={"method": "electronic"})
    assert refused.value.code == "invalid_delivery"
    assert "个体工商户名称变更备案" in refused.value.fields["delivery_method"][0]
    assert not Application.objects.exists()
    app = submitted_application(applicant=citizen, matters=[licence], delivery={"method": "electronic"})
    assert app.delivery_method == DeliveryMethod.ELECTRONIC


@pytest.mark.parametrize("change,field", [
    ({"phone": "1234567"}, "post_phone"),
    ({"phone": "23826651024"}, "post_phone"),
    ({"recipient": "  "}, "post_recipient"),
    ({"address": "太和镇"}, "post_address"),
])
def test_postal_details_are_validated(change, field):
    with pytest.raises(Invalid) as refused:
        submitted_application(delivery={**POST, **change})
    assert field in refused.value.fields
    assert not Application.objects.exists()


def test_unknown_hall_and_unknown_method_are_refused():
    with pytest.raises(Invalid) as refused:
        submitted_application(delivery={"method": "hall", "hall": 999999})
    assert "pickup_hall" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        submitted_application(delivery={"method": "drone"})
    assert "delivery_method" in refused.value.fields


def test_a_delivery_error_is_reported_with_the_missing_materials():
    matter = MatterFactory()
    citizen = UserFactory()
    with pytest.raises(Invalid) as refused:
        services.application_submit(submission=services.Submission(
            applicant=citizen, matters=[matter], form_data=form_for([matter], citizen), files={},
            delivery={**POST, "phone": "12"},
        ))
    assert "post_phone" in refused.value.fields and any(k.startswith("material_") for k in refused.value.fields)


def test_post_choice_is_stored_normalised():
    app = submitted_application(delivery=POST)
    assert (app.delivery_method, app.post_phone, app.post_recipient) == ("post", "13826651024", "陈志明")


def test_walk_in_defaults_to_the_receiving_hall_and_online_to_the_accepting_hall():
    hall = HallFactory()
    clerk = ClerkFactory(window__hall=hall)
    matter = MatterFactory()
    citizen = UserFactory()
    walk_in = services.application_receive_at_window(submission=services.Submission(
        applicant=citizen, matters=[matter], form_data=form_for([matter], citizen), files=files_for([matter]),
    ), clerk=clerk, hall_id=hall.pk)
    assert walk_in.delivery_method == DeliveryMethod.HALL and walk_in.pickup_hall_id == hall.pk

    online = submitted_application(matters=[matter])
    assert online.pickup_hall_id is None
    accepted = services.application_accept(application=online, clerk=clerk)
    assert accepted.pickup_hall_id == hall.pk


def test_only_the_applicant_changes_the_choice_and_only_before_delivery():
    hall_a, hall_b = HallFactory(), HallFactory()
    citizen = UserFactory()
    app = submitted_application(applicant=citizen)
    with pytest.raises(Forbidden):
        services.application_set_delivery(application=app, applicant=UserFactory(), delivery={"method": "post"})
    app = services.application_set_delivery(application=app, applicant=citizen,
                                            delivery={"method": "hall", "hall": hall_b.pk})
    assert app.pickup_hall_id == hall_b.pk
    entry = app.log.get(action="workflow.application.delivery_chosen")
    assert hall_b.name in entry.note and entry.actor == citizen

    ready = bring_to_ready(app, clerk=ClerkFactory(window__hall=hall_a))
    services.application_deliver(application=ready, clerk=delivery_clerk(hall_b), id_number=citizen.id_number)
    with pytest.raises(Conflict):
        services.application_set_delivery(application=ready, applicant=citizen, delivery=POST)
    assert Application.objects.get(pk=app.pk).delivery_method == DeliveryMethod.HALL


# --- 同城通办: collect at any hall ----------------------------------------------------------------


def test_collecting_at_hall_b_an_application_accepted_at_hall_a():
    hall_a, hall_b = HallFactory(name="太和镇综合政务服务中心"), HallFactory(name="山塘镇政务服务中心")
    citizen = UserFactory()
    app = submitted_application(applicant=citizen, delivery={"method": "hall", "hall": hall_b.pk})
    app = bring_to_ready(app, clerk=ClerkFactory(window__hall=hall_a))
    assert app.accepted_hall == hall_a and app.pickup_hall == hall_b
    clerk_a, clerk_b = delivery_clerk(hall_a), delivery_clerk(hall_b)

    assert list(selectors.delivery_queue(clerk_b)) == [app]
    assert list(selectors.delivery_queue(clerk_a)) == []
    with pytest.raises(Conflict) as refused:
        services.application_deliver(application=app, clerk=clerk_a, id_number=citizen.id_number)
    assert "山塘镇政务服务中心" in refused.value.message
    assert Application.objects.get(pk=app.pk).state == S.RESULT_READY

    services.application_deliver(application=app, clerk=clerk_b, id_number=citizen.id_number)
    app.refresh_from_db()
    assert (app.state, app.delivered_by, app.delivery_hall) == (S.DELIVERED, clerk_b, hall_b)


def test_the_queue_shows_the_method_and_leaves_out_electronic_results(client):
    hall = HallFactory()
    clerk = ClerkFactory(window__hall=hall)
    posted = bring_to_ready(submitted_application(delivery=POST), clerk=clerk)
    collected = bring_to_ready(submitted_application(), clerk=clerk)
    electronic = bring_to_ready(submitted_application(matters=[MatterFactory(issues_licence=True)],
                                                      delivery={"method": "electronic"}), clerk=clerk)
    window = delivery_clerk(hall)
    assert set(selectors.delivery_queue(window)) == {posted, collected}
    assert electronic.state == S.RESULT_READY  # waits for its licence, at no window

    client.force_login(window)
    html = client.get("/hall/delivery/").content.decode()
    assert "邮寄送达" in html and "窗口领取" in html and "13826651024" in html
    assert posted.number in html and collected.number in html and electronic.number not in html


# --- posting ----------------------------------------------------------------------------------


def test_posting_records_the_tracking_number_and_delivers(client):
    hall = HallFactory()
    citizen = UserFactory()
    app = bring_to_ready(submitted_application(applicant=citizen, delivery=POST), clerk=ClerkFactory(window__hall=hall))
    window = delivery_clerk(hall)

    for tracking, carrier in [("", "中国邮政EMS"), ("12 34", "中国邮政EMS"), ("1186543210975", ""),
                              ("X" * 33, "顺丰速运")]:
        with pytest.raises(Invalid):
            services.application_post(application=app, clerk=window, carrier=carrier, tracking_number=tracking)
    assert Application.objects.get(pk=app.pk).state == S.RESULT_READY
    with pytest.raises(Forbidden):  # the delivery window of the accepting hall posts
        services.application_post(application=app, clerk=delivery_clerk(HallFactory()), carrier="顺丰速运",
                                  tracking_number="SF1400012345678")
    with pytest.raises(Conflict):  # not to be collected at a window
        services.application_deliver(application=app, clerk=window, id_number=citizen.id_number)

    services.application_post(application=app, clerk=window, carrier="中国邮政EMS", tracking_number=" 1186543210975 ")
    app.refresh_from_db()
    assert (app.state, app.post_tracking_number, app.post_carrier) == (S.DELIVERED, "1186543210975", "中国邮政EMS")
    assert app.delivered_by == window and app.posted_at is not None
    entry = app.log.get(action="workflow.application.posted")
    assert entry.data == {"carrier": "中国邮政EMS", "tracking_number": "1186543210975"}
    with pytest.raises(Conflict):
        services.application_post(application=app, clerk=window, carrier="顺丰速运", tracking_number="SF1400012345678")

    client.force_login(citizen)
    page = client.get(f"/applications/{app.number}/").content.decode()
    assert "1186543210975" in page and "清远市清新区太和镇玄真路8号3栋502" in page
    progress = client.get("/progress/", {"number": app.number, "id_last4": citizen.id_number[-4:]}).content.decode()
    assert "1186543210975" in progress and "邮寄送达" in progress
    assert "13826651024" not in progress and "玄真路" not in progress  # the public page has no address


def test_postal_details_are_masked_for_readers_who_do_not_post(client):
    hall = HallFactory()
    app = bring_to_ready(submitted_application(delivery=POST), clerk=ClerkFactory(window__hall=hall))
    supervisor = SupervisorFactory()
    facts = selectors.delivery_facts(supervisor, app)
    assert facts["phone"] == "138****1024" and facts["recipient"] == "陈**" and "玄真路" not in facts["address"]
    assert selectors.delivery_facts(delivery_clerk(hall), app)["phone"] == "13826651024"
    client.force_login(supervisor)
    html = client.get(f"/applications/{app.number}/").content.decode()
    assert "138****1024" in html and "13826651024" not in html


def test_posting_page_flow(client):
    hall = HallFactory()
    app = bring_to_ready(submitted_application(delivery=POST), clerk=ClerkFactory(window__hall=hall))
    client.force_login(delivery_clerk(hall))
    bad = client.post(f"/applications/{app.number}/post/", {"carrier": "中国邮政EMS", "tracking_number": "12"})
    assert bad.status_code == 400 and "邮件单号应为8至32位字母或数字" in bad.content.decode()
    done = client.post(f"/applications/{app.number}/post/",
                       {"carrier": "中国邮政EMS", "tracking_number": "1186543210975", "from": "delivery"})
    assert done.status_code == 302 and done["Location"] == "/hall/delivery/"
    assert Application.objects.get(pk=app.pk).state == S.DELIVERED


def test_applicant_changes_the_choice_on_the_application_page(client):
    citizen = UserFactory()
    hall = HallFactory(name="禾云镇政务服务中心")
    app = submitted_application(applicant=citizen)
    client.force_login(citizen)
    page = client.get(f"/applications/{app.number}/").content.decode()
    assert "修改领取方式" in page and "禾云镇政务服务中心" in page and "不能选择电子证照" in page
    bad = client.post(f"/applications/{app.number}/delivery/", {"delivery_method": "post", "post_recipient": "陈志明",
                                                               "post_phone": "123", "post_address": "清新区太和镇玄真路8号"})
    assert bad.status_code == 400 and "手机号码" in bad.content.decode()
    ok = client.post(f"/applications/{app.number}/delivery/", {"delivery_method": "hall", "pickup_hall": hall.pk})
    assert ok.status_code == 302
    assert Application.objects.get(pk=app.pk).pickup_hall == hall


def test_apply_page_offers_the_choice_and_stores_it(client):
    citizen = UserFactory()
    matter = MatterFactory(issues_licence=True)
    client.force_login(citizen)
    page = client.get(f"/apply/matter/{matter.code}/").content.decode()
    assert "结果领取方式" in page and "电子证照" in page and "不能选择电子证照" not in page
    body = {**{f"field_{k}": v for k, v in form_for([matter], citizen).items()}, **files_for([matter]),
            "delivery_method": "electronic", "idempotency_key": "0" * 32}
    response = client.post(f"/apply/matter/{matter.code}/", body)
    assert response.status_code == 302
    assert Application.objects.get(applicant=citizen).delivery_method == DeliveryMethod.ELECTRONIC
