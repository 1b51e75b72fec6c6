"""Supervision writes only its own records: the card rules, the cards, contests and rulings, and
the working-day index.

The sweep is set-based SQL over the deadlines stored when they were set (docs/decisions.md,
"Clocks are dates stored when set"): for every trigger one SELECT finds the cases it flags today,
staged in a temporary table; then for every level one UPDATE … WHERE NOT EXISTS closes the open
cards whose condition no longer holds and one INSERT … SELECT opens the cards that are due and
not open yet. Working days are counted by joining `WorkdayIndex` (date → running count of
working days): remaining = idx(due) − idx(today). No Python loop over cases; the same SQL on
SQLite and PostgreSQL except reading the JSON list of a supplement notice, plus PostgreSQL's
planner settings and statistics (see `sweep_deadlines`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.clock import RULES_VERSION, build_calendar, law
from core.clock.law import LICENCE_DAYS, PRE_REVIEW_DAYS, yellow_line_sql
from core.errors import Conflict, Forbidden, Invalid
from core.numbers import is_small_int
from matters.models import Matter
from supervision.feedback.models import Complaint, FollowUp
from workflow.models import Application, CalendarDay, CalendarYear, Material, SubCase, SupplementRequest
from workflow.uploads import inspect_upload

from .models import Card, CardContest, CardLog, CardPolicy, CardThreshold, Step, WorkdayIndex, WorkdayIndexState

logger = logging.getLogger(__name__)

DEFAULT_YELLOW_PERCENT = law.YELLOW_PERCENT
DEFAULT_YELLOW_DAYS = law.YELLOW_FLOOR_DAYS
DEFAULT_REFUSAL_MIN_CHARS = 5
# The working-day index spans the calendar's known years and today, one year before and five after.
INDEX_YEARS_BEFORE = 1
INDEX_YEARS_AFTER = 5
# Follow-ups (差评整改) and complaints are not governed by the card policy (it is per matter kind):
# yellow when at most this many working days remain, red the day after the due date.
FEEDBACK_YELLOW_DAYS = 2
ANALYZE_AFTER = 10000  # cards opened or closed by one sweep after which PostgreSQL re-samples the table

T = Card.Trigger
L = Card.Level


def beijing_today():
    """Beijing date of now (tests move the clock with time-machine)."""
    return timezone.localdate()


# --- the card rules (policies) ---------------------------------------------------------------


def _full_grid(policy, *, source=None):
    """Thresholds for every step and matter kind, copied from `source` where it has them."""
    have = {(t.step, t.matter_kind): t for t in source.thresholds.all()} if source is not None else {}
    rows = []
    for step in Step.values:
        for kind in Matter.Kind.values:
            old = have.get((step, kind))
            rows.append(CardThreshold(
                policy=policy, step=step, matter_kind=kind,
                yellow_percent=old.yellow_percent if old else DEFAULT_YELLOW_PERCENT,
                yellow_days=old.yellow_days if old else DEFAULT_YELLOW_DAYS,
            ))
    CardThreshold.objects.bulk_create(rows)


@transaction.atomic
def ensure_default_policy() -> CardPolicy:
    """The policy of today's behaviour (20 % / 2 working days everywhere), when there is none
    at all (the data migration seeds it; a flushed database may have lost it)."""
    policy = CardPolicy.objects.filter(status=CardPolicy.Status.PUBLISHED).order_by("version").first()
    if policy is not None:
        return policy
    version = (CardPolicy.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    policy = CardPolicy.objects.create(
        version=version, title=_("默认规则"), status=CardPolicy.Status.PUBLISHED, effective_from=dt.date(2000, 1, 1),
        note=_("剩余时限不超过20%或不超过2个工作日亮黄牌,超过期限亮红牌。"),
        refusal_reason_min_chars=DEFAULT_REFUSAL_MIN_CHARS, published_at=timezone.now(),
    )
    _full_grid(policy)
    return policy


def policy_in_force(today: dt.date) -> CardPolicy:
    """The published policy with the latest effective date on or before `today`."""
    policy = (
        CardPolicy.objects.filter(status=CardPolicy.Status.PUBLISHED, effective_from__lte=today)
        .order_by("-effective_from", "-version").first()
    )
    return policy or ensure_default_policy()


def _check_policy_editor(user):
    if not (user.is_superuser or user.role == user.Role.ADMINISTRATOR):
        raise Forbidden(_("只有系统管理员可以修改红黄牌规则。"), code="not_an_administrator")


@transaction.atomic
def policy_create_draft(*, user, copy_from: CardPolicy | None = None, title: str = "") -> CardPolicy:
    """A new draft version, a copy of `copy_from` (default: the policy in force today)."""
    _check_policy_editor(user)
    source = copy_from or policy_in_force(beijing_today())
    version = (CardPolicy.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0) + 1
    policy = CardPolicy.objects.create(
        version=version, title=(title or "").strip() or _("规则修订草稿"),
        note=source.note, refusal_reason_min_chars=source.refusal_reason_min_chars, created_by=user,
    )
    _full_grid(policy, source=source)
    return policy


@transaction.atomic
def policy_update_draft(*, policy: CardPolicy, user, title: str | None = None, refusal_reason_min_chars=None,
                        thresholds: dict | None = None) -> CardPolicy:
    """Change a draft: its title, the refusal minimum, and any cells of its grid, given as
    {(step, matter kind): (yellow percent, yellow days)}. All or nothing."""
    _check_policy_editor(user)
    policy = CardPolicy.objects.select_for_update().get(pk=policy.pk)
    if not policy.is_draft:
        raise Conflict(_("已发布的规则不能修改,请新建草稿。"), code="policy_published")
    errors = {}
    cells = {}
    for (step, kind), (percent, days) in (thresholds or {}).items():
        if step not in Step.values or kind not in Matter.Kind.values:
            continue
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            errors[f"pct_{step}_{kind}"] = [_("比例为0至100之间的整数。")]
        if not isinstance(days, int) or not 0 <= days <= 60:
            errors[f"days_{step}_{kind}"] = [_("工作日为0至60之间的整数。")]
        cells[(step, kind)] = (percent, days)
    if refusal_reason_min_chars is not None:
        raw = str(refusal_reason_min_chars).strip()
        if not is_small_int(raw) or not 0 <= int(raw) <= 200:
            errors["refusal_reason_min_chars"] = [_("字数为0至200之间的整数。")]
        else:
            policy.refusal_reason_min_chars = int(raw)
    if errors:
        raise Invalid(_("规则草稿有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_policy", fields=errors)
    if title is not None and title.strip():
        policy.title = title.strip()[:128]
    policy.save()
    existing = {(t.step, t.matter_kind): t for t in policy.thresholds.all()}
    changed, added = [], []
    for (step, kind), (percent, days) in cells.items():
        row = existing.get((step, kind))
        if row is None:
            added.append(CardThreshold(policy=policy, step=step, matter_kind=kind, yellow_percent=percent,
                                       yellow_days=days))
        elif (row.yellow_percent, row.yellow_days) != (percent, days):
            row.yellow_percent, row.yellow_days = percent, days
            changed.append(row)
    CardThreshold.objects.bulk_update(changed, ["yellow_percent", "yellow_days"])
    CardThreshold.objects.bulk_create(added)
    return policy


@transaction.atomic
def policy_publish(*, policy: CardPolicy, user, effective_from: dt.date) -> CardPolicy:
    """Freeze a draft; from `effective_from` (today or later) the sweep follows it."""
    _check_policy_editor(user)
    policy = CardPolicy.objects.select_for_update().get(pk=policy.pk)
    if not policy.is_draft:
        raise Conflict(_("该规则已发布。"), code="policy_published")
    if effective_from is None or effective_from < beijing_today():
        raise Invalid(_("生效日期不能早于今天。"), code="invalid_effective_date",
                      fields={"effective_from": [_("请选择今天或以后的日期。")]})
    have = set(policy.thresholds.values_list("step", "matter_kind"))
    missing = [(s, k) for s in Step.values for k in Matter.Kind.values if (s, k) not in have]
    if missing:
        raise Invalid(_("规则缺少 %(n)s 项黄牌阈值,不能发布。") % {"n": len(missing)}, code="policy_incomplete")
    policy.status = CardPolicy.Status.PUBLISHED
    policy.effective_from = effective_from
    policy.published_by = user
    policy.published_at = timezone.now()
    policy.save()
    logger.info("card policy v%s published by %s, effective %s", policy.version, user.pk, effective_from)
    return policy


# --- the working-day index -------------------------------------------------------------------


def _calendar_rows():
    years = sorted(CalendarYear.objects.values_list("year", flat=True))
    days = sorted(CalendarDay.objects.values_list("date", "is_workday"))
    return years, days


def ensure_workday_index(*, today: dt.date) -> int:
    """Make `WorkdayIndex` match the calendar and cover today; return today's ordinal.

    The calendar's rows (a few hundred) are read and digested on every call; the index is
    rebuilt only when the digest or the span differs from the one it was built from. The state
    row is locked, so concurrent sweeps queue here (on PostgreSQL; SQLite serialises writers).
    Call inside a transaction.
    """
    years, days = _calendar_rows()
    low = min([today.year, *years]) - INDEX_YEARS_BEFORE
    high = max([today.year, *years]) + INDEX_YEARS_AFTER
    first, last = dt.date(low, 1, 1), dt.date(high, 12, 31)
    signature = hashlib.sha256(repr((years, days, first, last, RULES_VERSION)).encode()).hexdigest()
    state = WorkdayIndexState.objects.select_for_update().filter(pk=1).first()
    if state is None:  # the migration makes the row; a flushed database has lost it
        WorkdayIndexState.objects.get_or_create(
            pk=1, defaults={"signature": "", "first_day": first, "last_day": first, "built_at": timezone.now()}
        )
        state = WorkdayIndexState.objects.select_for_update().get(pk=1)
    if state.signature != signature or not state.first_day <= today <= state.last_day:
        calendar = build_calendar(known_years=years, days=days, today=today, through_year=high)
        rows, count, day = [], 0, first
        while day <= last:
            count += calendar.is_workday(day)
            rows.append(WorkdayIndex(day=day, ordinal=count))
            day += dt.timedelta(days=1)
        WorkdayIndex.objects.all().delete()
        WorkdayIndex.objects.bulk_create(rows, batch_size=5000)
        state.signature, state.first_day, state.last_day, state.built_at = signature, first, last, timezone.now()
        state.save()
        logger.info("workday index rebuilt: %s to %s (%s days)", first, last, len(rows))
    return WorkdayIndex.objects.get(day=today).ordinal


# --- the rules as SQL --------------------------------------------------------------------------
#
# For each trigger, one SELECT gives the cases it flags today with their level (`_trigger_rows`):
# for a clock, the running clocks whose due date has passed (red) or whose remaining working days
# — idx(due) − idx(today), a join on WorkdayIndex — are at most the policy's yellow line (yellow).
# The sweep stages that SELECT's rows once in a temporary table, then per level closes the open
# cards that are not among them (one UPDATE … WHERE NOT EXISTS) and opens the missing ones (one
# INSERT … SELECT … WHERE NOT EXISTS), so that every case table is read once per trigger.

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
STAGE = "supervision_sweep_stage"


def _db(model):
    return connection.ops.quote_name(model._meta.db_table)


def _sql_text(template: str, **exprs) -> tuple[str, list]:
    """A translated sentence with %(name)s placeholders as one SQL text expression: the literal
    pieces become parameters, each placeholder the SQL expression given for it."""
    pieces, params = [], []
    for i, part in enumerate(_PLACEHOLDER.split(template)):
        if i % 2 == 0:
            if part:
                pieces.append("CAST(%s AS TEXT)")
                params.append(part)
        else:
            pieces.append(f"COALESCE(CAST(({exprs[part]}) AS TEXT), CAST(%s AS TEXT))")
            params.append("-")
    return "SUBSTR(" + (" || ".join(pieces) or "''") + ", 1, 255)", params


def _warn(limit_sql: str) -> str:
    """The yellow line in working days for the threshold row `th` (`core.clock.law.yellow_line`)."""
    return yellow_line_sql(limit_sql, percent_sql="th.yellow_percent", floor_sql="th.yellow_days")


@dataclass(frozen=True)
class Rule:
    """One (trigger, level): its cards are keyed by sub-case or by application."""

    trigger: str
    level: str

    @property
    def key(self) -> str:
        if self.trigger == T.FOLLOWUP:
            return "followup_id"
        if self.trigger == T.COMPLAINT:
            return "complaint_id"
        if self.trigger == T.QUESTION:
            return "question_id"
        return "subcase_id" if self.trigger in Card.SUBCASE_TRIGGERS else "application_id"

    @property
    def is_clock(self) -> bool:
        return self.trigger in Card.CLOCK_TRIGGERS


LEVELS = {
    T.DECISION: (L.RED, L.YELLOW), T.PRE_REVIEW: (L.RED, L.YELLOW), T.DELIVERY: (L.RED, L.YELLOW),
    T.REFUSAL_REASON: (L.RED,), T.REPEATED_SUPPLEMENT: (L.YELLOW,),
    T.DEFERRED_MATERIAL: (L.RED,),
    T.FOLLOWUP: (L.RED, L.YELLOW), T.COMPLAINT: (L.RED, L.YELLOW), T.QUESTION: (L.RED, L.YELLOW),
}
# The triggers the card policy governs (and its preview shows).
POLICY_LEVELS = {trigger: levels for trigger, levels in LEVELS.items() if trigger not in Card.FEEDBACK_TRIGGERS}

COLUMNS = ["application_id", "subcase_id", "department_id", "due", "limit_days", "warn_days", "remaining_days",
           "followup_id", "complaint_id", "hall_id", "question_id"]
# The columns of `_trigger_rows` in order: a case's triggers give the first nine, feedback clocks all.
STAGED = [*COLUMNS[:7], "level", "reason"]
FEEDBACK_STAGED = [*STAGED, "followup_id", "complaint_id", "hall_id", "question_id"]

REASONS = {
    (T.DECISION, L.RED): _("已超过办结期限 %(due)s,逾期 %(overdue)s 个工作日(办理时限 %(limit)s 个工作日)"),
    (T.DECISION, L.YELLOW): _(
        "办结期限 %(due)s 将至:剩余 %(remaining)s 个工作日,不超过黄牌线 %(warn)s 个工作日(办理时限 %(limit)s 个工作日)"
    ),
    (T.PRE_REVIEW, L.RED): _("网上申请预审期限 %(due)s 已过,逾期 %(overdue)s 个工作日仍未作出受理决定(时限 %(limit)s 个工作日)"),
    (T.PRE_REVIEW, L.YELLOW): _("网上申请预审期限 %(due)s 将至:剩余 %(remaining)s 个工作日,不超过黄牌线 %(warn)s 个工作日"),
    (T.DELIVERY, L.RED): _("准予许可后颁证送达期限 %(due)s 已过,逾期 %(overdue)s 个工作日仍未出件(时限 %(limit)s 个工作日)"),
    (T.DELIVERY, L.YELLOW): _("颁证送达期限 %(due)s 将至:剩余 %(remaining)s 个工作日,不超过黄牌线 %(warn)s 个工作日"),
    (T.FOLLOWUP, L.RED): _("差评整改期限 %(due)s 已过,逾期 %(overdue)s 个工作日仍未整改办结(时限 %(limit)s 个工作日)"),
    (T.FOLLOWUP, L.YELLOW): _("差评整改期限 %(due)s 将至:剩余 %(remaining)s 个工作日,不超过黄牌线 %(warn)s 个工作日"),
    (T.COMPLAINT, L.RED): _("投诉办理期限 %(due)s 已过,逾期 %(overdue)s 个工作日仍未答复(时限 %(limit)s 个工作日)"),
    (T.COMPLAINT, L.YELLOW): _("投诉办理期限 %(due)s 将至:剩余 %(remaining)s 个工作日,不超过黄牌线 %(warn)s 个工作日"),
    (T.QUESTION, L.RED): _("咨询建议答复期限 %(due)s 已过,逾期 %(overdue)s 个工作日仍未答复(时限 %(limit)s 个工作日)"),
    (T.QUESTION, L.YELLOW): _("咨询建议答复期限 %(due)s 将至:剩余 %(remaining)s 个工作日,不超过黄牌线 %(warn)s 个工作日"),
    (T.REFUSAL_REASON, L.RED): _("不予受理理由仅 %(chars)s 个字(少于 %(min)s 个字),未充分说明理由和依据"),
    (T.DEFERRED_MATERIAL, L.RED): _("容缺受理材料补交期限 %(due)s 已过,逾期 %(overdue)s 个工作日仍未补交"),
    (T.REPEATED_SUPPLEMENT, L.YELLOW): _("同一材料再次要求补正:“%(material)s”等 %(count)s 项材料已在此前的一次性告知中列明"),
}


def _clock_source(trigger: str, policy_id: int) -> tuple[str, list]:
    """The running clocks of one step: application, sub-case, department, due date, limit and
    yellow line (NULL when the policy has no threshold for the matter kind)."""
    subcase, application, matter = _db(SubCase), _db(Application), _db(Matter)
    threshold = _db(CardThreshold)
    if trigger == T.DECISION:
        limit = "sc.promised_days + sc.extension_days"
        return (
            f"SELECT sc.application_id AS application_id, sc.id AS subcase_id, sc.department_id AS department_id, "
            f"sc.deadline AS due, {limit} AS limit_days, {_warn(limit)} AS warn_days "
            f"FROM {subcase} sc JOIN {matter} m ON m.id = sc.matter_id "
            f"LEFT JOIN {threshold} th ON th.policy_id = %s AND th.step = %s AND th.matter_kind = m.kind "
            f"WHERE sc.state IN (%s, %s)",
            [policy_id, Step.DECISION, *SubCase.RUNNING_STATES],
        )
    if trigger == T.DELIVERY:
        return (
            f"SELECT sc.application_id AS application_id, sc.id AS subcase_id, sc.department_id AS department_id, "
            f"sc.licence_due AS due, {LICENCE_DAYS} AS limit_days, {_warn(str(LICENCE_DAYS))} AS warn_days "
            f"FROM {subcase} sc JOIN {application} a ON a.id = sc.application_id "
            f"JOIN {matter} m ON m.id = sc.matter_id "
            f"LEFT JOIN {threshold} th ON th.policy_id = %s AND th.step = %s AND th.matter_kind = m.kind "
            f"WHERE sc.state = %s AND sc.licence_due IS NOT NULL AND a.state NOT IN (%s, %s, %s)",
            [policy_id, Step.DELIVERY, SubCase.State.APPROVED, Application.State.DELIVERED,
             Application.State.ARCHIVED, Application.State.WITHDRAWN],
        )
    if trigger == T.DEFERRED_MATERIAL:
        return _deferred_material_source()
    if trigger == T.PRE_REVIEW:
        through = _db(Application.matters.through)
        # An application of several matters is yellow by the most cautious of their rules.
        return (
            f"SELECT a.id AS application_id, CAST(NULL AS BIGINT) AS subcase_id, CAST(NULL AS BIGINT) AS department_id, "
            f"a.pre_review_due AS due, {PRE_REVIEW_DAYS} AS limit_days, "
            f"(SELECT MAX({_warn(str(PRE_REVIEW_DAYS))}) FROM {through} am JOIN {matter} m ON m.id = am.matter_id "
            f"JOIN {threshold} th ON th.policy_id = %s AND th.step = %s AND th.matter_kind = m.kind "
            f"WHERE am.application_id = a.id) AS warn_days "
            f"FROM {application} a "
            f"WHERE a.state = %s AND a.pre_review_due IS NOT NULL",  # online and window registrations (art. 32)
            [policy_id, Step.PRE_REVIEW, Application.State.SUBMITTED],
        )
    if trigger == T.FOLLOWUP:  # an open follow-up of a bad rating: its department or hall answers for it
        from supervision.feedback.ratings import FOLLOWUP_DAYS

        return (
            f"SELECT CAST(NULL AS BIGINT) AS application_id, CAST(NULL AS BIGINT) AS subcase_id, "
            f"f.department_id AS department_id, f.due AS due, {int(FOLLOWUP_DAYS)} AS limit_days, "
            f"{int(FEEDBACK_YELLOW_DAYS)} AS warn_days, f.id AS followup_id, CAST(NULL AS BIGINT) AS complaint_id, "
            f"f.hall_id AS hall_id, CAST(NULL AS BIGINT) AS question_id FROM {_db(FollowUp)} f WHERE f.state = %s",
            [FollowUp.State.OPEN],
        )
    if trigger == T.COMPLAINT:  # a complaint not answered yet: the department, or the centre while routing/escalated
        from supervision.feedback.complaints import COMPLAINT_DAYS

        return (
            f"SELECT CAST(NULL AS BIGINT) AS application_id, CAST(NULL AS BIGINT) AS subcase_id, "
            f"CASE WHEN c.state = %s THEN c.department_id END AS department_id, c.due AS due, "
            f"{int(COMPLAINT_DAYS)} AS limit_days, {int(FEEDBACK_YELLOW_DAYS)} AS warn_days, "
            f"CAST(NULL AS BIGINT) AS followup_id, c.id AS complaint_id, CAST(NULL AS BIGINT) AS hall_id, "
            f"CAST(NULL AS BIGINT) AS question_id FROM {_db(Complaint)} c WHERE c.state IN (%s, %s, %s)",
            [Complaint.State.OPEN, *Complaint.RUNNING_STATES],
        )
    if trigger == T.QUESTION:  # a public question (civic) not answered yet: its department answers for it
        from civic.models import Question
        from civic.services import answer_days

        return (
            f"SELECT CAST(NULL AS BIGINT) AS application_id, CAST(NULL AS BIGINT) AS subcase_id, "
            f"q.department_id AS department_id, q.due AS due, {int(answer_days())} AS limit_days, "
            f"{int(FEEDBACK_YELLOW_DAYS)} AS warn_days, CAST(NULL AS BIGINT) AS followup_id, "
            f"CAST(NULL AS BIGINT) AS complaint_id, CAST(NULL AS BIGINT) AS hall_id, q.id AS question_id "
            f"FROM {_db(Question)} q WHERE q.state = %s",
            [Question.State.OPEN],
        )
    raise ValueError(trigger)


# Applications whose 容缺 materials are still owed: accepted and not yet handed out or ended.
DEFERRED_OWED_STATES = (Application.State.ACCEPTED, Application.State.IN_REVIEW, Application.State.CONCLUDED,
                        Application.State.RESULT_READY)


def _deferred_material_source() -> tuple[str, list]:
    """容缺受理: per application, the earliest due date of the materials accepted as deferred and
    not provided yet. No yellow line (NULL): the card is red from the day after that date, and
    closes by itself once every overdue material is provided (or the application ends)."""
    material, application = _db(Material), _db(Application)
    states = ", ".join(["%s"] * len(DEFERRED_OWED_STATES))
    return (
        f"SELECT mt.application_id AS application_id, CAST(NULL AS BIGINT) AS subcase_id, "
        f"CAST(NULL AS BIGINT) AS department_id, MIN(mt.due_on) AS due, CAST(NULL AS INTEGER) AS limit_days, "
        f"CAST(NULL AS INTEGER) AS warn_days "
        f"FROM {material} mt JOIN {application} a ON a.id = mt.application_id "
        f"WHERE mt.source = %s AND mt.fulfilled_at IS NULL AND mt.due_on IS NOT NULL AND a.state IN ({states}) "
        f"GROUP BY mt.application_id",
        [Material.Source.DEFERRED, *DEFERRED_OWED_STATES],
    )


def _supplement_items_sql() -> str:
    """One row per (application, request, material named) of every application with at least
    two supplement notices; the only vendor-specific SQL of the sweep (reading a JSON list)."""
    requests = _db(SupplementRequest)
    several = f"r.application_id IN (SELECT application_id FROM {requests} GROUP BY application_id HAVING COUNT(*) > 1)"
    if connection.vendor == "postgresql":
        return (
            f"SELECT r.application_id AS application_id, r.id AS request_id, TRIM(j.elem ->> 'material') AS material "
            f"FROM {requests} r CROSS JOIN LATERAL jsonb_array_elements("
            f"CASE WHEN jsonb_typeof(r.items) = 'array' THEN r.items ELSE '[]'::jsonb END) AS j(elem) "
            f"WHERE {several}"
        )
    if connection.vendor == "sqlite":
        return (
            f"SELECT r.application_id AS application_id, r.id AS request_id, "
            f"TRIM(json_extract(j.value, '$.material')) AS material "
            f"FROM {requests} r, json_each(r.items) j WHERE json_type(r.items) = 'array' AND {several}"
        )
    raise NotImplementedError(f"the card sweep does not know {connection.vendor}")


NO_CLOCK = (
    "CAST(NULL AS BIGINT) AS subcase_id, CAST(NULL AS BIGINT) AS department_id, CAST(NULL AS DATE) AS due, "
    "CAST(NULL AS INTEGER) AS limit_days, CAST(NULL AS INTEGER) AS warn_days, CAST(NULL AS INTEGER) AS remaining_days"
)


def _trigger_rows(trigger: str, *, policy: CardPolicy, today: dt.date, today_ordinal: int) -> tuple[str, list]:
    """SELECT of the cases `trigger` flags today under `policy`: COLUMNS, level, and for event
    triggers their reason (NULL for clocks, whose reason is written from the numbers)."""
    if trigger in Card.CLOCK_TRIGGERS:
        source, params = _clock_source(trigger, policy.pk)
        remaining = f'(wd."ordinal" - {int(today_ordinal)})'
        extra = ", q.followup_id, q.complaint_id, q.hall_id, q.question_id" if trigger in Card.FEEDBACK_TRIGGERS else ""
        return (
            f"SELECT q.application_id, q.subcase_id, q.department_id, q.due, q.limit_days, q.warn_days, "
            f"{remaining} AS remaining_days, CASE WHEN q.due < %s THEN %s ELSE %s END AS level, "
            f"CAST(NULL AS VARCHAR(255)) AS reason{extra} "
            f'FROM ({source}) q LEFT JOIN {_db(WorkdayIndex)} wd ON wd."day" = q.due '
            f"WHERE q.due < %s OR {remaining} <= q.warn_days",
            [today, L.RED, L.YELLOW, *params, today],
        )
    if trigger == T.REFUSAL_REASON:
        length = "LENGTH(TRIM(a.refusal_reason))"
        reason, reason_params = _sql_text(REASONS[(trigger, L.RED)], chars=length,
                                          min=str(int(policy.refusal_reason_min_chars)))
        return (
            f"SELECT a.id AS application_id, {NO_CLOCK}, %s AS level, {reason} AS reason "
            f"FROM {_db(Application)} a WHERE a.state = %s AND {length} < %s",
            [L.RED, *reason_params, Application.State.NOT_ACCEPTED, policy.refusal_reason_min_chars],
        )
    if trigger == T.REPEATED_SUPPLEMENT:
        reason, reason_params = _sql_text(REASONS[(trigger, L.YELLOW)], material="SUBSTR(MIN(x.material), 1, 60)",
                                          count="COUNT(*)")
        return (
            f"SELECT x.application_id AS application_id, {NO_CLOCK}, %s AS level, {reason} AS reason FROM ("
            f"SELECT i.application_id AS application_id, i.material AS material FROM ({_supplement_items_sql()}) i "
            f"WHERE i.material IS NOT NULL AND i.material <> '' "
            f"GROUP BY i.application_id, i.material HAVING COUNT(DISTINCT i.request_id) > 1"
            f") x GROUP BY x.application_id",
            [L.YELLOW, *reason_params],
        )
    raise ValueError(trigger)


def _reason(rule: Rule, alias: str) -> tuple[str, list]:
    """The card's reason from a row of `_trigger_rows`: the clock's sentence with its numbers."""
    if not rule.is_clock:
        return f"{alias}.reason", []
    return _sql_text(
        REASONS[(rule.trigger, rule.level)], due=f"{alias}.due", overdue=f"-{alias}.remaining_days",
        remaining=f"{alias}.remaining_days", limit=f"{alias}.limit_days", warn=f"{alias}.warn_days",
    )


def _same_card(rule: Rule, card_alias: str, row_alias: str) -> str:
    """SQL: the staged row and the card are about the same thing (a clock card: with the same due date)."""
    same = f"{row_alias}.{rule.key} = {card_alias}.{rule.key}"
    if rule.is_clock:
        same += f" AND {row_alias}.due = {card_alias}.due"
    return same


def _set_based(cursor) -> None:
    """PostgreSQL settings for the rest of the transaction. Every statement of the sweep is an
    anti-join between sets (open cards, staged rows); hash joins keep them linear whatever the
    planner believes about the card table, which a sweep grows or shrinks by thousands of rows
    between two ANALYZEs (a nested loop over a card table thought empty rescans it once per row:
    quadratic)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")  # and their hash tables stay in memory
        # Compiling costs more than these scans (and the nested loop's penalty makes the lateral
        # read of a JSON list look expensive enough to trigger it).
        cursor.execute("SET LOCAL jit = off")


