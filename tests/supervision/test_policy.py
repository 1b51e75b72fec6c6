"""The card rules are versioned data: a draft is previewed against the policy in force, then
published with an effective date, from which the sweep follows it."""

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, Invalid
from matters.models import Matter
from supervision.cards import services
from supervision.models import Card, CardPolicy, CardThreshold
from tests.factories import MatterFactory, SupervisorFactory, UserFactory, accepted_application
from tests.supervision.conftest import open_cards

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_default_policy_is_seeded_with_todays_rules(db):
    policy = CardPolicy.objects.get(version=1)
    assert policy.status == "published" and policy.effective_from <= D(2026, 1, 1)
    assert policy.thresholds.count() == 3 * len(Matter.Kind.values)
    assert set(policy.thresholds.values_list("yellow_percent", "yellow_days")) == {(20, 2)}
    assert services.policy_in_force(D(2026, 10, 20)) == policy


@pytest.fixture
def two_kinds(calendar_2026, at):
    """Two 20-working-day sub-cases accepted on 2026-09-29 (due Nov 2): a licence and a confirmation."""
    at(D(2026, 9, 29))
    licence = accepted_application(matters=[MatterFactory(promised_days=20, kind="licensing")]).subcases.get()
    confirmation = accepted_application(matters=[MatterFactory(promised_days=20, kind="confirmation")]).subcases.get()
    assert licence.deadline == confirmation.deadline == D(2026, 11, 2)
    return licence, confirmation


@pytest.fixture
def admin(db):
    return UserFactory(role="administrator")


def test_a_draft_is_previewed_then_takes_effect_on_its_date(two_kinds, admin, at):
    licence, confirmation = two_kinds
    at(D(2026, 10, 20))
    services.sweep_deadlines()  # 9 working days left (Oct 21-23, 26-30, Nov 2); the yellow line is 4
    assert open_cards() == []

    draft = services.policy_create_draft(user=admin, title="许可事项提前预警")
    assert draft.version == 2 and draft.is_draft
    services.policy_update_draft(policy=draft, user=admin, thresholds={("decision", "licensing"): (50, 2)})

    preview = services.preview_policy(policy=draft)
    decision_yellow = next(r for r in preview["rules"] if (r["trigger"], r["level"]) == ("decision", "yellow"))
    assert (decision_yellow["count"], decision_yellow["count_now"]) == (1, 0)
    assert (decision_yellow["added"], decision_yellow["dropped"]) == (1, 0)
    [row] = decision_yellow["sample"]
    assert row["subcase"] == licence and row["due"] == D(2026, 11, 2)
    assert (row["remaining_days"], row["warn_days"], row["limit_days"]) == (9, 10, 20)
    assert preview["totals"] == {"red": 0, "yellow": 1} and preview["totals_now"] == {"red": 0, "yellow": 0}
    assert preview["current"].version == 1

    services.sweep_deadlines()  # a draft changes nothing
    assert open_cards() == []

    services.policy_publish(policy=draft, user=admin, effective_from=D(2026, 10, 21))
    services.sweep_deadlines()  # still Oct 20: version 1 is in force
    assert open_cards() == []
    services.sweep_deadlines(today=D(2026, 10, 21))
    assert open_cards() == [("decision", "yellow")]
    card = Card.objects.get(closed_at__isnull=True)
    assert card.subcase == licence and card.policy == draft
    assert (card.warn_days, card.remaining_days) == (10, 8)
    assert "黄牌线 10 个工作日" in card.reason
    # The confirmation follows its own row (20 %): yellow only from Oct 27, four working days left.
    services.sweep_deadlines(today=D(2026, 10, 27))
    assert Card.objects.get(subcase=confirmation, closed_at__isnull=True).policy == draft


def test_a_stricter_draft_previews_the_cards_it_would_drop(two_kinds, admin, at):
    at(D(2026, 10, 27))
    services.sweep_deadlines()
    assert open_cards() == [("decision", "yellow"), ("decision", "yellow")]
    draft = services.policy_create_draft(user=admin)
    services.policy_update_draft(policy=draft, user=admin, thresholds={
        (step, kind): (0, 1) for step in ("decision", "pre_review", "delivery") for kind in Matter.Kind.values
    })
    preview = services.preview_policy(policy=draft)
    decision_yellow = next(r for r in preview["rules"] if (r["trigger"], r["level"]) == ("decision", "yellow"))
    assert (decision_yellow["count"], decision_yellow["count_now"], decision_yellow["dropped"]) == (0, 2, 2)
    services.policy_publish(policy=draft, user=admin, effective_from=D(2026, 10, 28))
    services.sweep_deadlines(today=D(2026, 10, 28))  # three left, the new line is one: the cards close
    assert open_cards() == []


