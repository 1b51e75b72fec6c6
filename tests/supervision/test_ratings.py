"""好差评: one-time links, the five national levels, bad ratings' follow-ups with their working-day
clock and cards (across the 2026 Mid-Autumn and National Day holidays: Fri Sep 25 and Oct 1-7
off, Sun Sep 20 and Sat Oct 10 make-up working days), call-backs, appeals and the figures."""

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, Invalid, NotFound
from supervision.cards.services import sweep_deadlines
from supervision.feedback import ratings
from supervision.feedback import selectors as feedback
from supervision.models import Card, FeedbackLog, FollowUp, Occasion, Rating, RatingAppeal, RatingToken
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    concluded_application,
    pdf_upload,
    walk_in_application,
)
from tests.supervision.conftest import open_cards

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def online_case(calendar_2026, at):
    """An online case of one department, concluded on Wednesday 2026-09-09."""
    at(D(2026, 9, 9))
    return concluded_application(matters=[MatterFactory()])


def rate(application, level, occasion=Occasion.DECISION, **kwargs):
    token = ratings.rating_token_issue(application=application, occasion=occasion)
    return ratings.rating_submit(token=token, level=level, **kwargs)


def test_the_case_offers_its_occasions_and_the_link_is_bound_to_them(online_case, at):
    token = ratings.rating_token_issue(application=online_case, occasion=Occasion.DECISION)
    assert len(token.token) >= 40 and token.department == online_case.subcases.get().department
    assert token.clerk is None and token.hall is None
    assert ratings.rating_token_issue(application=online_case, occasion=Occasion.DECISION) == token  # the same link
    with pytest.raises(Conflict):  # an online case has no window visit to rate
        ratings.rating_token_issue(application=online_case, occasion=Occasion.WINDOW_ACCEPT)

    clerk = ClerkFactory()
    visit = walk_in_application(clerk=clerk)
    [window] = ratings.rating_tokens_for(visit)
    assert (window.occasion, window.clerk, window.hall_id) == (Occasion.WINDOW_ACCEPT, clerk,
                                                                clerk.seats.get().window.hall_id)
    assert window.department is None


def test_a_link_rates_once(online_case, at):
    at(D(2026, 9, 10))
    token = ratings.rating_token_issue(application=online_case, occasion=Occasion.DECISION)
    rating = ratings.rating_submit(token=token, level=5, comment="  办事很快,点赞  ")
    assert (rating.level, rating.get_level_display(), rating.comment) == (5, "非常满意", "办事很快,点赞")
    assert rating.rated_on == D(2026, 9, 10)
    assert not FollowUp.objects.exists()  # a good rating asks nothing of anyone
    with pytest.raises(Conflict) as refused:
        ratings.rating_submit(token=token, level=1)
    assert refused.value.code == "already_rated" and "已使用" in refused.value.message
    assert Rating.objects.count() == 1 and Rating.objects.get().level == 5


def test_bad_input_and_expired_links_rate_nothing(online_case, at):
    token = ratings.rating_token_issue(application=online_case, occasion=Occasion.DECISION)
    for level, kwargs, field in [(0, {}, "level"), ("x", {}, "level"), (2, {"comment": "差" * 301}, "comment"),
                                 (2, {"reasons": ["slow", "bribe"]}, "reasons")]:
        with pytest.raises(Invalid) as refused:
            ratings.rating_submit(token=token, level=level, **kwargs)
        assert field in refused.value.fields
    assert RatingToken.objects.get().used_at is None
    at(D(2026, 10, 10))  # 31 days after the conclusion
    with pytest.raises(Conflict) as refused:
        ratings.rating_submit(token=token, level=4)
    assert refused.value.code == "rating_expired"
    assert not Rating.objects.exists()
    with pytest.raises(NotFound):
        ratings.access_rating_token(token.token[:-1] + ("A" if token.token[-1] != "A" else "B"))


