"""Issue 16, the market's loose ends: the centre lifts a blacklist early (reason, log, selectable
again); a bidder edits or withdraws its bid before the deadline (only its own; refused after it);
the owner cancels a demand before the award (reason; bidders told); notices through
notifications.services to bidders (cancelled, award result) and owners (new bid, late, delivered).
Each action per role (who is refused) and per state."""

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, Invalid
from market import services
from market.models import Bid, Blacklisting, Contract, Demand, Intermediary, MarketLog
from notifications.models import Kind, Message
from tests.factories import PDF_BYTES, ReviewerFactory, UserFactory
from tests.market.conftest import approved_intermediary, post_demand

pytestmark = pytest.mark.django_db
D = dt.date


def market_messages(user):
    return list(Message.objects.filter(recipient=user, kind=Kind.MARKET).order_by("pk").values_list("title", flat=True))


# --- the blacklist lifted early --------------------------------------------------------------------


@pytest.fixture
def blacklisted(calendar_2026, at, planning):
    _matter, item = planning
    firm, staff = approved_intermediary(item, name="清远市方圆测绘有限公司")
    admin = UserFactory(role="administrator")
    at(D(2026, 9, 21))
    entry = services.blacklist(user=admin, intermediary=firm, reason="出具虚假测绘报告", starts_on=D(2026, 9, 1),
                               ends_on=D(2027, 8, 31))
    return entry, firm, item, admin


def test_the_centre_lifts_a_blacklist_early(blacklisted, at):
    entry, firm, item, admin = blacklisted
    assert firm not in Intermediary.objects.selectable(service_item=item, day=D(2026, 9, 21))
    for who in (ReviewerFactory(), UserFactory()):  # only the centre
        with pytest.raises(Forbidden):
            services.blacklist_lift(user=who, entry=entry, reason="复议撤销")
    with pytest.raises(Invalid, match="须说明原因"):
        services.blacklist_lift(user=admin, entry=entry, reason="  ")
    assert Blacklisting.objects.get(pk=entry.pk).lifted_at is None  # nothing changed
    services.blacklist_lift(user=admin, entry=entry, reason="行政复议撤销原处理决定")
    lifted = Blacklisting.objects.get(pk=entry.pk)
    assert lifted.lifted_by == admin and lifted.lift_reason == "行政复议撤销原处理决定"
    assert firm in Intermediary.objects.selectable(service_item=item, day=D(2026, 9, 21))
    log = MarketLog.objects.get(action="market.intermediary.blacklist_lifted")
    assert log.intermediary == firm and log.data["reason"] == "行政复议撤销原处理决定"
    with pytest.raises(Conflict, match="已解除"):
        services.blacklist_lift(user=admin, entry=entry, reason="再次")


def test_the_lift_page(blacklisted, client):
    entry, firm, _item, admin = blacklisted
    client.force_login(UserFactory())
    assert client.post(f"/market/centre/blacklist/{entry.pk}/lift/", {"reason": "x"}).status_code == 403
    client.force_login(admin)
    page = client.get("/market/centre/").content.decode()
    assert f"/market/centre/blacklist/{entry.pk}/lift/" in page
    refused = client.post(f"/market/centre/blacklist/{entry.pk}/lift/", {"reason": ""}, follow=True)
    assert "alert-error" in refused.content.decode()
    assert Blacklisting.objects.get(pk=entry.pk).lifted_at is None
    client.post(f"/market/centre/blacklist/{entry.pk}/lift/", {"reason": "处理决定被撤销"})
    assert Blacklisting.objects.get(pk=entry.pk).lifted_at is not None
    assert f'id="blacklisting-{entry.pk}"' not in client.get("/market/centre/").content.decode()


# --- a bid edited or withdrawn -----------------------------------------------------------------------


def test_the_bidder_edits_and_withdraws_before_the_deadline_only(open_demand, three, owner, at, client):
    (first, staff), (second, other_staff), _third = three
    _enterprise, owner_user = owner
    bid = Bid.objects.get(demand=open_demand, intermediary=first)
    at(D(2026, 9, 24))
    for who in (other_staff, owner_user, UserFactory()):  # only the bidder's own staff
        with pytest.raises(Forbidden):
            services.bid_update(user=who, bid=bid, price_fen=3_000_00, days=4)
        with pytest.raises(Forbidden):
            services.bid_withdraw(user=who, bid=bid)
    with pytest.raises(Invalid, match="超过该项目的最高限价"):
        services.bid_update(user=staff, bid=bid, price_fen=9_000_00, days=4)
    services.bid_update(user=staff, bid=bid, price_fen=3_500_00, days=4, note="增派一个作业组")
    bid.refresh_from_db()
    assert (bid.price_fen, bid.days, bid.note) == (3_500_00, 4, "增派一个作业组")
    # the page: the bidder sees her bid's form; another bidder's post finds nothing
    client.force_login(staff)
    page = client.get(f"/market/demands/{open_demand.number}/").content.decode()
    assert f"/market/demands/{open_demand.number}/bids/{bid.pk}/edit/" in page
    client.post(f"/market/demands/{open_demand.number}/bids/{bid.pk}/edit/",
                {f"b{bid.pk}-price": "3600", f"b{bid.pk}-days": "5", f"b{bid.pk}-note": ""})
    assert Bid.objects.get(pk=bid.pk).price_fen == 3_600_00
    client.force_login(other_staff)
    assert client.post(f"/market/demands/{open_demand.number}/bids/{bid.pk}/withdraw/").status_code == 404
    other_bid = Bid.objects.get(demand=open_demand, intermediary=second)
    assert client.post(f"/market/demands/{open_demand.number}/bids/{other_bid.pk}/withdraw/").status_code == 302
    assert not Bid.objects.filter(pk=other_bid.pk).exists()
    assert MarketLog.objects.filter(action="market.bid.withdrawn").count() == 1
    # after the deadline (Fri Sep 25): refused in Chinese, nothing changed
    at(D(2026, 9, 26))
    with pytest.raises(Conflict, match="已截止报名"):
        services.bid_update(user=staff, bid=bid, price_fen=3_000_00, days=4)
    with pytest.raises(Conflict, match="已截止报名"):
        services.bid_withdraw(user=staff, bid=bid)
    client.force_login(staff)
    refused = client.post(f"/market/demands/{open_demand.number}/bids/{bid.pk}/withdraw/")
    assert refused.status_code == 409 and "已截止报名" in refused.content.decode()
    assert Bid.objects.get(pk=bid.pk).price_fen == 3_600_00


