"""The market's pages: the public result page with the draw's seed and list and its re-run; the
guide naming the service; who reaches which page and who is refused; the POST forms' refusals in
Chinese with nothing changed."""

import datetime as dt

import pytest

from market import services
from market.models import Bid, Demand, Intermediary
from tests.factories import PDF_BYTES, ReviewerFactory, UserFactory
from tests.market.conftest import approved_intermediary, member_of

pytestmark = pytest.mark.django_db
D = dt.date


def test_the_public_result_page_shows_seed_list_and_rerun(open_demand, owner, at, client):
    _enterprise, user = owner
    response = client.get(f"/market/demands/{open_demand.number}/")
    assert open_demand.seed_commitment in response.content.decode()
    assert open_demand.seed not in response.content.decode()  # not before the draw
    at(D(2026, 9, 28))
    contract = services.demand_select(user=user, demand=open_demand)
    demand = Demand.objects.get(pk=open_demand.pk)
    page = client.get(f"/market/demands/{demand.number}/").content.decode()
    assert demand.seed in page and all(code in page for code in demand.draw_list) and "SHA-256" in page
    rerun = client.get(
        "/market/draw/check/", {"seed": demand.seed, "codes": "\n".join(demand.draw_list)}
    ).content.decode()
    assert contract.intermediary.credit_code in rerun and demand.draw_digest in rerun


def test_the_guide_names_the_service_with_a_link(planning, client, three):
    matter, item = planning
    page = client.get(f"/guide/matters/{matter.code}/").content.decode()
    assert "所需中介服务" in page and f"/market/items/{item.code}/" in page and "3 家可选机构" in page


def test_anyone_reads_the_public_pages(open_demand, planning, three, client):
    _matter, item = planning
    for url in (
        "/market/",
        "/market/intermediaries/",
        f"/market/items/{item.code}/",
        "/market/demands/",
        f"/market/intermediaries/{three[0][0].pk}/",
        "/market/draw/check/",
        f"/market/demands/{open_demand.number}/",
    ):
        assert client.get(url).status_code == 200, url
    directory = client.get("/market/intermediaries/").content.decode()
    assert all(i.name in directory for i, _s in three) and "100(A)" in directory
    # prices stay hidden until the selection
    assert "4200.00" not in client.get(f"/market/demands/{open_demand.number}/").content.decode()


def test_pages_refuse_who_may_not(open_demand, three, client):
    assert client.get("/market/mine/").status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get("/market/centre/").status_code == 403
    assert client.get("/market/demands/new/").status_code == 403  # no enterprise, no department
    assert client.post(f"/market/demands/{open_demand.number}/select/").status_code == 404
    assert client.get("/market/contracts/ZJ2026999999/").status_code == 404
    client.force_login(UserFactory(role="administrator"))
    assert client.get("/market/centre/").status_code == 200


def test_a_bid_above_the_ceiling_on_the_page(open_demand, planning, client):
    _matter, item = planning
    intermediary, staff = approved_intermediary(item)
    client.force_login(staff)
    page = client.get(f"/market/demands/{open_demand.number}/").content.decode()
    assert 'id="bid"' in page
    response = client.post(
        f"/market/demands/{open_demand.number}/bid/", {"intermediary": intermediary.pk, "price": "5000.01", "days": "5"}
    )
    assert response.status_code == 400 and "超过该项目的最高限价 5000.00 元" in response.content.decode()
    assert not Bid.objects.filter(intermediary=intermediary).exists()
    response = client.post(
        f"/market/demands/{open_demand.number}/bid/", {"intermediary": intermediary.pk, "price": "abc", "days": "5"}
    )
    assert response.status_code == 400 and "请输入金额" in response.content.decode()
    client.post(
        f"/market/demands/{open_demand.number}/bid/", {"intermediary": intermediary.pk, "price": "4999.50", "days": "5"}
    )
    assert Bid.objects.get(intermediary=intermediary).price_fen == 4_999_50


def test_posting_a_demand_on_the_page(planning, owner, calendar_2026, at, client):
    matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    client.force_login(user)
    form = {
        "owner": f"e{enterprise.pk}",
        "title": "厂房测绘",
        "service_item": item.pk,
        "matter_code": matter.code,
        "scope": "地形图测绘",
        "budget_ceiling": "8000",
        "bid_deadline": "2026-09-25",
        "service_days": "10",
        "method": "draw",
    }
    response = client.post("/market/demands/new/", {**form, "bid_deadline": "2026-09-01"})
    assert "报名截止日期不能早于今天" in response.content.decode() and not Demand.objects.exists()
    response = client.post("/market/demands/new/", form)
    demand = Demand.objects.get()
    assert (
        response.status_code == 302 and demand.budget_ceiling_fen == 8_000_00 and demand.owner_enterprise == enterprise
    )
    # the deciding department's own reviewer is refused with the conflict rule
    client.force_login(ReviewerFactory(department=matter.department))
    response = client.post("/market/demands/new/", {**form, "owner": "department"})
    assert "不得为本部门审批的事项委托中介服务" in response.content.decode() and Demand.objects.count() == 1


