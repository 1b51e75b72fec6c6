"""委托代办: an agent applies for a principal within the authorisation (matters, period, not
revoked) and is refused outside it; every log row the agent causes says on whose behalf."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services as accounts_services
from accounts.models import AgentAuthorisation, EnterpriseMembership
from core.errors import Conflict, Forbidden, Invalid
from tests.factories import (
    ClerkFactory,
    EnterpriseFactory,
    MatterFactory,
    UserFactory,
    agent_for,
    files_for,
    form_for,
    submitted_application,
)
from windows.services import WalkIn, walk_in_accept
from workflow import selectors, services
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Channel


@pytest.fixture
def district(db):
    seed_calendar(years=[2026])
    principal = UserFactory(real_name="李秀兰")
    agent = UserFactory(real_name="张伟")
    covered, other = MatterFactory(), MatterFactory()
    return {"principal": principal, "agent": agent, "covered": covered, "other": other}


def today():
    return timezone.localdate()


def apply_as_agent(d, matters, *, principal=None, enterprise=None, **kwargs):
    principal = principal or d["principal"]
    return submitted_application(applicant=principal, matters=matters, agent=d["agent"], enterprise=enterprise,
                                 **kwargs)


def test_agent_applies_within_the_authorisation_and_the_log_says_on_whose_behalf(district):
    d = district
    grant = agent_for(d["principal"], [d["covered"]], agent=d["agent"])
    application = apply_as_agent(d, [d["covered"]])

    assert application.applicant == d["principal"] and application.agent == d["agent"]
    assert application.created_by == d["agent"] and application.agent_authorisation == grant
    row = application.log.get(action="workflow.application.submitted")
    assert row.actor == d["agent"]
    assert "代办人 张伟 代 李秀兰" in row.note
    assert row.data == {"agent": d["agent"].pk, "on_behalf_of": d["principal"].pk, "authorisation": grant.pk}
    # both see it; the agent through the authorisation
    assert selectors.applications_for(d["agent"]).filter(pk=application.pk).exists()
    assert selectors.applications_for(d["principal"]).filter(pk=application.pk).exists()


@pytest.mark.parametrize("case", ["other_matter", "one_of_two", "expired", "revoked", "not_started", "other_principal",
                                  "no_authorisation"])
def test_agent_is_refused_outside_the_authorisation(district, case):
    d = district
    kwargs = {}
    if case == "expired":
        kwargs = {"starts_on": today() - dt.timedelta(days=30), "ends_on": today() - dt.timedelta(days=1)}
    elif case == "not_started":
        kwargs = {"starts_on": today() + dt.timedelta(days=1), "ends_on": today() + dt.timedelta(days=30)}
    else:
        kwargs = {"starts_on": today() - dt.timedelta(days=1), "ends_on": today() + dt.timedelta(days=30)}
    if case != "no_authorisation":
        grant = agent_for(d["principal"], [d["covered"]], agent=d["agent"], **kwargs)
        if case == "revoked":
            accounts_services.authorisation_revoke(authorisation=grant, by=d["principal"], reason="已自行办理")
    matters = {"other_matter": [d["other"]], "one_of_two": [d["covered"], d["other"]]}.get(case, [d["covered"]])
    principal = UserFactory() if case == "other_principal" else None

    with pytest.raises(Forbidden) as refused:
        apply_as_agent(d, matters, principal=principal)
    assert refused.value.code == "agent_not_authorised"
    assert "没有" in refused.value.message and "有效委托" in refused.value.message
    assert not Application.objects.exists()


def test_the_agent_supplements_and_withdraws_on_behalf_while_the_authorisation_lasts(district):
    d = district
    grant = agent_for(d["principal"], [d["covered"]], agent=d["agent"])
    clerk = ClerkFactory()
    application = apply_as_agent(d, [d["covered"]])
    services.application_request_supplement(application=application, clerk=clerk,
                                            items=[{"material": "申请表", "reason": "未签字"}])
    services.application_resubmit(application=application, applicant=d["agent"], files=files_for([d["covered"]]))
    row = application.log.get(action="workflow.application.supplemented")
    assert "代办人 张伟 代 李秀兰" in row.note and row.data["agent"] == d["agent"].pk

    accounts_services.authorisation_revoke(authorisation=grant, by=d["principal"], reason="改由本人办理")
    assert not selectors.applications_for(d["agent"]).filter(pk=application.pk).exists()
    with pytest.raises(Forbidden):
        services.application_withdraw(application=application, applicant=d["agent"])
    # the principal still may
    services.application_withdraw(application=application, applicant=d["principal"], reason="不办了")
    assert Application.objects.get(pk=application.pk).state == Application.State.WITHDRAWN


def test_agent_withdraws_and_the_log_says_so(district):
    d = district
    agent_for(d["principal"], [d["covered"]], agent=d["agent"])
    application = apply_as_agent(d, [d["covered"]])
    services.application_withdraw(application=application, applicant=d["agent"], reason="委托人不再办理")
    row = application.log.get(action="workflow.application.withdrawn")
    assert row.note.startswith("代办人 张伟 代 李秀兰") and row.data["on_behalf_of"] == d["principal"].pk


def test_an_enterprise_authorises_an_agent_through_its_legal_representative(district):
    d = district
    legal = MatterFactory(target="legal")
    boss = UserFactory(real_name="陈志强")
    enterprise = EnterpriseFactory()
    EnterpriseMembership.objects.create(enterprise=enterprise, user=boss, title="法定代表人", may_authorise=True)
    clerkish = UserFactory()
    EnterpriseMembership.objects.create(enterprise=enterprise, user=clerkish)  # staff, not entitled

    with pytest.raises(Forbidden):
        accounts_services.authorisation_grant(by=clerkish, enterprise=enterprise, agent_name=d["agent"].real_name,
                                              agent_id_number=d["agent"].id_number, matters=[legal],
                                              starts_on=today(), ends_on=today() + dt.timedelta(days=90))
    grant = accounts_services.authorisation_grant(
        by=boss, enterprise=enterprise, agent_name=d["agent"].real_name, agent_id_number=d["agent"].id_number,
        matters=[legal], starts_on=today(), ends_on=today() + dt.timedelta(days=90))
    assert grant.principal == boss and grant.recorded_at == AgentAuthorisation.RecordedAt.ONLINE

    application = apply_as_agent(d, [legal], principal=boss, enterprise=enterprise)
    assert application.enterprise == enterprise and application.agent == d["agent"]
    assert "代办人 张伟 代 " + enterprise.name in application.log.get().note
    # the same authorisation does not let the agent act for the person, nor for another enterprise
    with pytest.raises(Forbidden):
        apply_as_agent(d, [legal], principal=boss, enterprise=EnterpriseFactory(staff=[boss]))


def test_grant_checks_the_agent_the_matters_and_the_period(district):
    d = district
    good = {"agent_name": d["agent"].real_name, "agent_id_number": d["agent"].id_number, "matters": [d["covered"]],
            "starts_on": today(), "ends_on": today() + dt.timedelta(days=30)}
    bad = [
        ({"agent_name": "王五"}, "agent_id_number"),
        ({"agent_id_number": d["principal"].id_number, "agent_name": d["principal"].real_name}, "agent_id_number"),
        ({"matters": []}, "matters"),
        ({"matters": [MatterFactory(target="legal")]}, "matters"),
        ({"ends_on": today() - dt.timedelta(days=1), "starts_on": today() - dt.timedelta(days=5)}, "ends_on"),
        ({"ends_on": today() - dt.timedelta(days=1)}, "ends_on"),
        ({"ends_on": today() + dt.timedelta(days=4000)}, "ends_on"),
    ]
    for change, field in bad:
        with pytest.raises(Invalid) as refused:
            accounts_services.authorisation_grant(by=d["principal"], **{**good, **change})
        assert field in refused.value.fields, change
    assert not AgentAuthorisation.objects.exists()
    grant = accounts_services.authorisation_grant(by=d["principal"], **good)
    assert list(grant.matters.all()) == [d["covered"]] and grant.status_on(today()) == "valid"


def test_window_records_an_authorisation_only_with_the_letter_seen(district):
    d = district
    clerk = ClerkFactory()
    args = {"agent_name": d["agent"].real_name, "agent_id_number": d["agent"].id_number, "matters": [d["covered"]],
            "starts_on": today(), "ends_on": today() + dt.timedelta(days=30), "principal": d["principal"]}
    with pytest.raises(Invalid) as refused:
        accounts_services.authorisation_grant(by=clerk, **args)
    assert refused.value.code == "letter_not_checked"
    grant = accounts_services.authorisation_grant(by=clerk, letter_checked=True, **args)
    assert grant.recorded_at == AgentAuthorisation.RecordedAt.WINDOW and grant.recorded_by == clerk
    # a reviewer or supervisor records nothing
    with pytest.raises(Forbidden):
        accounts_services.authorisation_grant(by=UserFactory(role="supervisor"), **args)


def test_who_may_revoke(district):
    d = district
    grant = agent_for(d["principal"], [d["covered"]], agent=d["agent"])
    with pytest.raises(Forbidden):
        accounts_services.authorisation_revoke(authorisation=grant, by=UserFactory())
    accounts_services.authorisation_revoke(authorisation=grant, by=d["agent"], reason="不再代办")
    grant.refresh_from_db()
    assert grant.revoked_by == d["agent"] and grant.status_on(today()) == "revoked"
    with pytest.raises(Conflict):
        accounts_services.authorisation_revoke(authorisation=grant, by=d["principal"])


def test_walk_in_with_an_agent_is_checked_the_same_way(district):
    d = district
    clerk = ClerkFactory()
    matter = d["covered"]
    person = {"real_name": d["principal"].real_name, "id_number": d["principal"].id_number, "phone": ""}
    agent = {"real_name": d["agent"].real_name, "id_number": d["agent"].id_number, "phone": ""}
    walk_in = WalkIn(applicant=person, matters=[matter], form_data=form_for([matter], d["principal"]),
                     received=tuple(r.pk for r in matter.materials.all()), agent=agent)
    with pytest.raises(Forbidden) as refused:
        walk_in_accept(clerk=clerk, walk_in=walk_in)
    assert refused.value.code == "agent_not_authorised"
    agent_for(d["principal"], [matter], agent=d["agent"])
    application = walk_in_accept(clerk=clerk, walk_in=walk_in)
    assert application.channel == Channel.WINDOW and application.agent == d["agent"]
    assert application.state == Application.State.ACCEPTED
    row = application.log.get(action="workflow.application.submitted")
    assert row.actor == clerk and "代办人 张伟 代 李秀兰" in row.note