def _stage(cursor, trigger: str, *, policy: CardPolicy, today: dt.date, today_ordinal: int, table=STAGE) -> None:
    """Put the rows `trigger` flags today in a temporary table (made here, per connection)."""
    rows, params = _trigger_rows(trigger, policy=policy, today=today, today_ordinal=today_ordinal)
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} (application_id BIGINT, subcase_id BIGINT, department_id BIGINT, "
        f"due DATE, limit_days INTEGER, warn_days INTEGER, remaining_days INTEGER, level VARCHAR(8), reason VARCHAR(255), "
        f"followup_id BIGINT, complaint_id BIGINT, hall_id BIGINT, question_id BIGINT)"
    )
    staged = FEEDBACK_STAGED if trigger in Card.FEEDBACK_TRIGGERS else STAGED
    cursor.execute(f"INSERT INTO {table} ({', '.join(staged)}) SELECT * FROM ({rows}) r", params)
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {table}")  # temporary tables get no statistics otherwise
    else:  # SQLite runs NOT EXISTS as a loop of look-ups: give them an index
        cursor.execute(f"CREATE INDEX {table}_subcase ON {table} (subcase_id, level)")
        cursor.execute(f"CREATE INDEX {table}_application ON {table} (application_id, level)")
        if trigger in Card.FEEDBACK_TRIGGERS:
            cursor.execute(f"CREATE INDEX {table}_feedback ON {table} (followup_id, complaint_id, question_id, level)")


