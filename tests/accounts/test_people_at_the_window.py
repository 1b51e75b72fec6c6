"""People and enterprises a window finds by ID number or credit code (accounts.selectors), the
same for the walk-in screen's look-up, 委托代办 recorded on the page and through the API: only
registered members of the public are found, a name must match its number, and the registration
page lists only the clerk's own records."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import selectors
from accounts.models import User
from core.errors import Invalid
from tests.factories import ClerkFactory, EnterpriseFactory, MatterFactory, UserFactory, agent_for, valid_id_number
from workflow.calendar_store import seed_calendar


@pytest.fixture
def clerk(db, client):
    seed_calendar(years=[timezone.localdate().year])
    clerk = ClerkFactory()
    client.force_login(clerk)
    return clerk


def test_only_members_of_the_public_are_found_by_id_number(clerk, client):
    person = UserFactory(real_name="陈志明")
    staff = UserFactory(role=User.Role.CLERK, real_name="黄晓东", id_number=valid_id_number())
    assert selectors.person_by_id_number(person.id_number.lower()) == person
    assert selectors.person_by_id_number(staff.id_number) is None
    assert selectors.person_by_id_number("") is None
    assert client.get("/hall/walk-in/lookup/", {"id_number": person.id_number}).json()["found"]
    data = client.get("/hall/walk-in/lookup/", {"id_number": staff.id_number}).json()
    assert data["valid"] and not data["found"] and "黄" not in str(data)


def test_an_enterprise_is_found_by_its_credit_code_or_said_not_found(clerk, client):
    enterprise = EnterpriseFactory(name="清远市清新区禾云山茶业有限公司")
    assert selectors.enterprise_found(enterprise.credit_code.lower()) == enterprise
    assert selectors.enterprise_found("") is None
    with pytest.raises(Invalid):
        selectors.enterprise_by_credit_code("91441803MA4UJ8XXXX")
    data = client.get("/hall/walk-in/lookup/", {"credit_code": enterprise.credit_code}).json()
    assert data["found"] and "禾云山茶业" in data["message"]


def test_a_principal_is_named_by_name_and_number_on_the_page_and_the_api_alike(clerk, client):
    principal, agent = UserFactory(real_name="李秀兰"), UserFactory(real_name="王芳")
    staff = UserFactory(role=User.Role.CLERK, real_name="李秀兰", id_number=valid_id_number())
    matter = MatterFactory()
    starts, ends = timezone.localdate().isoformat(), (timezone.localdate() + dt.timedelta(days=180)).isoformat()
    page = {
        "principal_real_name": "李秀兰",
        "agent_name": "王芳",
        "agent_id_number": agent.id_number,
        "matters": [matter.pk],
        "starts_on": starts,
        "ends_on": ends,
        "letter_checked": "1",
    }
    api = APIClient()
    api.force_authenticate(clerk)
    body = {
        "agent_name": "王芳",
        "agent_id_number": agent.id_number,
        "matters": [matter.code],
        "starts_on": starts,
        "ends_on": ends,
        "letter_checked": True,
    }
    for id_number, name in ((staff.id_number, "李秀兰"), (principal.id_number, "李秀英")):
        refused = client.post("/hall/agents/", {**page, "principal_id_number": id_number, "principal_real_name": name})
        assert refused.status_code == 400 and "未找到该委托人" in refused.content.decode()
        answer = api.post(
            "/api/authorisations/", {**body, "principal": {"real_name": name, "id_number": id_number}}, format="json"
        )
        assert answer.status_code == 400 and answer.json()["code"] == "principal_not_found"
    assert client.post("/hall/agents/", {**page, "principal_id_number": principal.id_number}).status_code == 302


def test_the_registration_page_lists_the_clerks_own_records_only(clerk, client):
    mine_principal, other_principal = UserFactory(real_name="李秀兰"), UserFactory(real_name="何嘉怡")
    mine = agent_for(mine_principal, [MatterFactory()], agent=UserFactory(real_name="王芳"))
    mine.recorded_by = clerk
    mine.save(update_fields=["recorded_by"])
    agent_for(other_principal, [MatterFactory()], agent=UserFactory(real_name="赵丽娟"))  # recorded online by her
    assert list(selectors.authorisations_recorded_by(clerk)) == [mine]
    page = client.get("/hall/agents/").content.decode()
    assert "王芳" in page and "赵丽娟" not in page
