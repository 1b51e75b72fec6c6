"""委托代办 over the API: grant, list, revoke, and submitting as an agent (`on_behalf`)."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.models import AgentAuthorisation
from tests.factories import ClerkFactory, MatterFactory, UserFactory, agent_for, files_for, form_for
from workflow.calendar_store import seed_calendar
from workflow.models import Application


@pytest.fixture
def d(db):
    seed_calendar(years=[2026])
    principal, agent = UserFactory(real_name="李秀兰"), UserFactory(real_name="张伟")
    covered, other = MatterFactory(), MatterFactory()
    return {"principal": principal, "agent": agent, "covered": covered, "other": other,
            "grant": agent_for(principal, [covered], agent=agent)}


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def submit(client, matter, principal, **extra):
    payload = {"matters": matter.code, "form_data": json.dumps(form_for([matter], principal)), **files_for([matter]),
               **extra}
    return client.post("/api/applications/", data=payload, format="multipart")


def test_agent_submits_within_and_is_refused_outside(d):
    client = client_for(d["agent"])
    refused = submit(client, d["other"], d["principal"], on_behalf=d["grant"].pk)
    assert refused.status_code == 403 and refused.json()["code"] == "agent_not_authorised"
    assert not Application.objects.exists()

    response = submit(client, d["covered"], d["principal"], on_behalf=d["grant"].pk)
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert body["agent"]["name"] == "张伟" and body["agent"]["status"] == "valid"
    assert body["agent"]["authorisation"] == d["grant"].pk
    assert "代办人 张伟 代 李秀兰" in body["log"][0]["note"]
    assert Application.objects.get().applicant == d["principal"]

    # someone else's authorisation is not theirs to use
    stranger = submit(client_for(UserFactory()), d["covered"], d["principal"], on_behalf=d["grant"].pk)
    assert stranger.status_code == 404


def test_grant_list_and_revoke(d):
    friend = UserFactory(real_name="王芳")
    client = client_for(d["principal"])
    created = client.post("/api/authorisations/", {
        "agent_name": "王芳", "agent_id_number": friend.id_number, "matters": [d["covered"].code, d["other"].code],
        "starts_on": "2026-11-26", "ends_on": "2027-11-25"}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "valid"
    assert {m["code"] for m in created.json()["matters"]} == {d["covered"].code, d["other"].code}
    listed = client.get("/api/authorisations/").json()["results"]
    assert {r["agent"] for r in listed} == {"张伟", "王芳"}
    assert [r["principal"] for r in client_for(d["agent"]).get("/api/authorisations/").json()["results"]] == ["李秀兰"]

    revoked = client.post(f"/api/authorisations/{created.json()['id']}/revoke/", {"reason": "已办完"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    again = client.post(f"/api/authorisations/{created.json()['id']}/revoke/", {}, format="json")
    assert again.status_code == 409


def test_clerk_looks_up_and_records_at_the_window(d):
    clerk = client_for(ClerkFactory())
    assert clerk.get("/api/authorisations/").json()["results"] == []
    found = clerk.get(f"/api/authorisations/?principal={d['principal'].id_number}&agent={d['agent'].id_number}")
    assert [r["id"] for r in found.json()["results"]] == [d["grant"].pk]
    friend = UserFactory(real_name="王芳")
    body = {"agent_name": "王芳", "agent_id_number": friend.id_number, "matters": [d["covered"].code],
            "starts_on": "2026-11-26", "ends_on": "2027-05-25",
            "principal": {"real_name": "李秀兰", "id_number": d["principal"].id_number}}
    assert clerk.post("/api/authorisations/", body, format="json").json()["code"] == "letter_not_checked"
    created = clerk.post("/api/authorisations/", {**body, "letter_checked": True}, format="json")
    assert created.status_code == 201 and created.json()["recorded_at"] == "window"
    assert AgentAuthorisation.objects.get(pk=created.json()["id"]).principal == d["principal"]


def test_walk_in_api_with_an_agent(d):
    matter = d["covered"]
    body = {"applicant": {"real_name": "李秀兰", "id_number": d["principal"].id_number},
            "agent": {"real_name": "张伟", "id_number": d["agent"].id_number},
            "matters": [matter.code], "form_data": form_for([matter], d["principal"]),
            "received": [r.pk for r in matter.materials.all()], "accept": True}
    response = client_for(ClerkFactory()).post("/api/windows/walk-ins/", body, format="json")
    assert response.status_code == 201 and response.json()["agent"]["name"] == "张伟"
    body["matters"] = [d["other"].code]
    body["form_data"] = form_for([d["other"]], d["principal"])
    refused = client_for(ClerkFactory()).post("/api/windows/walk-ins/", body, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "agent_not_authorised"