def _close(cursor, rule: Rule, *, now) -> int:
    """One UPDATE: open cards of the rule whose case is not among the staged rows of its level."""
    card = _db(Card)
    cursor.execute(
        f"UPDATE {card} SET closed_at = %s, close_reason = %s "
        f'WHERE closed_at IS NULL AND "trigger" = %s AND "level" = %s '
        f"AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE s.level = %s AND {_same_card(rule, card, 's')})",
        [connection.ops.adapt_datetimefield_value(now), _close_reason(rule), rule.trigger, rule.level, rule.level],
    )
    return cursor.rowcount


def _close_reason(rule: Rule) -> str:
    if rule.is_clock:
        return _("时限状态已变化(已办结、暂停、延期、升级或已出件)")
    return _("情形已消除或规则已调整")


def _open(cursor, rule: Rule, *, policy: CardPolicy, now) -> int:
    """One INSERT … SELECT: staged rows of the rule's level without an open card get one — unless
    a supervisor voided the card for the same due date (an event card: unless the application
    ever had one of its kind)."""
    card = _db(Card)
    same = f'c.{rule.key} = s.{rule.key} AND c."trigger" = %s'
    if rule.is_clock:  # two plain anti-joins (an OR between them would defeat both indexes and hashing)
        exists = (
            f'NOT EXISTS (SELECT 1 FROM {card} c WHERE {same} AND c."level" = %s AND c.closed_at IS NULL) '
            f'AND NOT EXISTS (SELECT 1 FROM {card} c WHERE {same} AND c."level" = %s AND c.review = %s AND c.due = s.due)'
        )
        exists_params = [rule.trigger, rule.level, rule.trigger, rule.level, Card.Review.VOIDED]
    else:
        exists = f"NOT EXISTS (SELECT 1 FROM {card} c WHERE {same})"
        exists_params = [rule.trigger]
    reason, reason_params = _reason(rule, "s")
    columns = ", ".join(COLUMNS)
    cursor.execute(
        f'INSERT INTO {card} ({columns}, reason, "trigger", "level", policy_id, opened_at, close_reason, review, '
        f"review_reason) "
        f"SELECT {', '.join('s.' + c for c in COLUMNS)}, {reason}, %s, %s, %s, %s, '', '', '' "
        f"FROM {STAGE} s WHERE s.level = %s AND {exists}",
        [*reason_params, rule.trigger, rule.level, policy.pk, connection.ops.adapt_datetimefield_value(now),
         rule.level, *exists_params],
    )
    return cursor.rowcount


