"""委托代办 on the pages: the apply form offers only principals whose authorisation covers the
matters today, the service re-checks a forged choice, the clerk sees the authorisation."""

import datetime as dt

import pytest

from accounts.models import AgentAuthorisation
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    UserFactory,
    agent_for,
    form_for,
    pdf_upload,
)
from workflow.calendar_store import seed_calendar
from workflow.models import Application


@pytest.fixture
def d(db):
    seed_calendar(years=[2026])
    principal = UserFactory(real_name="李秀兰")
    agent = UserFactory(real_name="张伟")
    covered, other = MatterFactory(name="城乡居民养老保险参保登记"), MatterFactory(name="再生育审批")
    grant = agent_for(principal, [covered], agent=agent)
    return {"principal": principal, "agent": agent, "covered": covered, "other": other, "grant": grant}


def apply_post(matter, person, **extra):
    body = {f"field_{k}": v for k, v in form_for([matter], person).items()}
    body.update({f"material_{r.pk}": pdf_upload() for r in matter.materials.all() if r.must_be_brought})
    body.update(extra)
    return body


def test_agent_applies_for_the_principal_from_the_apply_form(client, d):
    client.force_login(d["agent"])
    page = client.get(f"/apply/matter/{d['covered'].code}/").content.decode()
    assert "代为申请" in page and "代 李秀兰 申请" in page
    chosen = client.get(f"/apply/matter/{d['covered'].code}/?for={d['grant'].pk}").content.decode()
    assert "代办人 张伟 代为申请" in chosen and d["principal"].masked_id_number in chosen

    response = client.post(f"/apply/matter/{d['covered'].code}/?for={d['grant'].pk}",
                           apply_post(d["covered"], d["principal"], on_behalf=d["grant"].pk))

    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.number}/"
    assert application.applicant == d["principal"] and application.agent == d["agent"]
    detail = client.get(response["Location"]).content.decode()
    assert "委托代办" in detail and "代办人 张伟 代 李秀兰" in detail
    # the principal sees it among their applications
    client.force_login(d["principal"])
    assert application.number in client.get("/applications/").content.decode()


def test_a_matter_outside_the_authorisation_is_not_offered_and_a_forged_choice_is_refused(client, d):
    client.force_login(d["agent"])
    page = client.get(f"/apply/matter/{d['other'].code}/").content.decode()
    assert "代 李秀兰 申请" not in page
    assert "您持有的委托不包含本次申请的全部事项,不能代为申请" in page and "城乡居民养老保险参保登记" in page

    response = client.post(f"/apply/matter/{d['other'].code}/",
                           apply_post(d["other"], d["principal"], on_behalf=d["grant"].pk))
    assert response.status_code == 403
    assert "张伟 没有 李秀兰 对所选事项的有效委托" in response.content.decode()
    assert not Application.objects.exists()
    # someone else's authorisation id changes nothing either: it is not the user's
    client.force_login(UserFactory())
    response = client.post(f"/apply/matter/{d['covered'].code}/",
                           apply_post(d["covered"], d["principal"], on_behalf=d["grant"].pk))
    assert response.status_code == 302
    assert Application.objects.get().applicant != d["principal"]  # applied for themselves


def test_the_clerk_sees_the_agent_and_the_authorisation(client, d):
    from tests.factories import files_for
    from workflow.services import Submission, application_submit

    application = application_submit(submission=Submission(
        applicant=d["principal"], matters=[d["covered"]], agent=d["agent"],
        form_data=form_for([d["covered"]], d["principal"]), files=files_for([d["covered"]])))
    client.force_login(ClerkFactory())
    html = client.get(f"/applications/{application.number}/").content.decode()
    section = html.split('id="agency"', 1)[1].split("</section>", 1)[0]
    assert "张伟" in section and "李秀兰" in section and "城乡居民养老保险参保登记" in section
    assert "2026-01-01" in section and "2026-12-31" in section and "有效" in section


def test_agents_page_grants_lists_and_revokes(client, d):
    client.force_login(d["principal"])
    friend = UserFactory(real_name="王芳")
    response = client.post("/me/agents/", {
        "agent_name": "王芳", "agent_id_number": friend.id_number, "enterprise": "",
        "matters": [d["covered"].pk, d["other"].pk], "starts_on": "2026-11-01", "ends_on": "2027-10-31"})
    assert response.status_code == 302
    grant = AgentAuthorisation.objects.get(agent=friend)
    assert set(grant.matters.all()) == {d["covered"], d["other"]}
    page = client.get("/me/agents/").content.decode()
    assert "王芳" in page and "再生育审批" in page and "撤销委托" in page

    bad = client.post("/me/agents/", {"agent_name": "王五", "agent_id_number": friend.id_number, "enterprise": "",
                                      "matters": [d["covered"].pk], "starts_on": "2026-11-01", "ends_on": "2027-10-31"})
    assert bad.status_code == 400 and "未找到该实名用户" in bad.content.decode()

    client.post(f"/me/agents/{grant.pk}/revoke/", {"reason": "已办完"})
    grant.refresh_from_db()
    assert grant.revoked_by == d["principal"] and grant.revoke_reason == "已办完"
    # the agent's side
    client.force_login(d["agent"])
    page = client.get("/me/agents/").content.decode()
    assert "我可代办的事项" in page and "李秀兰" in page