def test_reasons_are_kept_only_for_bad_ratings(online_case):
    good = rate(online_case, 4, reasons=["slow"])
    assert good.reasons == []
    visit = walk_in_application()
    bad = rate(visit, 1, Occasion.WINDOW_ACCEPT, reasons=["attitude", "runs", "attitude"])
    assert bad.reasons == ["attitude", "runs"] and bad.reason_labels() == ["服务态度不好", "多次跑动"]


def test_a_bad_rating_opens_a_follow_up_due_in_15_working_days_across_the_holidays(online_case, at):
    """Rated Wed Sep 9: Sun Sep 20 counts, Fri Sep 25 does not: due Wed Sep 30 (not Sep 29)."""
    rating = rate(online_case, 2, reasons=["slow"], comment="等了很久")
    followup = rating.followup
    assert (followup.opened_on, followup.due, followup.state) == (D(2026, 9, 9), D(2026, 9, 30), "open")
    assert followup.department == online_case.subcases.get().department and followup.hall is None
    assert ratings.FOLLOWUP_DAYS == 15
    assert list(FeedbackLog.objects.filter(rating=rating).values_list("action", flat=True)) == [
        "supervision.rating.submitted", "supervision.followup.opened"]


def test_follow_up_cards_open_across_the_holiday_and_close_when_it_is_closed(online_case, at):
    followup = rate(online_case, 1).followup
    for day in (D(2026, 9, 24), D(2026, 9, 25), D(2026, 9, 27)):  # 3 working days left (28, 29, 30)
        sweep_deadlines(today=day)
        assert open_cards(followup=followup) == [], day
    sweep_deadlines(today=D(2026, 9, 28))  # 2 left: yellow
    assert open_cards(followup=followup) == [("followup", "yellow")]
    card = Card.objects.get(followup=followup)
    assert card.application is None and card.department == followup.department
    assert (card.due, card.limit_days, card.warn_days, card.remaining_days) == (D(2026, 9, 30), 15, 2, 2)
    assert "差评整改期限 2026-09-30 将至" in card.reason
    sweep_deadlines(today=D(2026, 10, 1))  # the holiday after the due date: red, 0 working days late so far
    assert open_cards(followup=followup) == [("followup", "red")]
    assert Card.objects.get(followup=followup, level="red").remaining_days == 0
    sweep_deadlines(today=D(2026, 10, 5))
    assert Card.objects.filter(followup=followup).count() == 2  # the same red card, not another

    reviewer = ReviewerFactory(department=followup.department)
    at(D(2026, 10, 8))
    with pytest.raises(Conflict):  # the citizen is called back first
        ratings.followup_close(followup=followup, user=reviewer, reply="已约谈经办人")
    ratings.followup_call_back(followup=followup, user=reviewer, method="phone", summary="群众表示已理解", satisfied=True)
    ratings.followup_close(followup=followup, user=reviewer, reply="已对经办人批评教育并优化流程")
    sweep_deadlines(today=D(2026, 10, 8))
    assert open_cards(followup=followup) == []
    assert Card.objects.get(followup=followup, level="red").closed_at is not None


def test_window_ratings_follow_up_in_the_hall(calendar_2026, at):
    at(D(2026, 9, 29))
    clerk, elsewhere = ClerkFactory(), ClerkFactory()
    colleague = ClerkFactory(window=clerk.seats.get().window)
    visit = walk_in_application(clerk=clerk)
    followup = rate(visit, 2, Occasion.WINDOW_ACCEPT).followup
    assert followup.hall_id == clerk.seats.get().window.hall_id and followup.department is None
    assert followup.due == D(2026, 10, 26)  # Sep 30, Oct 8, 9, Sat 10, 12 … 26
    assert set(feedback.followups_for(colleague)) == {followup}
    assert list(feedback.followups_for(elsewhere)) == []
    assert list(feedback.followups_for(ReviewerFactory())) == []
    with pytest.raises(Forbidden):
        ratings.followup_call_back(followup=followup, user=elsewhere, method="phone", summary="x")
    with pytest.raises(Forbidden):
        ratings.followup_call_back(followup=followup, user=SupervisorFactory(), method="phone", summary="x")
    ratings.followup_call_back(followup=followup, user=colleague, method="visit", summary="上门致歉")
    sweep_deadlines(today=D(2026, 10, 27))
    assert [(c.trigger, c.level, c.hall_id, c.department_id) for c in Card.objects.filter(followup=followup)] == [
        ("followup", "red", followup.hall_id, None)]