@transaction.atomic
def sweep_deadlines(*, today=None) -> dict:
    """Open and close every card for `today` (a Beijing date), set-based, under the policy in
    force that day. Running it twice in a row changes nothing the second time.

    Clock cards: red from the day after the due date; yellow from the day when at most the
    policy's yellow line of working days remain, up to the due date. The decision clock runs
    while the sub-case is dispatched or examining (it stops while suspended), the pre-review
    clock while an online application waits at the window, the licence clock from approval
    until the result is delivered. Event cards: a refusal whose reason is shorter than the
    policy's minimum, a supplement notice naming a material an earlier notice named.

    Concurrent sweeps queue on the working-day index's state row (PostgreSQL) or on SQLite's
    single writer, so each sees the cards the previous one left.
    """
    today = today or beijing_today()
    today_ordinal = ensure_workday_index(today=today)
    policy = policy_in_force(today)
    now = timezone.now()
    counts, changed = {}, 0
    with connection.cursor() as cursor:
        _set_based(cursor)
        for trigger, levels in LEVELS.items():
            _stage(cursor, trigger, policy=policy, today=today, today_ordinal=today_ordinal)
            for level in levels:
                rule = Rule(trigger, level)
                closed = _close(cursor, rule, now=now)
                opened = _open(cursor, rule, policy=policy, now=now)
                counts.setdefault(str(trigger), {})[str(level)] = {"opened": opened, "closed": closed}
                changed += opened + closed
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        if changed >= ANALYZE_AFTER and connection.vendor == "postgresql":
            # The planner must know the card table's new size before the next sweep's anti-joins
            # (autovacuum may be minutes away); sampling it takes a fraction of a second.
            cursor.execute(f"ANALYZE {_db(Card)}")
    logger.info("sweep %s (policy v%s): %s", today, policy.version, counts)
    return {"today": today.isoformat(), "policy": policy.version, "cards": counts}