def test_registration_review_and_delivery_on_pages(planning, owner, open_demand, three, at, client):
    _matter, item = planning
    from tests.factories import EnterpriseFactory

    firm = EnterpriseFactory(name="清远市清新区正诚工程咨询有限公司")
    staff = member_of(firm)
    client.force_login(staff)
    bad = firm.credit_code[:-1] + ("0" if firm.credit_code[-1] != "0" else "1")
    response = client.post(
        "/market/register/",
        {"credit_code": bad, "contact_name": "何工", "contact_phone": "0763-5811111", "address": "太和镇"},
    )
    assert "校验码" in response.content.decode() or "统一社会信用代码" in response.content.decode()
    assert not Intermediary.objects.filter(enterprise=firm).exists()
    client.post(
        "/market/register/",
        {"credit_code": firm.credit_code, "contact_name": "何工", "contact_phone": "0763-5811111", "address": "太和镇"},
    )
    firm_i = Intermediary.objects.get(enterprise=firm)
    client.post(
        f"/market/mine/{firm_i.pk}/qualifications/",
        {
            "service_item": item.pk,
            "name": "测绘资质",
            "level": "丙级",
            "scope": "工程测量",
            "certificate_number": "丙测资字44000001",
            "issuer": "广东省自然资源厅",
            "valid_from": "2025-01-01",
            "valid_until": "2029-12-31",
        },
    )
    assert firm_i.qualifications.count() == 1
    client.force_login(UserFactory(role="administrator"))
    client.post(f"/market/centre/{firm_i.pk}/review/", {"decision": "approve", "note": ""})
    firm_i.refresh_from_db()
    assert firm_i.status == Intermediary.Status.APPROVED
    # the owner draws, the winner delivers on the page
    _enterprise, user = owner
    at(D(2026, 9, 28))
    client.force_login(user)
    client.post(f"/market/demands/{open_demand.number}/select/")
    contract = Demand.objects.get(pk=open_demand.pk).contract
    winner_staff = next(s for i, s in three if i == contract.intermediary)
    client.force_login(winner_staff)
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        f"/market/contracts/{open_demand.number}/deliver/",
        {"report": SimpleUploadedFile("测绘成果报告.pdf", PDF_BYTES, content_type="application/pdf")},
    )
    contract.refresh_from_db()
    assert contract.state == "delivered"
    assert client.get(f"/market/contracts/{open_demand.number}/report/").status_code == 200
    client.force_login(UserFactory())
    assert client.get(f"/market/contracts/{open_demand.number}/report/").status_code == 404


def test_the_api_directory_and_demands(open_demand, planning, three, owner, at):
    from rest_framework.test import APIClient

    api = APIClient()
    listed = api.get("/api/market/intermediaries/").json()["results"]
    assert {row["credit_code"] for row in listed} == {i.credit_code for i, _s in three}
    assert all(row["credit_score"] == 100 for row in listed)
    detail = api.get(f"/api/market/demands/{open_demand.number}/").json()
    assert detail["seed"] is None and detail["seed_commitment"] == open_demand.seed_commitment
    assert [b["price_fen"] for b in detail["bids"]] == [None, None, None]  # hidden while open
    intermediary, staff = approved_intermediary(planning[1])
    assert api.post(f"/api/market/demands/{open_demand.number}/bids/", {}).status_code == 401
    api.force_authenticate(staff)
    refused = api.post(
        f"/api/market/demands/{open_demand.number}/bids/",
        {"intermediary": intermediary.pk, "price_fen": 5_000_01, "days": 5},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["code"] == "above_ceiling"
    made = api.post(
        f"/api/market/demands/{open_demand.number}/bids/",
        {"intermediary": intermediary.pk, "price_fen": 4_000_00, "days": 5},
        format="json",
    )
    assert made.status_code == 201
    at(D(2026, 9, 28))
    services.demand_select(user=owner[1], demand=open_demand)
    api.force_authenticate(None)
    result = api.get(f"/api/market/demands/{open_demand.number}/").json()
    assert result["state"] == "selected" and result["seed"] == open_demand.seed and len(result["draw_list"]) == 4
    assert result["winner"] == result["draw_list"][result["draw_index"]]
    assert api.get("/api/schema/?format=json").status_code == 200


def test_the_demo_market_loads_twice_and_its_draw_reruns(capsys):
    from django.core.management import call_command

    call_command("load_demo")
    counts = (Demand.objects.count(), Intermediary.objects.count(), Bid.objects.count())
    call_command("load_demo")
    assert (Demand.objects.count(), Intermediary.objects.count(), Bid.objects.count()) == counts
    assert set(Demand.objects.values_list("state", flat=True)) == {"open", "selected", "failed"}
    drawn = Demand.objects.exclude(draw_digest="").get()
    call_command("market_draw", drawn.number)
    assert "一致" in capsys.readouterr().out
    from django.test import Client

    client = Client()
    for url in ("/market/", "/market/intermediaries/", "/market/demands/", f"/market/demands/{drawn.number}/"):
        assert client.get(url).status_code == 200
    listed = client.get("/market/intermediaries/").content.decode()
    assert "清远市方圆房产测量有限公司" in listed and "黑名单" in listed
    assert "清远市清新区蓝天环保咨询有限公司" not in listed  # not checked yet