@pytest.fixture
def appealed(online_case):
    rating = rate(online_case, 1, comment="乱评")
    reviewer = ReviewerFactory(department=rating.department)
    appeal = ratings.rating_appeal(rating=rating, user=reviewer, kind="malicious",
                                   statement="评价人并非申请人,与办件无关", evidence=pdf_upload("通话记录.pdf"))
    return rating, reviewer, appeal


def test_who_may_appeal(online_case):
    rating = rate(online_case, 2)
    good = rate(walk_in_application(), 5, Occasion.WINDOW_ACCEPT)
    for user in (UserFactory(), ReviewerFactory(department=DepartmentFactory()), SupervisorFactory(), ClerkFactory()):
        with pytest.raises(Forbidden):
            ratings.rating_appeal(rating=rating, user=user, kind="mistaken", statement="误评")
    reviewer = ReviewerFactory(department=rating.department)
    with pytest.raises(Invalid):
        ratings.rating_appeal(rating=rating, user=reviewer, kind="revenge", statement="")
    clerk = good.clerk
    with pytest.raises(Conflict):
        ratings.rating_appeal(rating=good, user=clerk, kind="mistaken", statement="好评也要申诉")
    assert not RatingAppeal.objects.exists()


def test_an_accepted_appeal_removes_the_rating_from_every_count(appealed, at):
    rating, reviewer, appeal = appealed
    assert appeal.evidence_sha256 and appeal.state == "pending"
    with pytest.raises(Conflict):
        ratings.rating_appeal(rating=rating, user=reviewer, kind="mistaken", statement="再申诉一次")
    period = {"start": D(2026, 9, 1), "end": D(2026, 9, 30)}
    [before] = feedback.rating_distribution(by="department", **period)
    assert (before["total"], before["bad"], before["levels"][1]) == (1, 1, 1)
    with pytest.raises(Forbidden):
        ratings.rating_appeal_decide(appeal=appeal, supervisor=reviewer, accept=True, reason="自己裁自己")
    supervisor = SupervisorFactory()
    with pytest.raises(Invalid):
        ratings.rating_appeal_decide(appeal=appeal, supervisor=supervisor, accept=True, reason=" ")
    ratings.rating_appeal_decide(appeal=appeal, supervisor=supervisor, accept=True, reason="经核实为恶意差评")
    rating.refresh_from_db()
    assert rating.is_valid is False and rating.followup.state == "voided"
    assert feedback.rating_distribution(by="department", **period) == []
    assert feedback.rating_distribution(by=None, **period)[0]["total"] == 0
    assert feedback.followup_counts(today=D(2026, 10, 8))["open"] == 0
    sweep_deadlines(today=D(2026, 10, 8))
    assert open_cards(followup=rating.followup) == []
    with pytest.raises(Conflict):
        ratings.rating_appeal_decide(appeal=appeal, supervisor=supervisor, accept=False, reason="改主意")
    assert list(FeedbackLog.objects.filter(rating=rating).values_list("action", "actor"))[-2:] == [
        ("supervision.rating.appealed", reviewer.pk), ("supervision.appeal.accepted", supervisor.pk)]


def test_an_upheld_appeal_leaves_the_rating_and_its_follow_up(appealed):
    rating, reviewer, appeal = appealed
    ratings.rating_appeal_decide(appeal=appeal, supervisor=SupervisorFactory(), accept=False, reason="证据不足")
    rating.refresh_from_db()
    assert rating.is_valid and rating.followup.state == "open"
    assert rating.appeal.get_state_display() == "申诉不成立,维持评价"
    sweep_deadlines(today=D(2026, 10, 8))
    assert open_cards(followup=rating.followup) == [("followup", "red")]