# --- preview: what a policy would flag today ----------------------------------------------------


def preview_policy(*, policy: CardPolicy, today=None, sample_size=10) -> dict:
    """For each rule: how many cases `policy` would flag today, how many the policy in force
    flags, how many it would add and drop, and a sample of what it would flag (most urgent
    first). Each trigger's cases are read once per policy, staged like the sweep's; nothing is
    written but the working-day index when the calendar changed."""
    today = today or beijing_today()
    draft_table, now_table = f"{STAGE}_draft", f"{STAGE}_now"
    rows = []
    with transaction.atomic(), connection.cursor() as cursor:
        today_ordinal = ensure_workday_index(today=today)
        current = policy_in_force(today)
        _set_based(cursor)
        for trigger, levels in POLICY_LEVELS.items():
            _stage(cursor, trigger, policy=policy, today=today, today_ordinal=today_ordinal, table=draft_table)
            _stage(cursor, trigger, policy=current, today=today, today_ordinal=today_ordinal, table=now_table)
            for level in levels:
                rule = Rule(trigger, level)
                counts = {}
                for name, (a, b) in {"count": (draft_table, None), "count_now": (now_table, None),
                                     "added": (draft_table, now_table), "dropped": (now_table, draft_table)}.items():
                    missing = (f" AND NOT EXISTS (SELECT 1 FROM {b} p WHERE p.level = q.level "
                               f"AND p.{rule.key} = q.{rule.key})") if b else ""
                    cursor.execute(f"SELECT COUNT(*) FROM {a} q WHERE q.level = %s{missing}", [level])
                    counts[name] = cursor.fetchone()[0]
                reason, reason_params = _reason(rule, "q")
                cursor.execute(
                    f"SELECT {', '.join('q.' + c for c in COLUMNS)}, {reason} FROM {draft_table} q WHERE q.level = %s "
                    f"ORDER BY q.remaining_days, q.due, q.{rule.key} LIMIT {int(sample_size)}",
                    [*reason_params, level],
                )
                sample = [dict(zip([*COLUMNS, "reason"], r, strict=True)) for r in cursor.fetchall()]
                rows.append({"trigger": trigger, "trigger_label": T(trigger).label, "level": level,
                             "level_label": L(level).label, **counts, "sample": sample})
        cursor.execute(f"DROP TABLE IF EXISTS {draft_table}")
        cursor.execute(f"DROP TABLE IF EXISTS {now_table}")
    _attach_cases(row["sample"] for row in rows)
    totals = {level: sum(r["count"] for r in rows if r["level"] == level) for level in L.values}
    totals_now = {level: sum(r["count_now"] for r in rows if r["level"] == level) for level in L.values}
    return {"policy": policy, "current": current, "today": today, "rules": rows, "totals": totals,
            "totals_now": totals_now}


