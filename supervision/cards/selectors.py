"""The supervisor's figures and the card lists, read by pages and API alike.

Who sees which cards is decided here once (`cards_for`): supervisors every card; a department's
reviewers the cards on their department's sub-cases, follow-ups and complaints; window clerks the
cards on the application's own steps (pre-review, refusal, supplement notices, 容缺 materials) of
the cases they may read (`workflow.selectors.clerk_readable_q`) and of those they answer for
(`clerk_answers_for`: their own actions, their halls today), and those on the follow-ups of their
hall's window ratings.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.numbers import is_small_int
from workflow import hooks
from workflow.models import SubCase
from workflow.selectors import clerk_readable_q, settle_deemed_acceptance

from .models import Card, CardPolicy

DASHBOARD_CARDS = 100  # the most urgent open cards on the dashboard; the card list has them all


# A card on an application's own step (pre-review, refusal, supplement notice, 容缺 material),
# which the comprehensive windows answer for; the others are a sub-case's or a follow-up's or
# complaint's.
APPLICATION_LEVEL = Q(subcase__isnull=True, application__isnull=False)


_UNREAD = object()  # today's desk not read yet (None: she sits at no window today)


def clerk_answers_for(user, *, desk=_UNREAD, halls=None) -> Q:
    """The application-level cards a clerk answers for, and so may contest (decisions: "Who
    answers for an application's own card"): those about an action she took herself — the
    refusal she wrote, a supplement notice she issued, the 容缺 acceptance she made — and those
    of a case of a hall where she sits today (accepted there, or registered there and not yet
    accepted). An online application's pre-review card, which has no hall (it waited at every
    hall: 同城通办), is answered for by any clerk seated today at a window of its category."""
    from supervision.feedback.ratings import clerk_hall_ids
    from workflow.models import CaseLog, SupplementRequest

    T = Card.Trigger
    acted = (
        Q(trigger=T.REFUSAL_REASON, application_id__in=CaseLog.objects.filter(
            actor=user, action="workflow.application.refused").values("application_id"))
        | Q(trigger=T.REPEATED_SUPPLEMENT,
            application_id__in=SupplementRequest.objects.filter(requested_by=user).values("application_id"))
        | Q(trigger=T.DEFERRED_MATERIAL, application__accepted_by=user)
    )
    halls = clerk_hall_ids(user) if halls is None else halls
    at_her_hall = (Q(application__accepted_hall_id__in=halls)
                   | Q(application__accepted_hall__isnull=True, application__received_hall_id__in=halls))
    desk = hooks.desk_for(user, timezone.localdate()) if desk is _UNREAD else desk
    categories = sorted(desk.categories) if desk is not None else []
    waited_everywhere = Q(trigger=T.PRE_REVIEW, application__accepted_hall__isnull=True,
                          application__received_hall__isnull=True, application__category__in=categories)
    return APPLICATION_LEVEL & (acted | at_her_hall | waited_everywhere)


# An application's columns no card page shows, decrypted and parsed per row when read (the form
# is ~36 µs a row to parse alone).
APPLICATION_UNREAD = ("form_data", "situation", "post_phone", "post_address")


@dataclass(frozen=True)
class Shape:
    """What a page reads of each card: the models joined to it, those read by a query each
    (and only when a card of the page has one), and the columns (`only`; empty: every column
    but the application's `APPLICATION_UNREAD`)."""

    joined: tuple
    prefetched: tuple
    only: tuple = ()

    def rows(self, qs=None):
        qs = (Card.objects.all() if qs is None else qs).select_related(*self.joined).prefetch_related(*self.prefetched)
        return qs.only(*self.only) if self.only else qs.defer(*(f"application__{c}" for c in APPLICATION_UNREAD))


# A card's page, and one card over the API: the whole card. PostgreSQL took 21 ms to plan the thirteen-table
# join of every relation for a page of 50 cards at 1M applications (1.4 ms to run it): the
# relations a card has always are joined, the rest read by a query each.
DETAIL = Shape(("application", "subcase__matter", "department", "hall", "contest"),
               ("policy", "contest__contested_by", "reviewed_by", "followup__rating__application", "complaint"))

# Rows (`rows.py`: the dashboard's open cards, the card list): only the columns a row shows
# (`Card.target_*`, `responsible`, `due_provisional`; an application's and a sub-case's state,
# which django-fsm reads when it builds one). The dashboard's 30 cards as whole rows of six
# tables took 11 ms of CPU to build (180 model instances of every column), about a quarter of
# its page; the card list's 50 rows took 5.2 ms, 3.5 so (issue 15).
_ROW_CARD = ("level", "trigger", "due", "reason", "opened_at", "closed_at", "review",
             "application", "subcase", "followup", "complaint", "question", "department", "hall")
_ROW_APPLICATION = ("application__number", "application__title", "application__state",
                    "application__pre_review_due", "application__pre_review_due_provisional")
_ROW_SUBCASE = ("subcase__number", "subcase__state", "subcase__deadline", "subcase__deadline_provisional",
                "subcase__licence_due", "subcase__licence_due_provisional", "subcase__matter__name")
_ROW_PREFETCHED = ("followup__rating__application", "complaint", "question")
ROW = Shape(("application", "subcase__matter", "department", "hall"), _ROW_PREFETCHED,
            (*_ROW_CARD, *_ROW_APPLICATION, *_ROW_SUBCASE, "department__name", "hall__name"))
LIST = Shape(ROW.joined, ROW.prefetched, (*ROW.only, "close_reason"))
# The API's list (`api.CardSerializer`): what it shows of the card's relations, the columns of
# the card whole; the follow-up, complaint and ruling author are the card page's. With every
# column of the application and the sub-case, and their prefetches, a supervisor's 50 cards took
# 14 ms to read and build, a clerk's 30 (issue 15).
API_LIST = Shape(("application", "subcase__matter", "department", "contest"), ("policy", "contest__contested_by"), (
    *(field.name for field in Card._meta.concrete_fields),
    "application__number", "application__state", "subcase__number", "subcase__state", "subcase__matter__name",
    "department__name", *(f"contest__{name}" for name in (
        "statement", "contested_at", "contested_by", "evidence", "evidence_name", "evidence_size", "evidence_sha256")),
))
# A clerk's list rows (`live_cards`): her cards are never a sub-case's, so no sub-case or matter
# joined (planning her page's query: 0.9 ms instead of 4.5)
CLERK_LIST = Shape(("application", "department", "hall"), _ROW_PREFETCHED,
                   (*_ROW_CARD, "close_reason", *_ROW_APPLICATION, "department__name", "hall__name"))


def _clerk_conditions(user, desk, halls) -> tuple[Q, Q]:
    """(the cards a clerk answers for, the cards she may see), from today's desk and halls: a
    function of these and of `user`'s id alone (art. 32 settled by the caller). She answers for
    the application-level cards of `clerk_answers_for` and the follow-ups of her halls' window
    ratings; she sees those and the application-level cards of what she may read."""
    answers = clerk_answers_for(user, desk=desk, halls=halls)
    readable = APPLICATION_LEVEL & clerk_readable_q(user, through="application__", desk=desk, settle=False)
    hall_followups = Q(followup__isnull=False, hall_id__in=halls)
    return answers | hall_followups, answers | readable | hall_followups


def _answered_by(answered: Q, user_id: int) -> Case:
    """This clerk's id on the cards she answers for, so that the list's contest buttons need no
    query per card (services.may_contest reads it)."""
    return Case(When(answered, then=Value(user_id)), default=None, output_field=IntegerField())


def cards_for(user, *, shape: Shape = DETAIL):
    """The cards `user` may see, read as `shape` says."""
    qs = shape.rows()
    if not user.is_authenticated:
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        from supervision.scope.districts import scope_of

        scope = scope_of(user)  # a district supervisor: the district's cards alone (issue 15)
        return qs if scope is None else qs.filter(scope.card_q())
    if user.is_reviewer:
        return qs.filter(Q(subcase__isnull=False) | Q(followup__isnull=False) | Q(complaint__isnull=False),
                         department_id=user.department_id)
    if user.is_clerk:
        from windows.selectors import desk_and_halls

        settle_deemed_acceptance()  # art. 32 first: what has been deemed accepted has left the queue
        answered, visible = _clerk_conditions(user, *desk_and_halls(user, timezone.localdate()))
        return qs.filter(visible).annotate(answered_by=_answered_by(answered, user.pk))
    return qs.none()


# The cards the card list counts (open red and yellow, contested, voided) and lists on its
# default tab, of a clerk's (whose cards are never a sub-case's): few, however many closed. Each
# branch one partial index (one_open_application_card holds every open card without a sub-case).
CLERK_LIVE = (Q(closed_at__isnull=True, subcase__isnull=True) | Q(review=Card.Review.CONTESTED)
              | Q(review=Card.Review.VOIDED))
LIVE_BY_ID_UP_TO = 2_000


@dataclass(frozen=True)
class LiveCards:
    """A clerk's live cards (`CLERK_LIVE`) read once through her long condition: `ids`, which the
    card list's counts and its default tab filter further (`rows`); `answered`, the ids of those
    she answers for (`cards_for`'s `answered_by`)."""

    ids: tuple
    answered: frozenset
    user_id: int

    def rows(self, shape: Shape | None = None) -> QuerySet:
        """Her live cards, read as `shape` says (a clerk's list rows by default), by id."""
        rows = (shape or CLERK_LIST).rows()
        return rows.filter(pk__in_array=list(self.ids)) if self.ids else rows.none()

    def mark_answered(self, cards) -> None:
        """Set `answered_by` on the cards of a page read from `rows` (services.may_contest)."""
        for card in cards:
            card.answered_by = self.user_id if card.pk in self.answered else None


def live_cards(user) -> LiveCards | None:
    """A clerk's live cards by id, or None (read through `cards_for` instead) for the other roles
    and for a clerk with more than LIVE_BY_ID_UP_TO of them. Who may see which card is, for a
    clerk, a condition of some twenty branches over the application (`cards_for`), which
    PostgreSQL planned anew for each of the card list's seven lists: 14 ms of planning for
    0.5 ms of execution at 1M (issue 15). Read once, her live cards' ids (a few hundred at most
    in a city's ordinary week) are one array parameter to the rest; the query that reads them
    is compiled once per desk (`_live_query`)."""
    if not user.is_clerk:
        return None
    from windows.selectors import desk_and_halls

    settle_deemed_acceptance()  # art. 32 first: what has been deemed accepted has left the queue
    desk, halls = desk_and_halls(user, timezone.localdate())
    alias = router.db_for_read(Card)
    sql, params = _live_query(user.pk, desk, tuple(halls), alias, LIVE_BY_ID_UP_TO)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if len(rows) > LIVE_BY_ID_UP_TO:
        return None
    return LiveCards(ids=tuple(pk for pk, _ in rows), answered=frozenset(pk for pk, answered_by in rows if answered_by),
                     user_id=user.pk)


@functools.lru_cache(maxsize=1024)
def _live_query(user_id: int, desk, halls: tuple, alias: str, up_to: int) -> tuple[str, tuple]:
    """The SQL and parameters that read up to `up_to` + 1 of a clerk's live cards (id, whom she
    answers for), for her desk and halls of the day (`alias`: the database). Building and
    compiling her condition took ~5 ms of each card list (issue 15); it is a function of these
    arguments alone (`_clerk_conditions`: her id, her desk, her halls; what she refused or asked
    for are subqueries, read when the SQL runs), so it is compiled once per process and desk:
    a clerk changes desk a few times a day at most. Nothing else may enter it: a value read
    here from the database or the clock would be kept as long as the process."""
    from accounts.models import User

    user = User(pk=user_id, role=User.Role.CLERK)  # her id is all the conditions read of her
    answered, visible = _clerk_conditions(user, desk, list(halls))
    live = Card.objects.using(alias).filter(visible & CLERK_LIVE).annotate(answered_by=_answered_by(answered, user_id))
    query = live.order_by().values_list("pk", "answered_by")[:up_to + 1].query
    sql, params = query.get_compiler(using=alias).as_sql()
    return sql, tuple(params)


def access_card(user, card_id) -> Card:
    try:
        card_id = int(card_id)
    except (TypeError, ValueError):
        card_id = None
    card = cards_for(user).filter(pk=card_id).first() if card_id else None
    if card is None:
        raise NotFound(_("未找到该红黄牌,或您无权查看。"), code="card_not_found")
    return card


STATE_FILTERS = {
    "open": Q(closed_at__isnull=True),
    "closed": Q(closed_at__isnull=False),
    "all": Q(),
}


def filter_cards(qs, *, state="open", level="", trigger="", review="", department="", number=""):
    """The card list's filters; unknown values are ignored rather than refused."""
    qs = qs.filter(STATE_FILTERS.get(state, STATE_FILTERS["open"]))
    if level in Card.Level.values:
        qs = qs.filter(level=level)
    if trigger in Card.Trigger.values:
        qs = qs.filter(trigger=trigger)
    if review == "none":
        qs = qs.filter(review="")
    elif review in Card.Review.values and review:
        qs = qs.filter(review=review)
    if department and is_small_int(str(department)):
        qs = qs.filter(department_id=int(department))
    number = (number or "").strip()
    if number:  # through the application's index: a sub-case's number is its application's plus "-NN"
        subcase = SubCase.objects.filter(number=number).values_list("pk", "application_id").first()
        if subcase is not None:
            qs = qs.filter(application_id=subcase[1], subcase_id=subcase[0])
        else:
            qs = qs.filter(application__number=number)
    return qs


def card_count_lists(qs) -> dict:
    """What the card list counts of `card_counts`, as lists to count (`core.web.paging`'s
    `also_count`): each shown exact up to 1,000, else "1,000+" (issue 15: a count over every
    visible card grew with the cards ever opened; each reads at most 1,001 entries of a partial
    index)."""
    opened = qs.filter(closed_at__isnull=True)
    return {
        "red": opened.filter(level=Card.Level.RED),
        "yellow": opened.filter(level=Card.Level.YELLOW),
        "contested": qs.filter(review=Card.Review.CONTESTED),
        "voided": qs.filter(review=Card.Review.VOIDED),
    }


def card_counts(qs) -> dict:
    """Open red and yellow cards, contests waiting for a ruling, and cards voided (which count
    nowhere else)."""
    row = qs.aggregate(
        red=Count("pk", filter=Q(closed_at__isnull=True, level=Card.Level.RED)),
        yellow=Count("pk", filter=Q(closed_at__isnull=True, level=Card.Level.YELLOW)),
        contested=Count("pk", filter=Q(review=Card.Review.CONTESTED)),
        voided=Count("pk", filter=Q(review=Card.Review.VOIDED)),
    )
    return row


def policies():
    return CardPolicy.objects.select_related("created_by", "published_by").order_by("-version")


def thresholds_grid(policy, *, posted=None, errors=None):
    """The policy page's grid: {"steps": [(step, label)], "rows": [(kind, kind label, [cell per
    step])]}, each cell {"step", "kind", "percent", "days", "errors"}. `posted` (a refused form's
    data) overrides the stored values so that the page shows what was typed."""
    from matters.models import Matter

    from .models import Step

    stored = {(t.step, t.matter_kind): t for t in policy.thresholds.all()}
    errors = errors or {}
    rows = []
    for kind, kind_label in Matter.Kind.choices:
        cells = []
        for step, step_label in Step.choices:
            row = stored.get((step, kind))
            percent, days = (row.yellow_percent, row.yellow_days) if row else ("", "")
            if posted is not None:
                percent = posted.get(f"pct_{step}_{kind}", percent)
                days = posted.get(f"days_{step}_{kind}", days)
            cells.append({"step": step, "step_label": step_label, "kind": kind, "percent": percent, "days": days,
                          "errors": [*errors.get(f"pct_{step}_{kind}", []), *errors.get(f"days_{step}_{kind}", [])]})
        rows.append((kind, kind_label, cells))
    return {"steps": Step.choices, "rows": rows}


def open_cards(limit=DASHBOARD_CARDS, *, scope=None):
    """The most urgent open cards: red before yellow, earliest due first. The `limit` cards are
    chosen on the card table alone (one query) and only they are joined to their cases (a second
    one): joining every open card before the sort took 150 ms with 3,000 open cards at 1M
    applications, and PostgreSQL does the same with the choice as a subquery. `scope`: a
    district supervisor's (supervision.scope), the district's cards alone."""
    order = ("level", F("due").asc(nulls_last=True), "pk")
    chosen = Card.objects.filter(closed_at__isnull=True)
    if scope is not None:
        chosen = chosen.filter(scope.card_q())
    top = list(chosen.order_by(*order).values_list("pk", flat=True)[:limit])
    return ROW.rows(Card.objects.filter(pk__in=top)).order_by(*order)


def cards_opened_after(card_id: int, *, limit: int, scope=None):
    """Open cards with an id above `card_id` (ids grow with time), newest first (`scope`: a
    district supervisor's)."""
    cards = Card.objects.filter(pk__gt=card_id, closed_at__isnull=True)
    return ROW.rows(cards.filter(scope.card_q()) if scope is not None else cards).order_by("-pk")[:limit]


def evidence_url(card):
    return reverse("api-card-evidence", args=[card.pk])
