"""好差评: rating links, ratings, follow-ups of bad ratings (整改, 回访) and appeals (申诉).

Where the links come from: the occasions of a case are facts `workflow` already records on the
application (accepted at a window by a clerk, delivered at a window, concluded), so supervision
derives them when someone needs a link — the citizen opening "评价" on their application, the
clerk opening the rating page at the end of a visit — and no hook in `workflow` or `windows` is
needed (docs/decisions.md, "Ratings: links made from the case's facts"). A link is one
`RatingToken` per window visit (application, occasion) or per decided sub-case, valid `RATING_VALID_DAYS` days after the occasion.

Used once: `rating_submit` marks the token used with a conditional UPDATE (`used_at IS NULL`),
so of two submissions racing each other exactly one rates.

A bad rating (不满意/非常不满意) opens a `FollowUp` due `FOLLOWUP_DAYS` working days later,
assigned to the department that made the rated decision, or to the hall of a rated window visit;
the sweep raises its cards. The rated side records call-backs and closes it with its reply,
or appeals the rating; a supervisor rules on the appeal (the one thing supervisors decide here,
besides escalated complaints: they never change a case).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import intents
from core.errors import Conflict, Forbidden, Invalid, NotFound
from windows.models import Seat
from workflow.calendar_store import load_calendar
from workflow.models import Application, Channel, SubCase
from workflow.uploads import inspect_upload

from .models import (
    BAD_LEVELS,
    BAD_REASONS,
    COMMENT_MAX,
    CallBack,
    FeedbackLog,
    FollowUp,
    Occasion,
    Rating,
    RatingAppeal,
    RatingLevel,
    RatingToken,
)

REFRESH_FIGURE_DAYS = "supervision.tasks.refresh_figure_days"  # supervision.figures.tasks
FOLLOWUP_DAYS = 15  # working days to rectify and call back after a bad rating (national 好差评 rules)
RATING_VALID_DAYS = 30  # calendar days after the occasion during which its link can be used
SUMMARY_MAX = 2000


def _today():
    return timezone.localdate()


def log(*, actor=None, action, note="", rating=None, complaint=None):
    FeedbackLog.objects.create(rating=rating, complaint=complaint, actor=actor if getattr(actor, "pk", None) else None,
                               action=action, note=note)


def clerk_hall_ids(user, day: dt.date | None = None) -> list[int]:
    """The halls where a clerk sits on `day` (today)."""
    if not getattr(user, "is_clerk", False):
        return []
    day = day or _today()
    return sorted(set(Seat.objects.on(day).filter(clerk=user).values_list("window__hall_id", flat=True)))


# --- occasions and links ------------------------------------------------------------------------


def occasions(application: Application) -> list[dict]:
    """What of this case can be rated, from the facts on the application and its sub-cases:
    {"occasion", "clerk", "hall", "department", "subcase", "at"} (the moment it happened).

    A window visit (acceptance of a walk-in, a result handed out) rates the clerk and the hall; each
    decided sub-case rates the department that decided it, on either channel (a case of three
    departments has three decisions to rate). A case rated as a whole before issue 17 (occasion
    "online") keeps that rating and offers no decision on top of it."""
    found = []
    if application.channel == Channel.WINDOW and application.accepted_by_id and application.accepted_at:
        found.append({"occasion": Occasion.WINDOW_ACCEPT, "clerk": application.accepted_by,
                      "hall": application.accepted_hall, "department": None, "subcase": None,
                      "at": application.accepted_at})
    if not RatingToken.objects.filter(application=application, occasion=Occasion.ONLINE).exists():
        decided = (application.subcases.filter(state__in=SubCase.DECIDED_STATES, decided_at__isnull=False)
                   .select_related("department", "matter").order_by("decided_at", "pk"))
        found.extend({"occasion": Occasion.DECISION, "clerk": None, "hall": None, "department": sc.department,
                      "subcase": sc, "at": sc.decided_at} for sc in decided)
    if application.delivered_by_id and application.delivered_at:
        found.append({"occasion": Occasion.WINDOW_DELIVER, "clerk": application.delivered_by,
                      "hall": application.delivery_hall, "department": None, "subcase": None,
                      "at": application.delivered_at})
    return found


def _expires(moment):
    return moment + dt.timedelta(days=RATING_VALID_DAYS)


def _existing(application, occasion, subcase_id):
    tokens = RatingToken.objects.filter(application=application, occasion=occasion)
    return tokens.filter(subcase_id=subcase_id).first() if subcase_id else tokens.filter(subcase__isnull=True).first()


def rating_token_issue(*, application: Application, occasion: str, subcase: SubCase | int | None = None) -> RatingToken:
    """The link for one occasion of a case (for a decision: of one sub-case; may be left out when
    the case has only one decision): the existing one, or a new random one. Refused when the case
    has no such occasion (yet) or its rating period is over and it was never made."""
    subcase_id = getattr(subcase, "pk", subcase)
    if occasion == Occasion.DECISION and subcase_id is None:
        decisions = [o for o in occasions(application) if o["occasion"] == Occasion.DECISION]
        if len(decisions) > 1:
            raise Invalid(_("该办件有多个部门的审批决定,请选择要评价的决定。"), code="subcase_required")
        subcase_id = decisions[0]["subcase"].pk if decisions else None
    token = _existing(application, occasion, subcase_id)
    if token is not None:
        return token
    spec = next((o for o in occasions(application) if o["occasion"] == occasion
                 and getattr(o["subcase"], "pk", None) == subcase_id), None)
    if spec is None:
        raise Conflict(_("该办件目前没有可评价的%(occasion)s环节。") % {"occasion": Occasion(occasion).label},
                       code="nothing_to_rate")
    if _expires(spec["at"]) <= timezone.now():
        raise Conflict(_("已超过评价期限(%(days)s 天)。") % {"days": RATING_VALID_DAYS}, code="rating_expired")
    try:
        with transaction.atomic():
            return RatingToken.objects.create(
                token=secrets.token_urlsafe(32), application=application, occasion=occasion, clerk=spec["clerk"],
                hall=spec["hall"], department=spec["department"], subcase=spec["subcase"],
                expires_at=_expires(spec["at"]),
            )
    except IntegrityError:  # made at the same moment by another request
        return _existing(application, occasion, subcase_id)


def rating_tokens_for(application: Application) -> list[RatingToken]:
    """Every link of the case that exists or can still be made (made now), in the order of the
    case: window acceptance, the decisions, the result handed out; plus an old whole-case link."""
    tokens = []
    for spec in occasions(application):
        try:
            tokens.append(rating_token_issue(application=application, occasion=spec["occasion"],
                                             subcase=spec["subcase"]))
        except Conflict:
            continue
    tokens.extend(RatingToken.objects.filter(application=application, occasion=Occasion.ONLINE))
    return tokens


def access_rating_token(token: str) -> RatingToken:
    token = (token or "").strip()
    found = RatingToken.objects.select_related(
        "application", "clerk", "hall", "department", "subcase__matter", "rating").filter(
        token=token).first() if token else None
    if found is None or len(token) < 20:
        raise NotFound(_("评价链接无效,请核对后重试。"), code="rating_link_not_found")
    return found


# --- rating -------------------------------------------------------------------------------------


def _clean_rating(level, comment, reasons):
    errors = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = None
    if level not in RatingLevel.values:
        errors["level"] = [_("请选择评价等级。")]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("评价内容不超过 %(n)s 个字。") % {"n": COMMENT_MAX}]
    reasons = [r for r in dict.fromkeys(reasons or []) if r]
    if any(r not in BAD_REASONS for r in reasons):
        errors["reasons"] = [_("差评原因不在可选范围内。")]
    if errors:
        raise Invalid(_("评价有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_rating", fields=errors)
    if level not in BAD_LEVELS:
        reasons = []
    return level, comment, reasons


@transaction.atomic
def rating_submit(*, token: RatingToken, level, comment: str = "", reasons=None, actor=None) -> Rating:
    """Rate once through a link. The token is claimed by a conditional UPDATE, so two
    submissions at once make exactly one rating; a bad rating opens its follow-up."""
    level, comment, reasons = _clean_rating(level, comment, reasons)
    now = timezone.now()
    claimed = RatingToken.objects.filter(pk=token.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    if not claimed:
        token.refresh_from_db()
        if token.used_at is not None:
            raise Conflict(_("该评价链接已使用,每次办事只能评价一次。"), code="already_rated")
        raise Conflict(_("已超过评价期限(%(days)s 天)。") % {"days": RATING_VALID_DAYS}, code="rating_expired")
    today = timezone.localdate(now)
    rating = Rating.objects.create(
        token=token, application=token.application, occasion=token.occasion, clerk=token.clerk, hall=token.hall,
        department=token.department, level=level, reasons=reasons, comment=comment, rated_on=today,
    )
    log(actor=actor, rating=rating, action="supervision.rating.submitted", note=rating.get_level_display())
    if rating.is_bad:
        due = load_calendar().add_workdays(today, FOLLOWUP_DAYS)
        FollowUp.objects.create(rating=rating, department=token.department,
                                hall=None if token.department_id else token.hall, opened_on=today, due=due)
        log(rating=rating, action="supervision.followup.opened", note=_("整改期限 %(due)s") % {"due": due})
    return rating


# --- follow-up ------------------------------------------------------------------------------------


def may_handle(user, *, department_id, hall_id) -> bool:
    """The rated side: the department's reviewers, or the clerks seated today in the hall."""
    if not getattr(user, "is_authenticated", False):
        return False
    if department_id:
        return user.is_reviewer and user.department_id == department_id
    if hall_id:
        return hall_id in clerk_hall_ids(user)
    return False