def _attach_cases(samples):
    """Replace ids in the sample rows by the application and sub-case objects (two queries)."""
    samples = [row for sample in samples for row in sample]
    apps = Application.objects.in_bulk({r["application_id"] for r in samples})
    subcases = SubCase.objects.select_related("matter", "department").in_bulk(
        {r["subcase_id"] for r in samples if r["subcase_id"]}
    )
    for row in samples:
        row["application"] = apps.get(row["application_id"])
        row["subcase"] = subcases.get(row["subcase_id"])
        if isinstance(row["due"], str):  # SQLite hands dates of a raw query back as text
            row["due"] = dt.date.fromisoformat(row["due"])


# --- contest and ruling -------------------------------------------------------------------------


def may_contest(user, card: Card) -> bool:
    """The department answers for its sub-cases' cards (its reviewers contest them); for the
    application's own steps (pre-review, refusal, supplement notices, 容缺 materials) the clerk
    who took the action, or a clerk seated today at the case's hall
    (`selectors.clerk_answers_for`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_clerk and hasattr(card, "answered_by"):  # read through selectors.cards_for(user): no query a card
        return card.answered_by == user.pk
    if card.trigger in Card.FEEDBACK_TRIGGERS:  # a follow-up's or complaint's card: whoever must answer it
        if card.department_id:
            return user.is_reviewer and user.department_id == card.department_id
        if card.hall_id and user.is_clerk:
            from supervision.feedback.ratings import clerk_hall_ids

            return card.hall_id in clerk_hall_ids(user)
        return False
    if card.subcase_id:
        return user.is_reviewer and user.department_id == card.department_id
    if not user.is_clerk:
        return False
    from .selectors import clerk_answers_for

    return Card.objects.filter(clerk_answers_for(user), pk=card.pk).exists()


def _log(card, *, actor, action, note=""):
    CardLog.objects.create(card=card, actor=actor, action=action, note=note)


@transaction.atomic
def card_contest(*, card: Card, user, statement: str, evidence=None) -> CardContest:
    """The responsible department contests a card with a statement and optional evidence
    (PDF, JPG or PNG, checked by content); the card waits for a supervisor's ruling."""
    card = Card.objects.select_for_update().get(pk=card.pk)
    if not may_contest(user, card):
        raise Forbidden(_("只有责任部门的工作人员可以对该红黄牌提出申诉。"), code="not_responsible_department")
    statement = (statement or "").strip()
    if not statement:
        raise Invalid(_("请说明申诉理由。"), code="statement_required", fields={"statement": [_("请填写申诉理由。")]})
    if card.review == Card.Review.VOIDED:
        raise Conflict(_("该红黄牌已被撤销。"), code="card_voided")
    if card.review or CardContest.objects.filter(card=card).exists():
        raise Conflict(_("该红黄牌已申诉或已裁定,不能再次申诉。"), code="already_contested")
    info = inspect_upload(evidence, field="evidence") if evidence else None
    contest = CardContest(card=card, statement=statement, contested_by=user)
    if info is not None:
        contest.evidence_name = (evidence.name or "")[-255:]
        contest.evidence_type = info["content_type"]
        contest.evidence_size = info["size"]
        contest.evidence_sha256 = info["sha256"]
        contest.evidence.save(f"{info['sha256'][:16]}{info['extension']}", evidence, save=False)
    contest.save()
    card.review = Card.Review.CONTESTED
    card.save(update_fields=["review"])
    _log(card, actor=user, action="supervision.card.contested", note=statement)
    return contest


