"""Issue 17: a rating of a decision goes to the department that decided it, a rating of a window
visit to the hall. A bad rating of the 医保局's decision in a case of three departments was sent
for 整改 to the service centre (the accepting hall); now each decided sub-case has its own link,
its follow-up, cards and figures belong to that department, and only that department's people
see it among the follow-ups."""

import datetime as dt

import pytest

from supervision.cards.selectors import cards_for
from supervision.cards.services import sweep_deadlines
from supervision.feedback import ratings
from supervision.feedback import selectors as feedback
from supervision.figures import services as figures
from supervision.models import Card, FollowUp, Occasion, Rating, RatingToken
from tests.factories import (
    ClerkFactory,
    DepartmentFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    concluded_application,
    walk_in_application,
)

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def departments(db):
    return {
        "医保": DepartmentFactory(name="清远市清新区医疗保障局", short_name="区医保局"),
        "人社": DepartmentFactory(name="清远市清新区人力资源和社会保障局", short_name="区人社局"),
        "民政": DepartmentFactory(name="清远市清新区民政局", short_name="区民政局"),
    }


@pytest.fixture
def three(calendar_2026, at, departments):
    """An online case of three departments, accepted by a hall's clerk, concluded Wed 2026-09-09."""
    at(D(2026, 9, 9))
    clerk = ClerkFactory()
    matters = [MatterFactory(department=departments[k], name=f"{k}事项") for k in ("医保", "人社", "民政")]
    return concluded_application(matters=matters, clerk=clerk), clerk


def decision_of(case, department):
    return next(t for t in ratings.rating_tokens_for(case)
                if t.occasion == Occasion.DECISION and t.department_id == department.pk)


def test_each_decided_subcase_is_its_own_occasion_rating_its_department(three, departments):
    case, clerk = three
    links = ratings.rating_tokens_for(case)
    assert [t.occasion for t in links] == [Occasion.DECISION] * 3  # online, not delivered: no window visit
    assert {t.department_id for t in links} == {d.pk for d in departments.values()}
    assert {t.subcase_id for t in links} == set(case.subcases.values_list("pk", flat=True))
    assert all(t.hall_id is None and t.clerk_id is None for t in links)
    assert ratings.rating_tokens_for(case) == links  # the same links again, none made twice
    assert RatingToken.objects.count() == 3
    with pytest.raises(ratings.Invalid):  # which decision? the case has three
        ratings.rating_token_issue(application=case, occasion=Occasion.DECISION)


def test_a_bad_rating_of_the_medical_insurance_decision_goes_to_that_bureau(three, departments, client):
    case, clerk = three
    yb = departments["医保"]
    rating = ratings.rating_submit(token=decision_of(case, yb), level=1, comment="医保报销审核太慢",
                                   reasons=["slow"])
    followup = rating.followup
    assert (rating.department, followup.department, followup.hall) == (yb, yb, None)
    assert followup.responsible == yb.name  # not 政务服务中心 nor the hall

    reviewer = ReviewerFactory(department=yb)
    other = ReviewerFactory(department=departments["人社"])
    supervisor = SupervisorFactory()
    assert ratings.may_handle(reviewer, department_id=followup.department_id, hall_id=followup.hall_id)
    assert not ratings.may_handle(clerk, department_id=followup.department_id, hall_id=followup.hall_id)
    assert not ratings.may_handle(other, department_id=followup.department_id, hall_id=followup.hall_id)
    # who sees it in the lists, for each role: the bureau's reviewers and supervisors only
    for user, sees in [(reviewer, True), (supervisor, True), (other, False), (clerk, False)]:
        assert feedback.followups_for(user).filter(pk=followup.pk).exists() is sees
        assert feedback.ratings_for(user).filter(pk=rating.pk).exists() is sees
        client.force_login(user)
        listing = client.get("/supervision/followups/")
        assert listing.status_code == 200
        assert (case.number in listing.content.decode()) is sees, user.role
    client.force_login(reviewer)
    page = client.get(f"/supervision/followups/{followup.pk}/").content.decode()
    assert yb.name in page and "医保事项" in page and "审批决定" in page

    # the bureau calls back and closes it; the hall's clerk may not
    with pytest.raises(ratings.Forbidden):
        ratings.followup_call_back(followup=followup, user=clerk, method="phone", summary="已回访")
    ratings.followup_call_back(followup=followup, user=reviewer, method="phone", summary="已电话致歉并说明进度")
    ratings.followup_close(followup=followup, user=reviewer, reply="已优化报销审核流程")
    assert FollowUp.objects.get(pk=followup.pk).state == FollowUp.State.CLOSED