def test_rating_distribution_by_dimension_and_period(calendar_2026, at):
    at(D(2026, 9, 29))
    clerk_a, clerk_b = ClerkFactory(), ClerkFactory()
    for clerk, levels in ((clerk_a, (5, 5, 4, 2)), (clerk_b, (3,))):
        for level in levels:
            rate(walk_in_application(clerk=clerk), level, Occasion.WINDOW_ACCEPT)
    at(D(2026, 10, 9))
    rate(walk_in_application(clerk=clerk_b), 1, Occasion.WINDOW_ACCEPT)
    september = feedback.rating_distribution(by="clerk", start=D(2026, 9, 1), end=D(2026, 9, 30))
    assert [(r["name"], r["total"], r["levels"][5], r["bad"], r["satisfaction_rate"]) for r in september] == [
        (clerk_a.real_name, 4, 2, 1, 75.0), (clerk_b.real_name, 1, 0, 0, 0.0)]
    by_hall = feedback.rating_distribution(by="hall", start=D(2026, 9, 1), end=D(2026, 10, 31))
    assert sorted(r["total"] for r in by_hall) == [2, 4]
    assert feedback.rating_distribution(by=None, start=D(2026, 10, 1), end=D(2026, 10, 31))[0]["levels"][1] == 1
    assert feedback.rating_distribution(by="department", start=D(2026, 9, 1), end=D(2026, 10, 31)) == []
    with pytest.raises(ValueError):
        feedback.rating_distribution(by="matter", start=D(2026, 9, 1), end=D(2026, 9, 30))


def test_a_result_handed_out_at_a_window_is_a_visit_of_its_own(calendar_2026, at):
    from unittest import mock

    from workflow import services

    at(D(2026, 9, 29))
    clerk = ClerkFactory()
    case = concluded_application(matters=[MatterFactory()], clerk=clerk)
    with mock.patch("workflow.documents.generate_notice"):
        services.prepare_result(application_id=case.pk)
    at(D(2026, 10, 9))
    services.application_deliver(application=case, clerk=clerk, id_number=case.applicant.id_number)
    case.refresh_from_db()
    links = {t.occasion: t for t in ratings.rating_tokens_for(case)}
    assert set(links) == {Occasion.DECISION, Occasion.WINDOW_DELIVER}  # accepted online: no window acceptance visit
    assert (links[Occasion.WINDOW_DELIVER].clerk, links[Occasion.WINDOW_DELIVER].hall_id) == (
        clerk, clerk.seats.get().window.hall_id)
    rating = ratings.rating_submit(token=links[Occasion.WINDOW_DELIVER], level=2)
    # Rated Fri Oct 9: Sat Oct 10 (a make-up working day) is the first of the 15.
    assert rating.followup.hall_id == clerk.seats.get().window.hall_id and rating.followup.due == D(2026, 10, 29)


def test_the_rated_side_may_contest_a_follow_up_card(online_case, at):
    from supervision.cards.services import card_contest, may_contest

    followup = rate(online_case, 2).followup
    sweep_deadlines(today=D(2026, 10, 8))
    card = Card.objects.get(followup=followup)
    assert not may_contest(ClerkFactory(), card) and not may_contest(ReviewerFactory(), card)
    with pytest.raises(Forbidden):
        card_contest(card=card, user=SupervisorFactory(), statement="督查不申诉")
    reviewer = ReviewerFactory(department=followup.department)
    card_contest(card=card, user=reviewer, statement="国庆假期群众无法接听回访电话")
    card.refresh_from_db()
    assert card.review == "contested"


def test_the_disclosure_page_shows_satisfaction_by_department(online_case, at, client):
    """Issue 16 (政民互动): the public disclosure page lists each department's 90-day ratings."""
    rate(online_case, 5)
    department = online_case.subcases.get().department
    page = client.get("/disclosure/").content.decode()
    table = page[page.index('id="department-figures"'):]
    assert f"<tr><td>{department.name}</td><td>1</td><td>100.0%</td></tr>" in table
