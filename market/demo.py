"""The demo district's 中介超市 (called by `manage.py load_demo`): six service items linked to the
catalog's matters, seven intermediaries (one awaiting the centre's check, one whose qualification
has expired, one on the blacklist), the demo intermediary staff account `agency`, and demands in
every state: open for bids, drawn at random with a contract in service, chosen by lowest price and
delivered late with a low rating, a department's demand that found no qualified bidder.

Run again, it adds nothing: every row is looked up by its natural key first. Dates are relative
to the day it runs; past selections are written as the services would have written them (the
draw computed by `market.draw`, so its result page re-runs to the same winner)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.identity import credit_check_char, id_check_char
from accounts.models import Department, Enterprise, EnterpriseMembership, User
from matters.models import Matter
from workflow.calendar_store import load_calendar

from . import draw, services
from .models import (
    Bid,
    Blacklisting,
    Contract,
    Demand,
    DepartmentBar,
    Intermediary,
    Qualification,
    ServiceItem,
    StaffMember,
)

PASSWORD = "Demo#7Kq2m"

ITEMS = [
    (
        "CH",
        "测绘",
        "地形图测绘、建设工程规划放线与验线测量",
        "测绘成果报告",
        ["建设用地规划许可证核发", "乡村建设规划许可证核发"],
    ),
    ("FC", "房产测量", "房屋面积预测与实测", "房产测量报告", ["商品房预售许可", "不动产转移登记(二手房买卖)"]),
    ("HP", "环境影响评价", "建设项目环境影响报告书(表)编制", "环境影响报告表", ["建筑工程施工许可证核发"]),
    ("AP", "安全评价", "建设项目安全预评价、验收评价", "安全评价报告", ["特种设备使用登记"]),
    (
        "SJ",
        "施工图审查",
        "房屋建筑和市政基础设施工程施工图设计文件审查",
        "施工图审查合格书",
        ["建筑工程施工许可证核发"],
    ),
    ("ZC", "资产评估", "企业资产、不动产抵押价值评估", "资产评估报告", ["不动产抵押权登记", "企业变更登记"]),
]

# (org code, name, representative, address, [(item, qualification, level, scope, valid years from today)])
FIRMS = [
    (
        "MA51CH01",
        "清远市恒信测绘有限公司",
        "陈国栋",
        "清远市清新区太和镇玄真路18号",
        [
            ("CH", "测绘资质证书", "乙级", "工程测量、不动产测绘、地理信息系统工程", 2),
            ("FC", "测绘资质证书", "乙级", "房产测绘", 2),
        ],
    ),
    (
        "MA52CH02",
        "广东粤北勘测规划设计有限公司",
        "黄振华",
        "清远市清城区凤翔大道9号",
        [
            ("CH", "测绘资质证书", "甲级", "大地测量、工程测量、不动产测绘", 3),
            ("SJ", "施工图审查机构认定", "二类", "房屋建筑工程", 2),
        ],
    ),
    (
        "MA53HP03",
        "清远市绿源环境科技有限公司",
        "罗美玲",
        "清远市清新区太和镇桃源路6号",
        [
            ("HP", "环境影响评价机构备案", "—", "社会服务、房地产、农副食品加工", 2),
            ("AP", "安全评价机构资质", "乙级", "建筑业、食品加工", 1),
        ],
    ),
    (
        "MA54YC04",
        "广东华诚资产评估事务所(普通合伙)清远分所",
        "朱伟明",
        "清远市清城区人民一路32号",
        [("ZC", "资产评估机构备案", "—", "企业价值、不动产、机器设备评估", 3)],
    ),
    (
        "MA55CH05",
        "清远市清新区正方测绘服务有限公司",
        "何志坚",
        "清远市清新区三坑镇温泉大道12号",
        [("CH", "测绘资质证书", "丙级", "工程测量、不动产测绘", 2)],
    ),
    # the qualification expired ten days ago: listed, never selectable
    (
        "MA56CH06",
        "清远市北江测量队有限公司",
        "冯建新",
        "清远市清新区山塘镇山塘圩",
        [("CH", "测绘资质证书", "丙级", "工程测量", 0)],
    ),
    # on the blacklist for a year
    (
        "MA57FC07",
        "清远市方圆房产测量有限公司",
        "叶志明",
        "清远市清新区太和镇朝阳路2号",
        [("FC", "测绘资质证书", "丙级", "房产测绘", 2)],
    ),
    # waiting for the centre's check
    (
        "MA58HP08",
        "清远市清新区蓝天环保咨询有限公司",
        "梁淑华",
        "清远市清新区禾云镇禾云圩",
        [("HP", "环境影响评价机构备案", "—", "社会服务、农副食品加工", 2)],
    ),
]

STAFF = [
    "注册测绘师",
    "注册测绘师",
    "环境影响评价工程师",
    "资产评估师",
    "注册测绘师",
    "注册测绘师",
    "注册测绘师",
    "环境影响评价工程师",
]


def _credit(org8: str) -> str:
    first17 = "91441803" + org8 + "X"
    first17 = first17[:17]
    return first17 + credit_check_char(first17)


def _items():
    for code, name, description, report, matters in ITEMS:
        item, created = ServiceItem.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "report_name": report}
        )
        if created:
            item.matters.set(Matter.objects.filter(name__in=matters))
    return {i.code: i for i in ServiceItem.objects.all()}


def _agency_user(enterprise):
    user = User.objects.filter(username="agency").first()
    if user is None:
        first17 = "44180319860923051"
        user = User(
            username="agency",
            role=User.Role.PUBLIC,
            real_name="陈国栋",
            id_number=first17 + id_check_char(first17),
            phone="13539821706",
        )
        user.set_password(PASSWORD)
        user.save()
    EnterpriseMembership.objects.get_or_create(
        enterprise=enterprise, user=user, defaults={"title": "法定代表人", "may_authorise": True}
    )
    return user


def _firms(items, today, admin):
    firms = []
    for n, (org, name, representative, address, quals) in enumerate(FIRMS):
        enterprise, _created = Enterprise.objects.get_or_create(
            credit_code=_credit(org),
            defaults={"name": name, "legal_representative": representative, "address": address},
        )
        staff_user = _agency_user(enterprise) if n == 0 else None
        intermediary = Intermediary.objects.filter(enterprise=enterprise).first()
        if intermediary is None:
            pending = n == len(FIRMS) - 1
            intermediary = Intermediary.objects.create(
                enterprise=enterprise,
                contact_name=representative,
                contact_phone=f"0763-58{31 + n:02d}{260 + n * 7:03d}",
                address=address,
                introduction=f"{name}是经政务服务中心审核入驻的中介机构,专业从事{'、'.join(items[q[0]].name for q in quals)}服务。",
                registered_by=staff_user or admin,
                status=Intermediary.Status.PENDING if pending else Intermediary.Status.APPROVED,
                reviewed_by=None if pending else admin,
                reviewed_at=None if pending else timezone.now(),
            )
            for code, qualification, level, scope, years in quals:
                until = today - dt.timedelta(days=10) if years == 0 else today.replace(year=today.year + years)
                Qualification.objects.create(
                    intermediary=intermediary,
                    service_item=items[code],
                    name=qualification,
                    level=level,
                    scope=scope,
                    certificate_number=f"{level[0] if level != '—' else '备'}{code}{4418030 + n:07d}",
                    issuer="广东省自然资源厅"
                    if code in ("CH", "FC")
                    else "清远市生态环境局"
                    if code == "HP"
                    else "广东省应急管理厅"
                    if code == "AP"
                    else "广东省住房和城乡建设厅"
                    if code == "SJ"
                    else "广东省财政厅",
                    valid_from=today.replace(year=today.year - 3),
                    valid_until=until,
                )
            StaffMember.objects.create(
                intermediary=intermediary,
                name=representative,
                certificate_name=STAFF[n],
                certificate_number=f"{STAFF[n][:2]}{2016 + n}44{180 + n:04d}",
                valid_until=today.replace(year=today.year + 2),
            )
        firms.append(intermediary)
    if not Blacklisting.objects.filter(intermediary=firms[6]).exists():
        Blacklisting.objects.create(
            intermediary=firms[6],
            reason="出具的房产测量报告面积数据与实测严重不符",
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=335),
            recorded_by=admin,
        )
    zrzy = Department.objects.filter(code="QX-ZRZY").first()
    if zrzy is not None:
        DepartmentBar.objects.get_or_create(
            intermediary=firms[1],
            department=zrzy,
            defaults={"reason": "原为该局下属事业单位改制,脱钩未满三年", "recorded_by": admin},
        )
    return firms


def _past_demand(
    *,
    key,
    owner_user,
    enterprise=None,
    department=None,
    item,
    title,
    scope,
    ceiling,
    method,
    days_ago,
    service_days,
    bids,
    delivered_after=None,
    rating=None,
    comment="",
):
    """A demand selected `days_ago` days ago, written as the services write it."""
    if Demand.objects.filter(title=title).exists():
        return None
    now = timezone.now()
    selected_on = timezone.localdate() - dt.timedelta(days=days_ago)
    seed = draw.new_seed()
    demand = Demand.objects.create(
        title=title,
        scope=scope,
        service_item=item,
        budget_ceiling_fen=ceiling,
        method=method,
        bid_deadline=selected_on - dt.timedelta(days=1),
        service_days=service_days,
        owner_enterprise=enterprise,
        owner_department=department,
        posted_by=owner_user,
        seed=seed,
        seed_commitment=draw.commitment(seed),
    )
    Demand.objects.filter(pk=demand.pk).update(
        posted_at=now - dt.timedelta(days=days_ago + 7), number=f"ZJ{selected_on.year}{demand.pk:06d}"
    )
    demand.refresh_from_db()
    made = [
        Bid.objects.create(
            demand=demand, intermediary=i, price_fen=price, days=min(d, service_days), submitted_by=owner_user
        )
        for i, price, d in bids
    ]
    if method == Demand.Method.DRAW:
        ordered = draw.ordered(b.intermediary.credit_code for b in made)
        result = draw.draw(seed, ordered)
        win = next(b for b in made if b.intermediary.credit_code == result.winner)
        demand.draw_list, demand.draw_digest, demand.draw_index = ordered, result.digest, result.index
        demand.result_note = f"随机抽取:在 {len(ordered)} 家符合条件的报名单位中抽中第 {result.index + 1} 家。"
    else:
        win = min(made, key=lambda b: (b.price_fen, b.pk))
        demand.result_note = "最低报价中选。"
    demand.state, demand.winning_bid, demand.selected_by = Demand.State.SELECTED, win, owner_user
    demand.selected_at = now - dt.timedelta(days=days_ago)
    demand.save()
    calendar = load_calendar()
    due = calendar.add_workdays(selected_on, win.days)
    contract = Contract.objects.create(
        demand=demand,
        bid=win,
        intermediary=win.intermediary,
        fee_fen=win.price_fen,
        service_days=win.days,
        signed_on=selected_on,
        due_on=due,
    )
    if delivered_after is not None:
        from django.core.files.base import ContentFile

        delivered_on = calendar.add_workdays(selected_on, delivered_after)
        body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        contract.report.save(f"{key}.pdf", ContentFile(body), save=False)
        import hashlib

        contract.report_name, contract.report_sha256, contract.report_size = (
            f"{item.report_name}.pdf",
            hashlib.sha256(body).hexdigest(),
            len(body),
        )
        contract.delivered_on, contract.delivered_by, contract.late = delivered_on, owner_user, delivered_on > due
        contract.state = Contract.State.DELIVERED
        if rating is not None:
            contract.rating, contract.rating_comment, contract.rated_at, contract.rated_by = (
                rating,
                comment,
                now,
                owner_user,
            )
            contract.state = Contract.State.CLOSED
        contract.save()
    return demand


def load_market_demo() -> int:
    """Returns how many demands it added."""
    today = timezone.localdate()
    admin = User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    owner_user = User.objects.filter(username="enterprise").first()
    if admin is None or owner_user is None:
        return 0
    items = _items()
    firms = _firms(items, today, admin)
    enterprise = owner_user.enterprises.order_by("pk").first()
    before = Demand.objects.count()
    planning = Matter.objects.filter(name="建设用地规划许可证核发").first()
    if not Demand.objects.filter(title="禾云山茶叶加工厂房用地地形图测绘").exists():
        demand = services.demand_post(
            user=owner_user,
            owner_enterprise=enterprise,
            service_item=items["CH"],
            matter=planning,
            title="禾云山茶叶加工厂房用地地形图测绘",
            scope="禾云镇茶园路厂房用地约 1.2 公顷 1:500 地形图测绘,界址点测量,出具测绘成果报告。",
            budget_ceiling_fen=8_000_00,
            bid_deadline=today + dt.timedelta(days=5),
            service_days=10,
            method=Demand.Method.DRAW,
        )
        agency = User.objects.get(username="agency")
        services.bid_submit(user=agency, demand=demand, intermediary=firms[0], price_fen=6_800_00, days=8)
        Bid.objects.create(demand=demand, intermediary=firms[4], price_fen=7_200_00, days=10, submitted_by=admin)
    _past_demand(
        key="cesuan",
        owner_user=owner_user,
        enterprise=enterprise,
        item=items["CH"],
        title="禾云山茶业仓储用房规划放线测量",
        scope="仓储用房规划放线及验线测量。",
        ceiling=5_000_00,
        method=Demand.Method.DRAW,
        days_ago=3,
        service_days=8,
        bids=[(firms[0], 4_500_00, 6), (firms[1], 4_800_00, 8), (firms[4], 4_200_00, 7)],
    )
    _past_demand(
        key="pinggu",
        owner_user=owner_user,
        enterprise=enterprise,
        item=items["ZC"],
        title="禾云山茶业厂房及设备抵押价值评估",
        scope="厂房 2,600 平方米及制茶设备抵押价值评估。",
        ceiling=20_000_00,
        method=Demand.Method.LOWEST,
        days_ago=30,
        service_days=10,
        bids=[(firms[3], 16_500_00, 10)],
        delivered_after=12,
        rating=2,
        comment="逾期两个工作日交付,评估说明需补充",
    )
    _past_demand(
        key="huanping",
        owner_user=owner_user,
        enterprise=enterprise,
        item=items["HP"],
        title="禾云山茶业厂房扩建环境影响报告表编制",
        scope="年产 200 吨茶叶加工厂房扩建项目环境影响报告表。",
        ceiling=30_000_00,
        method=Demand.Method.LOWEST,
        days_ago=45,
        service_days=20,
        bids=[(firms[2], 26_000_00, 18)],
        delivered_after=15,
        rating=5,
        comment="报告规范,按时交付",
    )
    reviewer = User.objects.filter(username="reviewer_zj").first()
    if reviewer is not None and not Demand.objects.filter(title="区保障性住房小区房产面积实测").exists():
        demand = Demand.objects.create(
            title="区保障性住房小区房产面积实测",
            scope="太和镇保障性住房小区 3 栋 216 套房屋面积实测。",
            service_item=items["FC"],
            budget_ceiling_fen=60_000_00,
            bid_deadline=today - dt.timedelta(days=2),
            service_days=15,
            method=Demand.Method.DRAW,
            owner_department=reviewer.department,
            posted_by=reviewer,
            seed=(seed := draw.new_seed()),
            seed_commitment=draw.commitment(seed),
            state=Demand.State.FAILED,
            selected_at=timezone.now(),
            selected_by=reviewer,
            result_note="没有符合条件的报名单位,项目流标。",
            excluded=[
                {
                    "credit_code": firms[6].credit_code,
                    "name": firms[6].name,
                    "reason": f"{firms[6].name}在黑名单期内,不能参与选取。",
                }
            ],
        )
        Demand.objects.filter(pk=demand.pk).update(number=f"ZJ{today.year}{demand.pk:06d}")
        Bid.objects.create(demand=demand, intermediary=firms[6], price_fen=52_000_00, days=15, submitted_by=admin)
    return Demand.objects.count() - before