# --- a demand cancelled -----------------------------------------------------------------------------


def test_the_owner_cancels_before_the_award_and_the_bidders_are_told(open_demand, three, owner, at, client):
    _enterprise, owner_user = owner
    at(D(2026, 9, 24))
    for who in (three[0][1], ReviewerFactory(), UserFactory()):
        with pytest.raises(Forbidden):
            services.demand_cancel(user=who, demand=open_demand, reason="项目调整")
    with pytest.raises(Invalid, match="须说明原因"):
        services.demand_cancel(user=owner_user, demand=open_demand, reason="")
    assert Demand.objects.get(pk=open_demand.pk).state == Demand.State.OPEN
    client.force_login(owner_user)
    page = client.get(f"/market/demands/{open_demand.number}/").content.decode()
    assert f"/market/demands/{open_demand.number}/cancel/" in page
    response = client.post(f"/market/demands/{open_demand.number}/cancel/", {"reason": "厂房选址调整,暂不测绘"})
    assert response.status_code == 302
    demand = Demand.objects.get(pk=open_demand.pk)
    assert demand.state == Demand.State.CANCELLED and "厂房选址调整" in demand.result_note
    for _intermediary, staff in three:
        assert market_messages(staff) == [f"中介服务项目 {demand.number} 已撤销"]
    again = client.post(f"/market/demands/{open_demand.number}/cancel/", {"reason": "再次"})
    assert again.status_code == 409  # no longer open


def test_no_cancel_after_the_award(open_demand, owner, at):
    _enterprise, owner_user = owner
    at(D(2026, 9, 28))
    services.demand_select(user=owner_user, demand=open_demand)
    with pytest.raises(Conflict, match="不能撤销"):
        services.demand_cancel(user=owner_user, demand=open_demand, reason="不要了")


# --- notices to bidders and owners -------------------------------------------------------------------


def test_notices_for_bids_award_delivery_and_lateness(open_demand, three, owner, at):
    _enterprise, owner_user = owner
    number = open_demand.number
    assert market_messages(owner_user) == [f"中介服务项目 {number} 有新的报名"] * 3  # one per bid
    at(D(2026, 9, 28))
    contract = services.demand_select(user=owner_user, demand=open_demand)
    for intermediary, staff in three:
        expected = f"您已中选中介服务项目 {number}" if intermediary == contract.intermediary else \
            f"中介服务项目 {number} 选取结果"
        assert market_messages(staff) == [expected]
    # 5 working days from Mon Sep 28 over National Day → Sat Oct 10 (a make-up working day); from
    # the day after, the owner is told, once
    assert contract.due_on == D(2026, 10, 10)
    assert services.remind_late_contracts(D(2026, 10, 10)) == 0
    services.remind_late_contracts(D(2026, 10, 11))
    services.remind_late_contracts(D(2026, 10, 12))
    late = [t for t in market_messages(owner_user) if "逾期未交付" in t]
    assert late == [f"中介服务项目 {number} 逾期未交付"]
    at(D(2026, 10, 14))
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = next(s for i, s in three if i == contract.intermediary)
    services.contract_deliver(user=staff, contract=contract,
                              upload=SimpleUploadedFile("测绘成果报告.pdf", PDF_BYTES, content_type="application/pdf"))
    assert Contract.objects.get(pk=contract.pk).late
    delivered = Message.objects.get(recipient=owner_user, title=f"中介服务项目 {number} 的成果已交付")
    assert "逾期交付" in delivered.body and delivered.link == f"/market/contracts/{number}/"
    assert services.remind_late_contracts(D(2026, 10, 15)) == 0  # delivered: no more reminders


def test_a_new_bid_tells_the_departments_owner(calendar_2026, at, planning):
    """A department buying with public money: the reviewer who posted is told of each bid."""
    from tests.factories import DepartmentFactory

    _matter, item = planning
    reviewer = ReviewerFactory(department=DepartmentFactory(name="清远市清新区住房和城乡建设局"))
    at(D(2026, 9, 21))
    demand = post_demand(reviewer, item)
    firm, staff = approved_intermediary(item, name="清远市粤北测绘有限公司")
    services.bid_submit(user=staff, demand=demand, intermediary=firm, price_fen=1_000_00, days=3)
    assert market_messages(reviewer) == [f"中介服务项目 {demand.number} 有新的报名"]
