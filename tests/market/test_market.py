"""中介超市: who may post, bid, select, deliver and rate; the draw reproducible from its published
seed and list; expired qualifications and blacklists hide an intermediary from selection; the
ceiling and the conflict rule refuse; the contract clock runs over National Day 2026; the report
becomes a 容缺 material of the owner's application."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from core.errors import Conflict, Forbidden, Invalid
from market import draw, selectors, services
from market.models import Contract, Demand, Intermediary, MarketLog
from tests.factories import (
    PDF_BYTES,
    ClerkFactory,
    EnterpriseFactory,
    ReviewerFactory,
    UserFactory,
    files_for,
    form_for,
)
from tests.market.conftest import approved_intermediary, member_of, post_demand
from workflow import services as workflow
from workflow.models import Material

pytestmark = pytest.mark.django_db
D = dt.date


def report(name="测绘成果报告.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


# --- the draw ---------------------------------------------------------------------------------------


def test_the_draw_is_a_pure_function_of_seed_and_list():
    codes = ["91441803MA4W7K2C0X", "91441803MA53HD8P1Y", "91441803MA55F3TJ2Z"]
    first = draw.draw("5f1c0e", codes)
    assert draw.draw("5f1c0e", list(codes)) == first  # same seed and list: same winner
    import hashlib

    digest = hashlib.sha256("\n".join(["5f1c0e", *codes]).encode()).hexdigest()
    assert first.digest == digest and first.index == int(digest, 16) % 3 and first.winner == codes[first.index]
    # another list (one bidder fewer) is recomputed, not the old index carried over
    shorter = draw.draw("5f1c0e", codes[:2])
    assert shorter.digest != first.digest and shorter.index == int(shorter.digest, 16) % 2
    # across seeds every bidder can win
    assert {draw.draw(f"seed{n}", codes).winner for n in range(40)} == set(codes)


def test_the_owner_draws_and_anyone_reruns_it(open_demand, owner, at, capsys):
    _enterprise, user = owner
    assert open_demand.seed_commitment == draw.commitment(open_demand.seed)
    at(D(2026, 9, 28))
    contract = services.demand_select(user=user, demand=open_demand)
    demand = Demand.objects.get(pk=open_demand.pk)
    assert demand.state == Demand.State.SELECTED
    codes = sorted(b.intermediary.credit_code for b in demand.bids.all())
    assert demand.draw_list == codes  # published in ascending order
    again = draw.draw(demand.seed, demand.draw_list)
    assert (again.digest, again.index) == (demand.draw_digest, demand.draw_index)
    assert contract.intermediary.credit_code == again.winner == demand.draw_list[demand.draw_index]
    call_command("market_draw", demand.number)
    out = capsys.readouterr().out
    assert again.winner in out and "一致" in out


# --- who may do what ---------------------------------------------------------------------------------


def test_who_may_post(planning, owner, calendar_2026, at):
    matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    with pytest.raises(Forbidden):  # not a member of the enterprise
        post_demand(UserFactory(), item, enterprise=enterprise)
    with pytest.raises(Forbidden):  # a citizen without an enterprise, a clerk
        post_demand(UserFactory(), item)
    with pytest.raises(Forbidden):
        post_demand(ClerkFactory(), item)
    with pytest.raises(Invalid):  # the deadline in the past
        post_demand(user, item, enterprise=enterprise, deadline=D(2026, 9, 20))
    with pytest.raises(Invalid):  # a matter that does not need the service
        post_demand(
            user,
            item,
            enterprise=enterprise,
            matter=matter.__class__.objects.exclude(pk=matter.pk).first() or _other_matter(),
        )
    demand = post_demand(user, item, enterprise=enterprise)
    assert demand.number.startswith("ZJ2026") and demand.state == Demand.State.OPEN
    # a department buys with public money for a case another department decides
    buyer = ReviewerFactory()
    assert post_demand(buyer, item, matter=matter).owner_department == buyer.department


def _other_matter():
    from tests.factories import MatterFactory

    return MatterFactory()


def test_who_may_bid(open_demand, planning, owner, three):
    _matter, item = planning
    intermediary, staff = three[0]
    with pytest.raises(Forbidden):  # someone else's intermediary
        services.bid_submit(user=three[1][1], demand=open_demand, intermediary=intermediary, price_fen=100, days=5)
    with pytest.raises(Conflict):  # once
        services.bid_submit(user=staff, demand=open_demand, intermediary=intermediary, price_fen=100, days=5)
    pending, pending_staff = approved_intermediary(item)
    Intermediary.objects.filter(pk=pending.pk).update(status=Intermediary.Status.PENDING)
    pending.refresh_from_db()
    with pytest.raises(Forbidden, match="尚未通过"):
        services.bid_submit(user=pending_staff, demand=open_demand, intermediary=pending, price_fen=100, days=5)
    # the owner's own enterprise as an intermediary may not serve its own demand
    enterprise, user = owner
    mine = Intermediary.objects.create(
        enterprise=enterprise,
        contact_name="黄",
        contact_phone="0763-5800000",
        address="禾云镇",
        registered_by=user,
        status=Intermediary.Status.APPROVED,
    )
    mine.qualifications.create(
        service_item=item,
        name="测绘资质",
        level="丙级",
        scope="地形测量",
        certificate_number="X1",
        issuer="省厅",
        valid_from=D(2025, 1, 1),
        valid_until=D(2027, 1, 1),
    )
    with pytest.raises(Forbidden, match="自己发布"):
        services.bid_submit(user=user, demand=open_demand, intermediary=mine, price_fen=100, days=5)


def test_a_bid_above_the_ceiling_is_refused(open_demand, planning):
    _matter, item = planning
    intermediary, staff = approved_intermediary(item)
    with pytest.raises(Invalid, match="超过该项目的最高限价 5000.00 元") as refused:
        services.bid_submit(user=staff, demand=open_demand, intermediary=intermediary, price_fen=5_000_01, days=5)
    assert refused.value.code == "above_ceiling"
    with pytest.raises(Invalid):  # more days than the demand allows
        services.bid_submit(user=staff, demand=open_demand, intermediary=intermediary, price_fen=5_000_00, days=11)
    assert not open_demand.bids.filter(intermediary=intermediary).exists()
    services.bid_submit(user=staff, demand=open_demand, intermediary=intermediary, price_fen=5_000_00, days=10)


def test_bidding_closes_and_selection_waits_for_the_deadline(open_demand, owner, planning, at):
    _enterprise, user = owner
    with pytest.raises(Conflict, match="报名截止"):
        services.demand_select(user=user, demand=open_demand)
    at(D(2026, 9, 26))
    intermediary, staff = approved_intermediary(planning[1])
    with pytest.raises(Conflict, match="截止报名"):
        services.bid_submit(user=staff, demand=open_demand, intermediary=intermediary, price_fen=100, days=5)
    with pytest.raises(Forbidden):  # only the owner selects
        services.demand_select(user=UserFactory(), demand=open_demand)


def test_lowest_price_and_scored(calendar_2026, at, planning, owner, three):
    matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    lowest = post_demand(user, item, enterprise=enterprise, method="lowest")
    scored = post_demand(user, item, enterprise=enterprise, method="scored")
    for (intermediary, staff), price in zip(three, (4_200_00, 3_900_00, 4_800_00)):
        for demand in (lowest, scored):
            services.bid_submit(user=staff, demand=demand, intermediary=intermediary, price_fen=price, days=5)
    at(D(2026, 9, 28))
    assert services.demand_select(user=user, demand=lowest).fee_fen == 3_900_00
    bids = list(scored.bids.order_by("pk"))
    with pytest.raises(Invalid, match="评分"):
        services.demand_select(user=user, demand=scored, scores={bids[0].pk: 90})
    contract = services.demand_select(user=user, demand=scored, scores={bids[0].pk: 80, bids[1].pk: 75, bids[2].pk: 92})
    assert contract.intermediary == three[2][0] and contract.fee_fen == 4_800_00


def test_direct_choice_only_among_qualified_bidders(calendar_2026, at, planning, owner, three):
    _matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    demand = post_demand(user, item, enterprise=enterprise, method="direct")
    bids = [services.bid_submit(user=s, demand=demand, intermediary=i, price_fen=1000_00, days=3) for i, s in three]
    at(D(2026, 9, 28))
    with pytest.raises(Invalid):
        services.demand_select(user=user, demand=demand, bid_id=999999)
    assert services.demand_select(user=user, demand=demand, bid_id=bids[1].pk).intermediary == three[1][0]
    with pytest.raises(Conflict):  # once
        services.demand_select(user=user, demand=demand, bid_id=bids[0].pk)


# --- hidden from selection by dates --------------------------------------------------------------------


def test_an_expired_qualification_hides_from_selection(calendar_2026, at, planning, owner):
    _matter, item = planning
    enterprise, user = owner
    expiring, staff = approved_intermediary(item, valid_until=D(2026, 9, 26))
    other, other_staff = approved_intermediary(item)
    at(D(2026, 9, 21))
    assert set(selectors.selectable(service_item=item)) == {expiring, other}
    demand = post_demand(user, item, enterprise=enterprise)
    services.bid_submit(user=staff, demand=demand, intermediary=expiring, price_fen=100_00, days=5)
    services.bid_submit(user=other_staff, demand=demand, intermediary=other, price_fen=200_00, days=5)
    at(D(2026, 9, 28))  # nobody touched anything: the date alone hides it
    assert list(selectors.selectable(service_item=item)) == [other]
    contract = services.demand_select(user=user, demand=demand)
    demand.refresh_from_db()
    assert contract.intermediary == other and demand.draw_list == [other.credit_code]
    assert demand.excluded[0]["credit_code"] == expiring.credit_code and "资质已过期" in demand.excluded[0]["reason"]
    # and a new bid with the expired qualification is refused
    at(D(2026, 9, 28))
    later = post_demand(user, item, enterprise=enterprise, deadline=D(2026, 10, 9))
    with pytest.raises(Forbidden, match="有效资质"):
        services.bid_submit(user=staff, demand=later, intermediary=expiring, price_fen=100_00, days=5)


def test_a_blacklist_hides_for_its_period(calendar_2026, at, planning, owner):
    _matter, item = planning
    enterprise, user = owner
    bad, staff = approved_intermediary(item)
    admin = UserFactory(role="administrator")
    with pytest.raises(Forbidden):  # only the centre keeps the blacklist
        services.blacklist(
            user=ReviewerFactory(),
            intermediary=bad,
            reason="出具虚假报告",
            starts_on=D(2026, 9, 1),
            ends_on=D(2026, 12, 31),
        )
    with pytest.raises(Invalid):
        services.blacklist(user=admin, intermediary=bad, reason=" ", starts_on=D(2026, 9, 1), ends_on=D(2026, 12, 31))
    services.blacklist(
        user=admin, intermediary=bad, reason="出具虚假测绘报告", starts_on=D(2026, 10, 1), ends_on=D(2026, 12, 31)
    )
    at(D(2026, 9, 30))
    assert bad in selectors.selectable(service_item=item)
    at(D(2026, 10, 8))
    assert bad not in selectors.selectable(service_item=item)
    demand = post_demand(user, item, enterprise=enterprise, deadline=D(2026, 10, 16))
    with pytest.raises(Forbidden, match="黑名单期内"):
        services.bid_submit(user=staff, demand=demand, intermediary=bad, price_fen=100_00, days=5)
    row = selectors.directory().get(pk=bad.pk)
    assert row.is_blacklisted and selectors.standing(row).score == 80  # shown in the directory
    at(D(2027, 1, 1))
    assert bad in selectors.selectable(service_item=item)


# --- conflict of interest ------------------------------------------------------------------------------


def test_a_department_may_not_buy_for_its_own_decision(calendar_2026, at, planning):
    matter, item = planning
    at(D(2026, 9, 21))
    deciding = ReviewerFactory(department=matter.department)
    with pytest.raises(Forbidden, match="不得为本部门审批的事项委托中介服务") as refused:
        post_demand(deciding, item, matter=matter)
    assert refused.value.code == "conflict_of_interest" and not Demand.objects.exists()


def test_a_barred_intermediary_may_not_bid_nor_be_appointed(calendar_2026, at, planning, owner, three):
    matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    demand = post_demand(user, item, enterprise=enterprise, matter=matter, method="direct")
    admin = UserFactory(role="administrator")
    (barred, barred_staff), (later_barred, later_staff) = three[0], three[1]
    services.bar_department(
        user=admin, intermediary=barred, department=matter.department, reason="原为该局下属事业单位,脱钩未满三年"
    )
    with pytest.raises(Forbidden, match="利益冲突") as refused:
        services.bid_submit(user=barred_staff, demand=demand, intermediary=barred, price_fen=100_00, days=5)
    assert "须回避清远市自然资源局清新分局审批的事项" in refused.value.message
    bid = services.bid_submit(user=later_staff, demand=demand, intermediary=later_barred, price_fen=100_00, days=5)
    services.bar_department(
        user=admin, intermediary=later_barred, department=matter.department, reason="负责人曾任该局科长"
    )
    at(D(2026, 9, 28))
    # the bar recorded after the bid still refuses the appointment: the only bidder is excluded
    assert services.demand_select(user=user, demand=demand, bid_id=bid.pk) is None
    demand.refresh_from_db()
    assert demand.state == Demand.State.FAILED and "利益冲突" in demand.excluded[0]["reason"]


# --- the contract --------------------------------------------------------------------------------------


@pytest.fixture
def contract(calendar_2026, at, planning, owner, three):
    """Selected on Tue 2026-09-29 with 5 working days: Sep 30, (Oct 1-7 off), Oct 8, 9, Sat 10
    (the make-up working day), Mon 12."""
    matter, item = planning
    enterprise, user = owner
    at(D(2026, 9, 21))
    demand = post_demand(user, item, enterprise=enterprise, matter=matter, deadline=D(2026, 9, 28))
    for intermediary, staff in three:
        services.bid_submit(user=staff, demand=demand, intermediary=intermediary, price_fen=3000_00, days=5)
    at(D(2026, 9, 29))
    return services.demand_select(user=user, demand=demand)


def _staff_of(three, contract):
    return next(staff for intermediary, staff in three if intermediary == contract.intermediary)


def test_the_contract_clock_runs_over_national_day(contract, three, at):
    assert (contract.signed_on, contract.due_on, contract.due_provisional) == (D(2026, 9, 29), D(2026, 10, 12), False)
    at(D(2026, 10, 12))
    delivered = services.contract_deliver(user=_staff_of(three, contract), contract=contract, upload=report())
    assert delivered.late is False and delivered.state == Contract.State.DELIVERED


def test_late_delivery_and_a_low_rating_lower_the_credit_score(contract, three, owner, at):
    _enterprise, user = owner
    staff = _staff_of(three, contract)
    with pytest.raises(Forbidden):  # another intermediary, the owner
        services.contract_deliver(user=next(s for i, s in three if s != staff), contract=contract, upload=report())
    with pytest.raises(Forbidden):
        services.contract_deliver(user=user, contract=contract, upload=report())
    with pytest.raises(Conflict):  # nothing to rate yet
        services.contract_rate(user=user, contract=contract, rating=5)
    at(D(2026, 10, 13))
    delivered = services.contract_deliver(user=staff, contract=contract, upload=report())
    assert delivered.late is True and delivered.report_sha256
    with pytest.raises(Forbidden):
        services.contract_rate(user=staff, contract=contract, rating=5)
    with pytest.raises(Invalid, match="差评须说明理由"):
        services.contract_rate(user=user, contract=contract, rating=1)
    services.contract_rate(user=user, contract=contract, rating=2, comment="逾期一天,成果需返工")
    standing = selectors.standing(selectors.directory().get(pk=contract.intermediary_id))
    assert (standing.contracts, standing.late, standing.low_ratings, standing.score) == (1, 1, 1, 80)
    assert MarketLog.objects.filter(action="market.contract.rated").exists()


def test_the_report_is_reused_as_a_deferred_material(contract, three, owner, planning, at):
    """The owner applied for the planning permit with the survey report to follow (容缺); the
    delivered report fulfils it through workflow's own path."""
    matter, _item = planning
    enterprise, user = owner
    form = matter.materials.get(name="建设工程规划许可申请表")
    survey = matter.materials.get(name="测绘成果报告")
    at(D(2026, 9, 30))
    application = workflow.application_submit(
        submission=workflow.Submission(
            applicant=user,
            enterprise=enterprise,
            matters=[matter],
            form_data=form_for([matter], user),
            files={f"material_{form.pk}": files_for([matter])[f"material_{form.pk}"]},
        )
    )
    workflow.application_accept(
        application=application,
        clerk=ClerkFactory(window__category="legal"),
        deferred=[survey.pk],
        deferred_until=D(2026, 10, 16),
    )
    owed = application.materials.get(source=Material.Source.DEFERRED)
    assert list(services.usable_materials(user, contract)) == []  # nothing delivered yet
    with pytest.raises(Conflict):
        services.report_use(user=user, contract=contract, material=owed)
    at(D(2026, 10, 9))
    services.contract_deliver(user=_staff_of(three, contract), contract=contract, upload=report())
    contract.refresh_from_db()
    assert list(services.usable_materials(user, contract)) == [owed]
    with pytest.raises(Forbidden):  # only the owner
        services.report_use(user=_staff_of(three, contract), contract=contract, material=owed)
    material = services.report_use(user=user, contract=contract, material=owed)
    owed.refresh_from_db()
    assert owed.fulfilled_at is not None
    assert material.requirement == survey and material.sha256 == contract.report_sha256
    assert application.log.filter(action="workflow.application.deferred_material_provided").exists()
    assert list(services.usable_materials(user, contract)) == []