@transaction.atomic
def card_decide(*, card: Card, supervisor, uphold: bool, reason: str) -> Card:
    """A supervisor rules on a card (contested or not): upheld, it stands (an event card, having
    been looked at, closes as confirmed; a clock card stays with its clock); voided, it closes
    with the supervisor's reason and leaves every count."""
    if not getattr(supervisor, "is_supervisor", False):
        raise Forbidden(_("只有督查人员可以裁定红黄牌。"), code="not_a_supervisor")
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("请说明裁定理由。"), code="reason_required", fields={"reason": [_("请填写裁定理由。")]})
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.review in (Card.Review.UPHELD, Card.Review.VOIDED):
        raise Conflict(_("该红黄牌已裁定。"), code="already_decided")
    now = timezone.now()
    card.review = Card.Review.UPHELD if uphold else Card.Review.VOIDED
    card.reviewed_by, card.reviewed_at, card.review_reason = supervisor, now, reason
    if card.closed_at is None and (not uphold or not card.is_clock):
        card.closed_at = now
        template = _("督查撤销:%(reason)s") if not uphold else _("督查确认:%(reason)s")
        card.close_reason = (template % {"reason": reason})[:255]
    card.save()
    _log(card, actor=supervisor, action="supervision.card.upheld" if uphold else "supervision.card.voided", note=reason)
    return card
