"""Every write of the market, one transactional function per use case.

Rules kept here (docs/decisions.md, "中介超市"):
- an intermediary is selectable for a service on a day when the centre approved it, it holds a
  qualification for that service valid on the day, and no blacklist entry is in force on it;
- 利益冲突 (conflict): a department may not buy an intermediary service for a case it decides
  itself, and an intermediary barred for a department (`DepartmentBar`) may not bid on nor be
  appointed for a demand tied to a case that department decides. The deciding departments of a
  demand are its matter's department and the departments of its application's sub-cases;
- a bid's fee never exceeds the demand's ceiling; the contract's fee is the winning bid's;
- the contract's time limit runs in working days on the cases' calendar (the signing day not
  counted, as for the decision clock).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.identity import IdentityError, validate_credit_code
from accounts.models import Department, Enterprise, EnterpriseMembership
from core.errors import Conflict, Forbidden, Invalid
from core.uploads import inspect as inspect_upload
from core.uploads import save_streamed
from notifications.models import Kind
from notifications.services import notify
from workflow import services as workflow_services
from workflow.calendar_store import load_calendar
from workflow.models import Application, Material

from . import draw as draw_rules
from . import selectors
from .models import (
    Bid,
    Blacklisting,
    Contract,
    Demand,
    DepartmentBar,
    Intermediary,
    MarketLog,
    Qualification,
    ServiceItem,
    StaffMember,
    yuan,
)


def _today() -> dt.date:
    return timezone.localdate()


def _log(actor, action: str, obj, **data) -> None:
    MarketLog.objects.create(
        actor=actor,
        action=action,
        data=data,
        demand=obj if isinstance(obj, Demand) else None,
        intermediary=obj if isinstance(obj, Intermediary) else None,
    )


def _tell(recipient, *, title: str, body: str, link: str, key: str) -> None:
    """A notice of the market (kind 中介超市项目动态) through notifications.services, once per key."""
    notify(recipient=recipient, kind=Kind.MARKET, title=title, body=body, link=link, dedupe_key=f"market:{key}")


def _demand_link(demand: Demand) -> str:
    return reverse("market:demand", args=[demand.number])


def _contract_link(contract: Contract) -> str:
    return reverse("market:contract", args=[contract.demand.number])


# --- registration and the centre's check ---------------------------------------------------------


@transaction.atomic
def intermediary_register(
    *, user, credit_code: str, contact_name: str, contact_phone: str, address: str, introduction: str = ""
) -> Intermediary:
    """A member of an enterprise registers it as an intermediary; the centre checks it next."""
    try:
        code = validate_credit_code(credit_code)
    except IdentityError as exc:
        raise Invalid(str(exc), code="bad_credit_code", fields={"credit_code": [str(exc)]}) from None
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None or not EnterpriseMembership.objects.filter(enterprise=enterprise, user=user).exists():
        raise Forbidden(_("您不是该企业的经办人,不能以其名义登记中介机构。"), code="not_enterprise_member")
    if Intermediary.objects.filter(enterprise=enterprise).exists():
        raise Conflict(_("该企业已登记为中介机构。"), code="already_registered")
    intermediary = Intermediary.objects.create(
        enterprise=enterprise,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
        introduction=introduction,
        registered_by=user,
    )
    _log(user, "market.intermediary.registered", intermediary, credit_code=code)
    return intermediary


def _own(user, intermediary: Intermediary) -> None:
    if not selectors.acts_for(user, intermediary.pk):
        raise Forbidden(_("只有该中介机构的经办人可以维护其资料。"), code="not_intermediary_member")


@transaction.atomic
def qualification_add(
    *,
    user,
    intermediary: Intermediary,
    service_item: ServiceItem,
    name: str,
    level: str,
    scope: str,
    certificate_number: str,
    issuer: str,
    valid_from: dt.date,
    valid_until: dt.date,
) -> Qualification:
    _own(user, intermediary)
    if valid_until < valid_from:
        raise Invalid(
            _("资质有效期截止日期不能早于起始日期。"),
            code="bad_period",
            fields={"valid_until": [_("截止日期不能早于起始日期。")]},
        )
    if valid_until < _today():
        raise Invalid(_("该资质已过有效期,不能登记。"), code="expired", fields={"valid_until": [_("资质已过期。")]})
    qualification = Qualification.objects.create(
        intermediary=intermediary,
        service_item=service_item,
        name=name,
        level=level,
        scope=scope,
        certificate_number=certificate_number,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    _log(user, "market.qualification.added", intermediary, service_item=service_item.code, until=str(valid_until))
    return qualification


@transaction.atomic
def staff_add(
    *,
    user,
    intermediary: Intermediary,
    name: str,
    certificate_name: str,
    certificate_number: str,
    valid_until: dt.date | None = None,
) -> StaffMember:
    _own(user, intermediary)
    member = StaffMember.objects.create(
        intermediary=intermediary,
        name=name,
        certificate_name=certificate_name,
        certificate_number=certificate_number,
        valid_until=valid_until,
    )
    _log(user, "market.staff.added", intermediary, name=name)
    return member


def _check_centre(user) -> None:
    if not selectors.is_centre(user):
        raise Forbidden(_("只有政务服务中心的管理员或大厅负责人可以审核中介机构。"), code="not_centre")


@transaction.atomic
def intermediary_review(*, user, intermediary: Intermediary, approve: bool, note: str = "") -> Intermediary:
    _check_centre(user)
    intermediary = Intermediary.objects.select_for_update().get(pk=intermediary.pk)
    if intermediary.status != Intermediary.Status.PENDING:
        raise Conflict(_("该中介机构已审核。"), code="already_reviewed")
    if approve and not intermediary.qualifications.exists():
        raise Invalid(_("该机构尚未登记任何资质,不能通过审核。"), code="no_qualification")
    if not approve and not note.strip():
        raise Invalid(_("不予通过须说明理由。"), code="reason_required", fields={"note": [_("请填写理由。")]})
    intermediary.status = Intermediary.Status.APPROVED if approve else Intermediary.Status.REJECTED
    intermediary.reviewed_by, intermediary.reviewed_at, intermediary.review_note = user, timezone.now(), note.strip()
    intermediary.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _log(user, "market.intermediary.approved" if approve else "market.intermediary.rejected", intermediary, note=note)
    return intermediary


@transaction.atomic
def blacklist(*, user, intermediary: Intermediary, reason: str, starts_on: dt.date, ends_on: dt.date) -> Blacklisting:
    _check_centre(user)
    if not reason.strip():
        raise Invalid(_("请填写列入黑名单的原因。"), code="reason_required", fields={"reason": [_("请填写原因。")]})
    if ends_on < starts_on:
        raise Invalid(
            _("黑名单截止日期不能早于起始日期。"),
            code="bad_period",
            fields={"ends_on": [_("截止日期不能早于起始日期。")]},
        )
    entry = Blacklisting.objects.create(
        intermediary=intermediary, reason=reason.strip(), starts_on=starts_on, ends_on=ends_on, recorded_by=user
    )
    _log(
        user,
        "market.intermediary.blacklisted",
        intermediary,
        reason=reason,
        starts_on=str(starts_on),
        ends_on=str(ends_on),
    )
    return entry


@transaction.atomic
def blacklist_lift(*, user, entry: Blacklisting, reason: str) -> Blacklisting:
    """The centre lifts a blacklist entry before its end (e.g. the decision behind it was quashed):
    the reason is required and logged; the intermediary is selectable again from that moment."""
    _check_centre(user)
    if not reason.strip():
        raise Invalid(_("提前解除黑名单须说明原因。"), code="reason_required", fields={"reason": [_("请填写原因。")]})
    entry = Blacklisting.objects.select_for_update(of=("self",)).select_related("intermediary__enterprise").get(
        pk=entry.pk
    )
    if entry.lifted_at is not None:
        raise Conflict(_("该黑名单记录已解除。"), code="already_lifted")
    if entry.ends_on < _today():
        raise Conflict(_("该黑名单记录已期满,无需解除。"), code="expired")
    entry.lifted_at, entry.lifted_by, entry.lift_reason = timezone.now(), user, reason.strip()[:255]
    entry.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    _log(user, "market.intermediary.blacklist_lifted", entry.intermediary, entry=entry.pk, reason=entry.lift_reason,
         ends_on=str(entry.ends_on))
    return entry


@transaction.atomic
def bar_department(*, user, intermediary: Intermediary, department: Department, reason: str) -> DepartmentBar:
    _check_centre(user)
    bar, _created = DepartmentBar.objects.get_or_create(
        intermediary=intermediary, department=department, defaults={"reason": reason, "recorded_by": user}
    )
    _log(user, "market.intermediary.barred", intermediary, department=department.code, reason=reason)
    return bar


# --- conflict of interest -------------------------------------------------------------------------


def deciding_department_ids(demand: Demand) -> set[int]:
    """The departments that decide the case a demand is tied to."""
    ids = set()
    if demand.matter_id:
        ids.add(demand.matter.department_id)
    if demand.application_id:
        ids |= set(demand.application.subcases.values_list("department_id", flat=True))
        ids |= set(demand.application.matters.values_list("department_id", flat=True))
    return ids


def owner_conflict(demand: Demand) -> str | None:
    """A department may not appoint an intermediary for a case it decides itself."""
    if demand.owner_department_id and demand.owner_department_id in deciding_department_ids(demand):
        return _("利益冲突:%(dept)s是该项目关联事项的审批部门,不得为本部门审批的事项委托中介服务。") % {
            "dept": demand.owner_department.name
        }
    return None


def conflict(demand: Demand, intermediary: Intermediary) -> str | None:
    """Why `intermediary` may not serve `demand` (a Chinese sentence), or None."""
    owner = owner_conflict(demand)
    if owner:
        return owner
    deciding = deciding_department_ids(demand)
    bar = (
        DepartmentBar.objects.filter(intermediary=intermediary, department_id__in=deciding)
        .select_related("department")
        .first()
    )
    if bar is not None:
        return _("利益冲突:%(name)s须回避%(dept)s审批的事项(%(reason)s),不能承接该项目。") % {
            "name": intermediary.name,
            "dept": bar.department.name,
            "reason": bar.reason,
        }
    if demand.owner_enterprise_id and demand.owner_enterprise_id == intermediary.enterprise_id:
        return _("项目业主不能承接自己发布的项目。")
    return None


# --- demands --------------------------------------------------------------------------------------


@transaction.atomic
def demand_post(
    *,
    user,
    service_item: ServiceItem,
    title: str,
    scope: str,
    budget_ceiling_fen: int,
    bid_deadline: dt.date,
    service_days: int,
    method: str,
    owner_enterprise: Enterprise | None = None,
    matter=None,
    application: Application | None = None,
) -> Demand:
    """An enterprise's staff member posts for the enterprise; a department's reviewer posts for
    the department (buying with public money)."""
    owner_department = None
    if owner_enterprise is not None:
        if owner_enterprise.pk not in selectors.member_enterprise_ids(user):
            raise Forbidden(_("您不是该企业的经办人,不能以其名义发布需求。"), code="not_enterprise_member")
    elif user.role == user.Role.REVIEWER and user.department_id:
        owner_department = user.department
    else:
        raise Forbidden(_("只有企业经办人或部门工作人员可以发布中介服务需求。"), code="may_not_post")
    if not service_item.is_active:
        raise Invalid(_("该服务事项已停用。"), code="inactive_item")
    if method not in Demand.Method.values:
        raise Invalid(_("请选择选取方式。"), code="bad_method", fields={"method": [_("请选择选取方式。")]})
    if budget_ceiling_fen <= 0:
        raise Invalid(_("最高限价须大于 0。"), code="bad_ceiling", fields={"budget_ceiling": [_("最高限价须大于 0。")]})
    if bid_deadline < _today():
        raise Invalid(
            _("报名截止日期不能早于今天。"), code="bad_deadline", fields={"bid_deadline": [_("不能早于今天。")]}
        )
    if not 1 <= service_days <= 365:
        raise Invalid(
            _("服务时限须为 1 至 365 个工作日。"), code="bad_days", fields={"service_days": [_("1 至 365。")]}
        )
    if matter is not None and not service_item.matters.filter(pk=matter.pk).exists():
        raise Invalid(
            _("所选审批事项不需要该项中介服务。"), code="matter_not_linked", fields={"matter": [_("事项与服务不符。")]}
        )
    if application is not None:
        mine = (
            application.applicant_id == user.pk
            if owner_enterprise is None
            else application.enterprise_id == owner_enterprise.pk
        )
        if not mine:
            raise Forbidden(_("只能关联本单位的办件。"), code="not_own_application")
    demand = Demand(
        title=title,
        scope=scope,
        service_item=service_item,
        matter=matter,
        application=application,
        budget_ceiling_fen=budget_ceiling_fen,
        bid_deadline=bid_deadline,
        service_days=service_days,
        method=method,
        owner_enterprise=owner_enterprise,
        owner_department=owner_department,
        posted_by=user,
    )
    demand.seed = draw_rules.new_seed()
    demand.seed_commitment = draw_rules.commitment(demand.seed)
    reason = owner_conflict(demand)
    if reason:
        raise Forbidden(reason, code="conflict_of_interest")
    demand.save()
    demand.number = f"ZJ{demand.posted_at.year}{demand.pk:06d}"
    demand.save(update_fields=["number"])
    _log(user, "market.demand.posted", demand, number=demand.number, method=method, ceiling_fen=budget_ceiling_fen)
    return demand


@transaction.atomic
def demand_cancel(*, user, demand: Demand, reason: str) -> Demand:
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=demand.pk)
    if not selectors.is_owner(user, demand):
        raise Forbidden(_("只有项目业主可以撤销需求。"), code="not_owner")
    if demand.state != Demand.State.OPEN:
        raise Conflict(_("该项目已选定或已结束,不能撤销。"), code="not_open")
    if not reason.strip():
        raise Invalid(_("撤销项目须说明原因。"), code="reason_required", fields={"reason": [_("请填写原因。")]})
    demand.state, demand.result_note = Demand.State.CANCELLED, _("项目业主已撤销:%(r)s") % {"r": reason.strip()[:200]}
    demand.save(update_fields=["state", "result_note"])
    _log(user, "market.demand.cancelled", demand, reason=reason.strip())
    for bid in selectors.bids_of(demand).select_related("submitted_by"):
        _tell(bid.submitted_by, title=_("中介服务项目 %(n)s 已撤销") % {"n": demand.number},
              body=_("您报名的“%(t)s”已由项目业主撤销,原因:%(r)s。") % {"t": demand.title, "r": reason.strip()},
              link=_demand_link(demand), key=f"cancelled:{demand.pk}:{bid.pk}")
    return demand


def _selectability_refusal(intermediary: Intermediary, service_item: ServiceItem, day: dt.date) -> str | None:
    if intermediary.status != Intermediary.Status.APPROVED:
        return _("%(name)s尚未通过政务服务中心审核。") % {"name": intermediary.name}
    entry = Blacklisting.objects.in_force(day).filter(intermediary=intermediary).order_by("-ends_on").first()
    if entry is not None:
        return _("%(name)s在黑名单期内(至 %(until)s),不能参与选取。") % {
            "name": intermediary.name,
            "until": entry.ends_on.isoformat(),
        }
    if not Qualification.objects.valid_on(day).filter(intermediary=intermediary, service_item=service_item).exists():
        return _("%(name)s没有“%(item)s”的有效资质(资质已过期或未登记)。") % {
            "name": intermediary.name,
            "item": service_item.name,
        }
    return None


@transaction.atomic
def bid_submit(*, user, demand: Demand, intermediary: Intermediary, price_fen: int, days: int, note: str = "") -> Bid:
    if not selectors.acts_for(user, intermediary.pk):
        raise Forbidden(_("只有该中介机构的经办人可以报名。"), code="not_intermediary_member")
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("service_item", "matter", "owner_department")
        .get(pk=demand.pk)
    )
    today = _today()
    if demand.state != Demand.State.OPEN or today > demand.bid_deadline:
        raise Conflict(_("该项目已截止报名。"), code="closed")
    refusal = _selectability_refusal(intermediary, demand.service_item, today)
    if refusal:
        raise Forbidden(refusal, code="not_selectable")
    reason = conflict(demand, intermediary)
    if reason:
        raise Forbidden(reason, code="conflict_of_interest")
    _check_offer(demand, price_fen=price_fen, days=days)
    if Bid.objects.filter(demand=demand, intermediary=intermediary).exists():
        raise Conflict(_("贵单位已报名该项目。"), code="already_bid")
    bid = Bid.objects.create(
        demand=demand, intermediary=intermediary, price_fen=price_fen, days=days, note=note, submitted_by=user
    )
    _log(user, "market.bid.submitted", demand, intermediary=intermediary.credit_code, price_fen=price_fen)
    _tell(demand.posted_by, title=_("中介服务项目 %(n)s 有新的报名") % {"n": demand.number},
          body=_("%(who)s报名了“%(t)s”,报名截止 %(d)s。") % {
              "who": intermediary.name, "t": demand.title, "d": demand.bid_deadline.isoformat()},
          link=_demand_link(demand), key=f"bid:{bid.pk}")
    return bid


def _check_offer(demand: Demand, *, price_fen: int, days: int) -> None:
    """A bid's price within the demand's ceiling and its days within the service time limit."""
    if price_fen <= 0:
        raise Invalid(_("报价须大于 0。"), code="bad_price", fields={"price": [_("报价须大于 0。")]})
    if price_fen > demand.budget_ceiling_fen:
        message = _("报价 %(price)s 元超过该项目的最高限价 %(ceiling)s 元,不能报名。") % {
            "price": yuan(price_fen),
            "ceiling": demand.ceiling_yuan,
        }
        raise Invalid(message, code="above_ceiling", fields={"price": [message]})
    if not 1 <= days <= demand.service_days:
        message = _("承诺服务时限须为 1 至 %(n)s 个工作日。") % {"n": demand.service_days}
        raise Invalid(message, code="bad_days", fields={"days": [message]})


def _open_bid(user, bid: Bid) -> Bid:
    """The bid, locked with its demand, when its bidder may still change it (before the deadline)."""
    bid = Bid.objects.select_related("intermediary__enterprise").get(pk=bid.pk)
    if not selectors.acts_for(user, bid.intermediary_id):
        raise Forbidden(_("只有报名单位的经办人可以修改或撤回报名。"), code="not_intermediary_member")
    demand = Demand.objects.select_for_update(of=("self",)).get(pk=bid.demand_id)
    if demand.state != Demand.State.OPEN or _today() > demand.bid_deadline:
        raise Conflict(_("该项目已截止报名(%(d)s),不能再修改或撤回报名。") % {"d": demand.bid_deadline.isoformat()},
                       code="closed")
    bid = Bid.objects.select_for_update(of=("self",)).select_related("intermediary__enterprise").get(pk=bid.pk)
    bid.demand = demand
    return bid


@transaction.atomic
def bid_update(*, user, bid: Bid, price_fen: int, days: int, note: str = "") -> Bid:
    """The bidder changes its price, time limit or note before the deadline (within the ceiling)."""
    bid = _open_bid(user, bid)
    demand = bid.demand
    _check_offer(demand, price_fen=price_fen, days=days)
    before = {"price_fen": bid.price_fen, "days": bid.days}
    bid.price_fen, bid.days, bid.note = price_fen, days, note
    bid.save(update_fields=["price_fen", "days", "note"])
    _log(user, "market.bid.updated", demand, intermediary=bid.intermediary.credit_code, before=before,
         price_fen=price_fen, days=days)
    return bid


@transaction.atomic
def bid_withdraw(*, user, bid: Bid) -> None:
    """The bidder withdraws before the deadline: the bid is gone from the list the selection uses."""
    bid = _open_bid(user, bid)
    demand = bid.demand
    code, price = bid.intermediary.credit_code, bid.price_fen
    bid.delete()
    _log(user, "market.bid.withdrawn", demand, intermediary=code, price_fen=price)


def eligible_bids(demand: Demand, *, day: dt.date) -> tuple[list[Bid], list[dict]]:
    """(the bids that may be selected on `day`, the others with the reason) — a qualification may
    have expired or a blacklist entry begun since the bid."""
    eligible, excluded = [], []
    for bid in selectors.bids_of(demand):
        reason = _selectability_refusal(bid.intermediary, demand.service_item, day) or conflict(
            demand, bid.intermediary
        )
        if reason:
            excluded.append(
                {"credit_code": bid.intermediary.credit_code, "name": bid.intermediary.name, "reason": reason}
            )
        else:
            eligible.append(bid)
    return eligible, excluded


@transaction.atomic
def demand_select(*, user, demand: Demand, bid_id: int | None = None, scores: dict[int, int] | None = None):
    """The owner selects by the demand's method after the bidding closed. Returns the contract,
    or None when no bid can be selected (流标)."""
    demand = (
        Demand.objects.select_for_update(of=("self",))
        .select_related("service_item", "matter", "owner_department")
        .get(pk=demand.pk)
    )
    if not selectors.is_owner(user, demand):
        raise Forbidden(_("只有项目业主可以选取中介机构。"), code="not_owner")
    if demand.state != Demand.State.OPEN:
        raise Conflict(_("该项目已选定或已结束。"), code="not_open")
    today = _today()
    if today <= demand.bid_deadline:
        raise Conflict(_("报名截止(%(day)s)后方可选取。") % {"day": demand.bid_deadline.isoformat()}, code="still_open")
    eligible, excluded = eligible_bids(demand, day=today)
    demand.excluded = excluded
    winner = None
    if not eligible:
        demand.state, demand.result_note = Demand.State.FAILED, _("没有符合条件的报名单位,项目流标。")
    elif demand.method == Demand.Method.DIRECT:
        winner = next((b for b in eligible if b.pk == bid_id), None)
        if winner is None:
            raise Invalid(_("请从符合条件的报名单位中选择一家。"), code="bad_choice", fields={"bid": [_("请选择。")]})
        demand.result_note = _("项目业主直接选取。")
    elif demand.method == Demand.Method.DRAW:
        codes = [b.intermediary.credit_code for b in eligible]
        ordered = draw_rules.ordered(codes)
        result = draw_rules.draw(demand.seed, ordered)
        winner = next(b for b in eligible if b.intermediary.credit_code == result.winner)
        demand.draw_list, demand.draw_digest, demand.draw_index = ordered, result.digest, result.index
        demand.result_note = _("随机抽取:在 %(n)s 家符合条件的报名单位中抽中第 %(i)s 家。") % {
            "n": len(ordered),
            "i": result.index + 1,
        }
    elif demand.method == Demand.Method.LOWEST:
        winner = min(eligible, key=lambda b: (b.price_fen, b.submitted_at, b.pk))
        demand.result_note = _("最低报价中选。")
    else:  # scored
        scores = scores or {}
        missing = [b for b in eligible if not 0 <= scores.get(b.pk, -1) <= 100]
        if missing:
            raise Invalid(
                _("请为每一家符合条件的报名单位评分(0–100 分)。"),
                code="scores_required",
                fields={f"score_{b.pk}": [_("请填写 0–100 的分数。")] for b in missing},
            )
        for bid in eligible:
            bid.score = scores[bid.pk]
            bid.save(update_fields=["score"])
        winner = min(eligible, key=lambda b: (-b.score, b.price_fen, b.submitted_at, b.pk))
        demand.result_note = _("综合评分最高者中选(%(s)s 分)。") % {"s": winner.score}
    demand.selected_at, demand.selected_by = timezone.now(), user
    contract = None
    if winner is not None:
        demand.state, demand.winning_bid = Demand.State.SELECTED, winner
        contract = _sign(demand, winner, day=today)
    demand.save()
    _log(
        user,
        "market.demand.selected",
        demand,
        state=demand.state,
        winner=winner.intermediary.credit_code if winner else None,
    )
    for bid in selectors.bids_of(demand).select_related("submitted_by"):
        if winner is not None and bid.pk == winner.pk:
            title = _("您已中选中介服务项目 %(n)s") % {"n": demand.number}
            body = _("“%(t)s”选定贵单位承接,服务费 %(fee)s 元,应于 %(due)s 前交付成果。") % {
                "t": demand.title, "fee": contract.fee_yuan, "due": contract.due_on.isoformat()}
        else:
            title = _("中介服务项目 %(n)s 选取结果") % {"n": demand.number}
            body = _("“%(t)s”的选取结果已公布:%(r)s") % {
                "t": demand.title,
                "r": _("由%(w)s承接。") % {"w": winner.intermediary.name} if winner else demand.result_note}
        _tell(bid.submitted_by, title=title, body=body, link=_demand_link(demand), key=f"result:{demand.pk}:{bid.pk}")
    return contract


def _sign(demand: Demand, bid: Bid, *, day: dt.date) -> Contract:
    calendar = load_calendar(today=day)
    due = calendar.add_workdays(day, bid.days)
    return Contract.objects.create(
        demand=demand,
        bid=bid,
        intermediary=bid.intermediary,
        fee_fen=bid.price_fen,
        service_days=bid.days,
        signed_on=day,
        due_on=due,
        due_provisional=calendar.is_provisional(day, due),
    )


# --- the contract ---------------------------------------------------------------------------------


@transaction.atomic
def contract_deliver(*, user, contract: Contract, upload) -> Contract:
    contract = (
        Contract.objects.select_for_update(of=("self",)).select_related("intermediary__enterprise").get(pk=contract.pk)
    )
    if not selectors.acts_for(user, contract.intermediary_id):
        raise Forbidden(_("只有承接该项目的中介机构可以交付成果。"), code="not_intermediary_member")
    if contract.state != Contract.State.IN_SERVICE:
        raise Conflict(_("该合同的成果已交付。"), code="already_delivered")
    if upload is None:
        raise Invalid(_("请上传服务成果文件。"), code="file_required", fields={"report": [_("请选择文件。")]})
    info = inspect_upload(upload, field="report", digest=False)
    contract.report_sha256 = save_streamed(contract.report, upload, extension=info["extension"])
    contract.report_name, contract.report_size = upload.name[:255], info["size"]
    contract.delivered_on, contract.delivered_by = _today(), user
    contract.late = contract.delivered_on > contract.due_on
    contract.state = Contract.State.DELIVERED
    contract.save()
    _log(user, "market.contract.delivered", contract.demand, late=contract.late, sha256=contract.report_sha256)
    late = _("(逾期交付,应交付日期 %(d)s)") % {"d": contract.due_on.isoformat()} if contract.late else ""
    _tell(contract.demand.posted_by, title=_("中介服务项目 %(n)s 的成果已交付") % {"n": contract.number},
          body=_("%(who)s交付了“%(t)s”的成果%(late)s,可在新申请或补正时作为材料使用,请评价。") % {
              "who": contract.intermediary.name, "t": contract.demand.title, "late": late},
          link=_contract_link(contract), key=f"delivered:{contract.pk}")
    return contract


def remind_late_contracts(day: dt.date) -> int:
    """Tell each owner once that a contract passed its due date undelivered (beat, daily hours);
    returns how many owners were told."""
    told = 0
    late = Contract.objects.filter(state=Contract.State.IN_SERVICE, due_on__lt=day).select_related(
        "demand__posted_by", "intermediary__enterprise")
    for contract in late:
        with transaction.atomic():
            _tell(contract.demand.posted_by, title=_("中介服务项目 %(n)s 逾期未交付") % {"n": contract.number},
                  body=_("%(who)s应于 %(d)s 前交付“%(t)s”的成果,至今未交付;逾期将计入其信用记录,"
                         "可在合同页面查看,或向政务服务中心投诉。") % {
                      "who": contract.intermediary.name, "d": contract.due_on.isoformat(), "t": contract.demand.title},
                  link=_contract_link(contract), key=f"late:{contract.pk}")
        told += 1
    return told


@transaction.atomic
def contract_rate(*, user, contract: Contract, rating: int, comment: str = "") -> Contract:
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("demand__owner_department", "demand__owner_enterprise")
        .get(pk=contract.pk)
    )
    if not selectors.is_owner(user, contract.demand):
        raise Forbidden(_("只有项目业主可以评价。"), code="not_owner")
    if contract.state != Contract.State.DELIVERED:
        raise Conflict(_("成果交付后方可评价,且只能评价一次。"), code="not_delivered")
    if not 1 <= rating <= 5:
        raise Invalid(_("评价须为 1 至 5 星。"), code="bad_rating", fields={"rating": [_("1 至 5 星。")]})
    if rating <= 2 and not comment.strip():
        raise Invalid(_("差评须说明理由。"), code="reason_required", fields={"comment": [_("请说明理由。")]})
    contract.rating, contract.rating_comment = rating, comment.strip()
    contract.rated_at, contract.rated_by, contract.state = timezone.now(), user, Contract.State.CLOSED
    contract.save()
    _log(user, "market.contract.rated", contract.demand, rating=rating)
    return contract


def usable_materials(user, contract: Contract):
    """The owner's outstanding 容缺 materials this contract's report can fulfil: materials of the
    matters that need the service, on applications of the owner."""
    demand = contract.demand
    if not selectors.is_owner(user, demand) or not contract.report:
        return Material.objects.none()
    owned = (
        Material.objects.filter(application__enterprise=demand.owner_enterprise)
        if demand.owner_enterprise_id
        else Material.objects.filter(application__applicant=user, application__enterprise__isnull=True)
    )
    return owned.filter(
        source=Material.Source.DEFERRED,
        fulfilled_at__isnull=True,
        requirement__matter__in=demand.service_item.matters.all(),
    ).select_related("application", "requirement")


def report_use(*, user, contract: Contract, material: Material) -> Material:
    """Attach the delivered report to one of the owner's applications: a 容缺 material is provided
    through workflow's own path (`deferred_material_provide`), which records it as a material of
    source 中介服务成果 referring to the delivered file (market.reuse), tells the deciding
    departments and writes the case log; `reuse.record_uses` links it to the contract."""
    from . import reuse

    with transaction.atomic():
        contract = Contract.objects.select_related(
            "demand__service_item", "demand__owner_enterprise", "demand__owner_department", "intermediary__enterprise"
        ).get(pk=contract.pk)
        if not selectors.is_owner(user, contract.demand):
            raise Forbidden(_("只有项目业主可以使用该成果。"), code="not_owner")
        if contract.state == Contract.State.IN_SERVICE or not contract.report:
            raise Conflict(_("成果尚未交付。"), code="not_delivered")
        if not usable_materials(user, contract).filter(pk=material.pk).exists():
            raise Invalid(_("该成果不能用于此材料:只能补交本单位办件中需要该项服务的容缺材料。"), code="not_usable")
        workflow_services.deferred_material_provide(
            material=material, actor=user, report=reuse.offer_of(contract, material.requirement_id)
        )
        handed_in = (
            Material.objects.filter(
                application_id=material.application_id, requirement_id=material.requirement_id, replaced_by__isnull=True
            )
            .exclude(pk=material.pk)
            .order_by("-pk")
            .first()
        )
        _log(
            user, "market.report.used", contract.demand, application=material.application.number, material=material.name
        )
    return handed_in