def _locked_followup(followup, user):
    followup = FollowUp.objects.select_for_update().get(pk=followup.pk)
    if not may_handle(user, department_id=followup.department_id, hall_id=followup.hall_id):
        raise Forbidden(_("只有被评价的部门或大厅的工作人员可以办理该差评整改。"), code="not_responsible")
    if not followup.is_open:
        raise Conflict(_("该差评整改已办结。"), code="followup_closed")
    return followup


@transaction.atomic
def followup_call_back(*, followup: FollowUp, user, method: str, summary: str, called_at=None,
                       satisfied: bool | None = None) -> CallBack:
    """Record a call-back (回访): when, how, what the citizen said."""
    followup = _locked_followup(followup, user)
    errors = {}
    if method not in CallBack.Method.values:
        errors["method"] = [_("请选择回访方式。")]
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = [_("请填写回访情况。")]
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = [_("不超过 %(n)s 个字。") % {"n": SUMMARY_MAX}]
    called_at = called_at or timezone.now()
    if called_at > timezone.now() + dt.timedelta(minutes=5):
        errors["called_at"] = [_("回访时间不能晚于现在。")]
    if errors:
        raise Invalid(_("回访记录有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_call_back", fields=errors)
    callback = CallBack.objects.create(followup=followup, method=method, summary=summary, called_at=called_at,
                                       satisfied=satisfied, by=user)
    log(actor=user, rating=followup.rating, action="supervision.followup.called_back",
        note=f"{callback.get_method_display()}:{summary}")
    return callback


@transaction.atomic
def followup_close(*, followup: FollowUp, user, reply: str) -> FollowUp:
    """Close a follow-up with the rectification reply (整改情况); at least one call-back first."""
    followup = _locked_followup(followup, user)
    reply = (reply or "").strip()
    if not reply:
        raise Invalid(_("请填写整改情况。"), code="reply_required", fields={"reply": [_("请填写整改情况。")]})
    if len(reply) > SUMMARY_MAX:
        raise Invalid(_("整改情况不超过 %(n)s 个字。") % {"n": SUMMARY_MAX}, code="reply_too_long",
                      fields={"reply": [_("内容过长。")]})
    if not followup.callbacks.exists():
        raise Conflict(_("请先回访群众并记录回访情况,再办结整改。"), code="call_back_first")
    now = timezone.now()
    followup.reply, followup.replied_by, followup.replied_at = reply, user, now
    followup.state, followup.closed_at, followup.closed_on = FollowUp.State.CLOSED, now, timezone.localdate(now)
    followup.save()
    log(actor=user, rating=followup.rating, action="supervision.followup.closed", note=reply)
    return followup


# --- appeal -------------------------------------------------------------------------------------


@transaction.atomic
def rating_appeal(*, rating: Rating, user, kind: str, statement: str, evidence=None) -> RatingAppeal:
    """The rated side appeals a bad rating as mistaken or malicious, once, with evidence."""
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    if not may_handle(user, department_id=rating.department_id,
                      hall_id=None if rating.department_id else rating.hall_id):
        raise Forbidden(_("只有被评价的部门或大厅的工作人员可以申诉。"), code="not_responsible")
    if not rating.is_bad:
        raise Conflict(_("只能对差评提出申诉。"), code="not_a_bad_rating")
    if RatingAppeal.objects.filter(rating=rating).exists():
        raise Conflict(_("该差评已申诉,不能再次申诉。"), code="already_appealed")
    errors = {}
    if kind not in RatingAppeal.Kind.values:
        errors["kind"] = [_("请选择申诉类型。")]
    statement = (statement or "").strip()
    if not statement:
        errors["statement"] = [_("请填写申诉理由。")]
    elif len(statement) > SUMMARY_MAX:
        errors["statement"] = [_("不超过 %(n)s 个字。") % {"n": SUMMARY_MAX}]
    if errors:
        raise Invalid(_("申诉有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_appeal", fields=errors)
    info = inspect_upload(evidence, field="evidence") if evidence else None
    appeal = RatingAppeal(rating=rating, kind=kind, statement=statement, appealed_by=user)
    if info is not None:
        appeal.evidence_name = (evidence.name or "")[-255:]
        appeal.evidence_type = info["content_type"]
        appeal.evidence_sha256 = info["sha256"]
        appeal.evidence.save(f"{info['sha256'][:16]}{info['extension']}", evidence, save=False)
    appeal.save()
    log(actor=user, rating=rating, action="supervision.rating.appealed",
        note=f"{appeal.get_kind_display()}:{statement}")
    return appeal


def _refresh_figures_of(day):
    """The rating leaves the dashboard's rollups of its day: the intent to refresh that day, in
    the decision's transaction (core.intents: the beat only refreshes the last RECENT_DAYS days,
    an appeal may be decided later, and a refresh lost with the broker would leave it counted).
    The task and the key are named, not imported: the figures sit above feedback
    (docs/decisions.md); `supervision.figures.services.record_day_refresh` uses the same key."""
    day = day.isoformat()
    intents.record(REFRESH_FIGURE_DAYS, [day, day], key=f"supervision.figures:{day}")


@transaction.atomic
def rating_appeal_decide(*, appeal: RatingAppeal, supervisor, accept: bool, reason: str) -> RatingAppeal:
    """A supervisor rules: upheld, the rating stays; accepted, the rating is invalid (it leaves
    every count) and its follow-up closes as voided (its cards close at the next sweep)."""
    if not getattr(supervisor, "is_supervisor", False):
        raise Forbidden(_("只有督查人员可以审核差评申诉。"), code="not_a_supervisor")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请填写审核意见。"), code="reason_required", fields={"reason": [_("请填写审核意见。")]})
    appeal = RatingAppeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.state != RatingAppeal.State.PENDING:
        raise Conflict(_("该申诉已审核。"), code="already_decided")
    now = timezone.now()
    appeal.state = RatingAppeal.State.ACCEPTED if accept else RatingAppeal.State.UPHELD
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = supervisor, now, reason
    appeal.save()
    rating = appeal.rating
    if accept:
        Rating.objects.filter(pk=rating.pk).update(is_valid=False)
        FollowUp.objects.filter(rating=rating, state=FollowUp.State.OPEN).update(
            state=FollowUp.State.VOIDED, closed_at=now, closed_on=timezone.localdate(now))
        _refresh_figures_of(rating.rated_on)
    log(actor=supervisor, rating=rating,
        action="supervision.appeal.accepted" if accept else "supervision.appeal.upheld", note=reason)
    return appeal


# --- the terminals' kiosk (terminals.hooks) -----------------------------------------------------------


def kiosk_open_ratings(application: Application) -> list[tuple[str, str]]:
    """The case's ratings a resident can still give at a terminal: (token, what is rated)."""
    out = []
    for token in rating_tokens_for(application):
        if token.used_at is None and token.expires_at > timezone.now():
            out.append((token.token, f"{token.get_occasion_display()} · {token.rated_name}"))
    return out


def kiosk_rate(*, token: str, level, actor, application_id: int) -> str:
    """A rating given at a terminal, by the card holder, for a case of theirs."""
    found = access_rating_token(token)
    if found.application_id != application_id:
        raise NotFound(_("评价链接无效,请核对后重试。"), code="rating_link_not_found")
    rating = rating_submit(token=found, level=level, actor=actor)
    return f"{rating.get_occasion_display()} · {rating.rated_name}:{rating.get_level_display()}"