def test_registration_and_the_centres_check(planning, owner, calendar_2026, at):
    _matter, item = planning
    at(D(2026, 9, 21))
    firm = EnterpriseFactory(name="清远市清新区正诚工程咨询有限公司")
    staff = member_of(firm)
    with pytest.raises(Invalid):  # the check digit
        services.intermediary_register(
            user=staff,
            credit_code=firm.credit_code[:-1] + ("0" if firm.credit_code[-1] != "0" else "1"),
            contact_name="何工",
            contact_phone="0763-5811111",
            address="太和镇",
        )
    with pytest.raises(Forbidden):
        services.intermediary_register(
            user=UserFactory(),
            credit_code=firm.credit_code,
            contact_name="何工",
            contact_phone="0763-5811111",
            address="太和镇",
        )
    intermediary = services.intermediary_register(
        user=staff, credit_code=firm.credit_code, contact_name="何工", contact_phone="0763-5811111", address="太和镇"
    )
    admin = UserFactory(role="administrator")
    with pytest.raises(Invalid):  # nothing to check yet
        services.intermediary_review(user=admin, intermediary=intermediary, approve=True)
    services.qualification_add(
        user=staff,
        intermediary=intermediary,
        service_item=item,
        name="测绘资质",
        level="丙级",
        scope="工程测量",
        certificate_number="丙测资字44000001",
        issuer="广东省自然资源厅",
        valid_from=D(2025, 1, 1),
        valid_until=D(2029, 12, 31),
    )
    services.staff_add(
        user=staff,
        intermediary=intermediary,
        name="何志坚",
        certificate_name="注册测绘师",
        certificate_number="注测2019440123",
    )
    assert intermediary not in selectors.selectable(service_item=item)  # pending
    with pytest.raises(Forbidden):
        services.intermediary_review(user=ClerkFactory(), intermediary=intermediary, approve=True)
    services.intermediary_review(user=admin, intermediary=intermediary, approve=True)
    assert intermediary in selectors.selectable(service_item=item)
    assert intermediary in selectors.directory()