def test_who_may_change_the_rules(two_kinds, admin, at):
    at(D(2026, 10, 20))
    supervisor = SupervisorFactory()
    with pytest.raises(Forbidden):
        services.policy_create_draft(user=supervisor)
    draft = services.policy_create_draft(user=admin)
    with pytest.raises(Forbidden):
        services.policy_update_draft(policy=draft, user=supervisor, thresholds={("decision", "licensing"): (50, 2)})
    with pytest.raises(Forbidden):
        services.policy_publish(policy=draft, user=supervisor, effective_from=D(2026, 10, 21))
    with pytest.raises(Invalid):
        services.policy_update_draft(policy=draft, user=admin, thresholds={("decision", "licensing"): (150, 2)})
    with pytest.raises(Invalid):
        services.policy_publish(policy=draft, user=admin, effective_from=D(2026, 10, 19))  # in the past
    CardThreshold.objects.filter(policy=draft, step="delivery", matter_kind="levy").delete()
    with pytest.raises(Invalid):
        services.policy_publish(policy=draft, user=admin, effective_from=D(2026, 10, 21))  # incomplete
    services.policy_update_draft(policy=draft, user=admin, thresholds={("delivery", "levy"): (20, 2)})
    services.policy_publish(policy=draft, user=admin, effective_from=D(2026, 10, 20))
    with pytest.raises(Conflict):
        services.policy_update_draft(policy=draft, user=admin, thresholds={("decision", "licensing"): (50, 2)})
    with pytest.raises(Conflict):
        services.policy_publish(policy=draft, user=admin, effective_from=D(2026, 10, 22))
    assert services.policy_in_force(D(2026, 10, 20)) == draft
    assert services.policy_in_force(D(2026, 10, 19)).version == 1


def test_the_rules_pages(client, two_kinds, admin, at):
    at(D(2026, 10, 20))
    client.force_login(admin)
    response = client.post("/supervision/policies/")
    draft = CardPolicy.objects.get(version=2)
    assert response.status_code == 302 and response["Location"] == f"/supervision/policies/{draft.pk}/"
    form = {f"{p}_{step}_{kind}": value for step in ("decision", "pre_review", "delivery") for kind in Matter.Kind.values
            for p, value in (("pct", "20"), ("days", "2"))}
    form.update({"action": "save", "title": "许可事项提前预警", "refusal_reason_min_chars": "6", "pct_decision_licensing": "50"})
    assert client.post(f"/supervision/policies/{draft.pk}/", form).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.refusal_reason_min_chars) == ("许可事项提前预警", 6)
    assert draft.thresholds.get(step="decision", matter_kind="licensing").yellow_percent == 50

    bad = client.post(f"/supervision/policies/{draft.pk}/", {**form, "days_delivery_levy": "x"})
    assert bad.status_code == 400 and "工作日为0至60之间的整数" in bad.content.decode()

    supervisor = SupervisorFactory()
    client.force_login(supervisor)
    page = client.get(f"/supervision/policies/{draft.pk}/").content.decode()
    assert licence_number(two_kinds) in page  # the preview's sample
    refused = client.post(f"/supervision/policies/{draft.pk}/", {"action": "publish", "effective_from": "2026-10-21"})
    assert refused.status_code == 403
    client.force_login(admin)
    published = client.post(f"/supervision/policies/{draft.pk}/", {"action": "publish", "effective_from": "2026-10-21"})
    assert published.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published" and draft.effective_from == D(2026, 10, 21)
    listing = client.get("/supervision/policies/").content.decode()
    assert "许可事项提前预警" in listing


def licence_number(two_kinds):
    return two_kinds[0].number


def test_the_admin_shows_rules_and_cards_and_freezes_published_versions(client, two_kinds, at):
    at(D(2026, 10, 20))
    services.sweep_deadlines(today=D(2026, 11, 3))
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    draft = services.policy_create_draft(user=superuser)
    published = CardPolicy.objects.get(version=1)
    card = Card.objects.first()
    for url in ("/admin/supervision/cardpolicy/", f"/admin/supervision/cardpolicy/{draft.pk}/change/",
                f"/admin/supervision/cardpolicy/{published.pk}/change/", "/admin/supervision/card/",
                f"/admin/supervision/card/{card.pk}/change/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/supervision/cardpolicy/add/").status_code == 403
    page = client.get(f"/admin/supervision/cardpolicy/{published.pk}/change/").content.decode()
    assert 'name="title"' not in page  # read-only
    assert 'name="title"' in client.get(f"/admin/supervision/cardpolicy/{draft.pk}/change/").content.decode()
