"""The demo district shows who may act for whom: an agent authorised by `citizen`, clerks'
authorisations, a pending staff request and a window-registered person who can claim."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AgentAuthorisation, MembershipRequest, User
from portal.demo.people import WALK_IN
from tests.factories import password_sign_in
from windows.selectors import authorised_matter_ids
from workflow.models import Application

pytestmark = pytest.mark.django_db


def test_demo_people(client):
    call_command("load_demo")
    call_command("load_demo")  # idempotent
    today = timezone.localdate()
    grant = AgentAuthorisation.objects.get()
    assert (grant.principal.username, grant.agent.username) == ("citizen", "agent")
    assert grant.status_on(today) == "valid" and grant.matters.count() == 4
    assert Application.objects.filter(agent=grant.agent, applicant=grant.principal).count() == 1
    assert MembershipRequest.objects.get().state == "pending"
    assert authorised_matter_ids(User.objects.get(username="clerk"), today) is None
    # the first twelve by code and the town hall's common matters (one of them among the twelve)
    assert len(authorised_matter_ids(User.objects.get(username="clerk_taihe"), today)) == 13
    person = User.objects.get(id_number=WALK_IN["id_number"])
    assert not person.has_usable_password() and person.applications.count() == 1

    assert password_sign_in(client, "agent", "Demo#7Kq2m")
    matter = grant.matters.order_by("code").first()
    html = client.get(f"/apply/matter/{matter.code}/").content.decode()
    assert "代 陈志明 申请" in html