def test_the_follow_up_card_and_the_figures_count_it_at_the_bureau(three, departments, at):
    case, clerk = three
    yb, rs = departments["医保"], departments["人社"]
    ratings.rating_submit(token=decision_of(case, yb), level=2)
    ratings.rating_submit(token=decision_of(case, rs), level=5)
    at(D(2026, 10, 12))
    sweep_deadlines(today=D(2026, 10, 12))  # due Wed Sep 30 (15 working days across the holidays): red
    card = Card.objects.get(followup__isnull=False)
    assert (card.department_id, card.hall_id, card.level) == (yb.pk, None, Card.Level.RED)
    assert cards_for(ReviewerFactory(department=yb)).filter(pk=card.pk).exists()
    assert not cards_for(clerk).filter(pk=card.pk).exists()
    assert not cards_for(ReviewerFactory(department=rs)).filter(pk=card.pk).exists()

    period = figures.Period(D(2026, 9, 1), D(2026, 9, 30))
    figures.refresh_rollups(first=period.first, last=period.last, today=D(2026, 10, 12))
    for raw in (True, False):
        shown = figures.dashboard_figures(period=period, group_by="department", raw=raw)
        rows = {row["key"]: row for row in shown["rows"]}
        assert (rows[yb.pk]["rated"], rows[yb.pk]["bad_ratings"]) == (1, 1), raw
        assert (rows[rs.pk]["rated"], rows[rs.pk]["r5"]) == (1, 1), raw
        assert 0 not in rows or not rows[0]["rated"], raw  # nothing at 政务服务中心(窗口)
        online = {row["key"]: row for row in figures.dashboard_figures(
            period=period, group_by="department", channel="online", raw=raw)["rows"]}
        assert online[yb.pk]["rated"] == 1, raw
    evaluation = {row["department_id"]: row for row in figures.department_rows(
        figures.Period(D(2026, 10, 1), D(2026, 10, 31)))}
    assert evaluation[yb.pk]["red_cards"] == 1 and evaluation[rs.pk]["red_cards"] == 0
    assert feedback.rating_distribution(by="department", start=period.first, end=period.last)[0]["key"] in (
        yb.pk, rs.pk)


def test_a_walk_in_rates_the_window_at_the_hall_and_each_decision_at_its_department(calendar_2026, at,
                                                                                      departments):
    from workflow import services

    at(D(2026, 9, 9))
    clerk = ClerkFactory()
    matters = [MatterFactory(department=departments[k]) for k in ("医保", "民政")]
    case = walk_in_application(clerk=clerk, matters=matters)
    assert [t.occasion for t in ratings.rating_tokens_for(case)] == [Occasion.WINDOW_ACCEPT]  # not decided yet
    services.dispatch_subcases(application_id=case.pk)
    medical = case.subcases.get(department=departments["医保"])
    services.subcase_decide(subcase=medical, reviewer=ReviewerFactory(department=departments["医保"]),
                            approve=False, reason="不符合报销条件")
    links = ratings.rating_tokens_for(case)
    assert [(t.occasion, t.department_id, t.hall_id) for t in links] == [
        (Occasion.WINDOW_ACCEPT, None, clerk.seats.get().window.hall_id),
        (Occasion.DECISION, departments["医保"].pk, None)]
    window = ratings.rating_submit(token=links[0], level=2)
    decision = ratings.rating_submit(token=links[1], level=1)
    assert (window.followup.hall_id, window.followup.department_id) == (clerk.seats.get().window.hall_id, None)
    assert (decision.followup.department_id, decision.followup.hall_id) == (departments["医保"].pk, None)
    assert feedback.followups_for(clerk).get() == window.followup
    assert feedback.followups_for(ReviewerFactory(department=departments["医保"])).get() == decision.followup


def test_old_whole_case_links_become_decision_links(three, departments):
    """Migration 0012: a link of a one-department online case becomes its decision's link; an
    unused whole-case link of several departments (naming the hall) is dropped; a used one stays."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("supervision.migrations.0012_rating_per_decision")
    case, clerk = three
    hall = clerk.seats.get().window.hall
    single = concluded_application(matters=[MatterFactory(department=departments["医保"])])
    old = RatingToken.objects.create(token="a" * 43, application=single, occasion=Occasion.ONLINE,
                                     department=departments["医保"], expires_at=single.concluded_at + dt.timedelta(30))
    Rating.objects.create(token=old, application=single, occasion=Occasion.ONLINE, department=departments["医保"],
                          level=4, rated_on=D(2026, 9, 9))
    RatingToken.objects.filter(pk=old.pk).update(used_at=single.concluded_at)
    unused = RatingToken.objects.create(token="b" * 43, application=case, occasion=Occasion.ONLINE, hall=hall,
                                        expires_at=case.concluded_at + dt.timedelta(30))
    migration.rate_decisions(apps, None)
    old.refresh_from_db()
    assert (old.occasion, old.subcase) == (Occasion.DECISION, single.subcases.get())
    assert Rating.objects.get(token=old).occasion == Occasion.DECISION
    assert not RatingToken.objects.filter(pk=unused.pk).exists()
    assert [t.occasion for t in ratings.rating_tokens_for(case)] == [Occasion.DECISION] * 3
    assert ratings.rating_tokens_for(single) == [old]  # rated once, not offered again