def test_walk_in_screen_checks_the_agency(client, d):
    clerk = ClerkFactory()
    client.force_login(clerk)
    matter = d["covered"]
    body = {"applicant_real_name": "李秀兰", "applicant_id_number": d["principal"].id_number,
            "agent_real_name": "张伟", "agent_id_number": d["agent"].id_number,
            **{f"field_{k}": v for k, v in form_for([matter], d["principal"]).items()},
            "received": [r.pk for r in matter.materials.all()], "accept_now": "1"}
    checked = client.post(f"/hall/walk-in/?matter={matter.code}", {**body, "check_agency": "1"})
    assert checked.status_code == 200 and not Application.objects.exists()
    assert "城乡居民养老保险参保登记" in checked.content.decode().split('id="agent"', 1)[1]

    refused = client.post(f"/hall/walk-in/?matter={d['other'].code}", {
        **body, **{f"field_{k}": v for k, v in form_for([d["other"]], d["principal"]).items()},
        "received": [r.pk for r in d["other"].materials.all()]})
    assert refused.status_code == 403 and "没有 李秀兰 对所选事项的有效委托" in refused.content.decode()
    assert not Application.objects.exists()

    done = client.post(f"/hall/walk-in/?matter={matter.code}", body)
    application = Application.objects.get()
    assert done.status_code == 302 and application.agent == d["agent"] and application.state == "accepted"


def test_after_revocation_the_agent_loses_the_application(client, d):
    from accounts.services import authorisation_revoke
    from tests.factories import submitted_application

    application = submitted_application(applicant=d["principal"], matters=[d["covered"]], agent=d["agent"])
    client.force_login(d["agent"])
    assert client.get(f"/applications/{application.number}/").status_code == 200
    authorisation_revoke(authorisation=d["grant"], by=d["principal"], reason="")
    assert client.get(f"/applications/{application.number}/").status_code == 404
    expired = agent_for(d["principal"], [d["covered"]], agent=UserFactory(), starts_on=dt.date(2026, 1, 1),
                        ends_on=dt.date(2026, 1, 31))
    assert expired.status_on(dt.date(2026, 11, 26)) == "expired"


def test_clerk_records_an_authorisation_brought_to_the_window(client, d):
    client.force_login(ClerkFactory())
    body = {"principal_real_name": "李秀兰", "principal_id_number": d["principal"].id_number,
            "agent_name": "王芳", "agent_id_number": UserFactory(real_name="王芳").id_number,
            "matters": [d["other"].pk], "starts_on": "2026-11-26", "ends_on": "2027-05-25"}
    unchecked = client.post("/hall/agents/", body)
    assert unchecked.status_code == 400 and "须核验委托人签署的授权委托书" in unchecked.content.decode()
    wrong = client.post("/hall/agents/", {**body, "principal_real_name": "李秀英", "letter_checked": "1"})
    assert wrong.status_code == 400 and "未找到该委托人" in wrong.content.decode()
    assert client.post("/hall/agents/", {**body, "letter_checked": "1"}).status_code == 302
    grant = AgentAuthorisation.objects.get(agent__real_name="王芳")
    assert grant.recorded_at == "window" and list(grant.matters.all()) == [d["other"]]
    assert "王芳" in client.get("/hall/agents/").content.decode()


def test_an_enterprise_agent_applies_in_the_enterprises_name(client, d):
    from accounts.models import EnterpriseMembership
    from tests.factories import EnterpriseFactory

    legal = MatterFactory(target="legal", name="食品经营许可")
    boss = UserFactory(real_name="黄伟强")
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司")
    EnterpriseMembership.objects.create(enterprise=enterprise, user=boss, title="法定代表人", may_authorise=True)
    client.force_login(boss)
    response = client.post("/me/agents/", {
        "agent_name": "张伟", "agent_id_number": d["agent"].id_number, "enterprise": enterprise.pk,
        "matters": [legal.pk], "starts_on": "2026-11-01", "ends_on": "2027-10-31"})
    assert response.status_code == 302
    grant = AgentAuthorisation.objects.get(enterprise=enterprise)

    client.force_login(d["agent"])
    page = client.get(f"/apply/matter/{legal.code}/").content.decode()
    assert "代 清远市清新区禾云山茶业有限公司 申请" in page
    response = client.post(f"/apply/matter/{legal.code}/?for={grant.pk}",
                           apply_post(legal, boss, on_behalf=grant.pk))
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.applicant, application.enterprise, application.agent) == (boss, enterprise, d["agent"])
    listing = client.get("/applications/").content.decode()
    assert application.number in listing and "我代办" in listing
