"""Cards as table rows built in Python, for the pages that show many of them (the card list's 50
a page, the dashboard's open cards): every label translated and every view reversed once for
the page, every value escaped here. Through the template, a page of 50 cards took ~15 ms of
its 40 (issue 15's 30 ms budget for a worklist page at 1M); `get_*_display` costs ~0.1 ms a
call, and `escape()` of a lazy label stays lazy, translated again at every use.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

from core.web.paging import url_maker
from core.web.rows import choice_labels, local_time, table_row

from .models import Card


def minute(moment) -> str:
    """A moment as the card pages show it: Beijing time to the minute."""
    return local_time(moment)


class CardCells:
    """The cells every card table shares, with what they need read once for the page."""

    def __init__(self):
        self._makers = {"portal:card": url_maker("portal:card")}
        self.levels = choice_labels(Card.Level.choices)
        self.triggers = choice_labels(Card.Trigger.choices)
        self.reviews = choice_labels(Card.Review.choices)

    def url(self, viewname: str, arg) -> str:
        if viewname not in self._makers:
            self._makers[viewname] = url_maker(viewname)
        return self._makers[viewname](arg)

    def card_url(self, card) -> str:
        return self.url("portal:card", card.pk)

    def target_url(self, card) -> str:
        """The page of what the card is about (`Card.target_url`, without a reverse() a row)."""
        route = card.target_route
        return self.url(*route) if route is not None else ""

    def badge(self, card) -> str:
        level = escape(card.level)
        return (f'<a href="{self.card_url(card)}"><span class="badge badge-{level}">'
                f"{self.levels.get(card.level, level)}</span></a>")

    def trigger(self, card) -> str:
        return self.triggers.get(card.trigger, escape(card.trigger))

    def target(self, card) -> str:
        return (f'<a href="{escape(self.target_url(card))}">{escape(card.target_title)}</a><br>'
                f'<small class="mono muted">{escape(card.target_number)}</small>')


def row(cells, labels, *, level: str, attrs: str = "", nowrap=()) -> str:
    """One card's `<tr>`, coloured by its level (`core.web.rows.table_row`)."""
    return table_row(cells, labels, css_class=f"row-{level}", attrs=attrs, nowrap=nowrap)


LIST_LABELS = ("级别", "事由", "办件", "责任部门", "原因", "亮牌 / 撤牌", "申诉与裁定")


def list_rows(cards) -> list[str]:
    """The card list's rows (`card.can_contest` and `card.can_decide` set by the view): level,
    trigger, what it is about, who answers for it, the reason (and why it was withdrawn), when
    it was shown and withdrawn, the contest and ruling with the one button the reader may use."""
    cells = CardCells()
    labels = [escape(_(text)) for text in LIST_LABELS]
    still_open, contest, decide = escape(_("未撤牌")), escape(_("申诉")), escape(_("裁定"))
    review_class = {Card.Review.VOIDED: " tag-green", Card.Review.UPHELD: " tag-red"}
    rows = []
    for card in cards:
        reason = escape(card.reason)
        if card.close_reason:
            reason += f'<br><small class="muted">{escape(card.close_reason)}</small>'
        review = (f'<span class="tag{review_class.get(card.review, "")}">'
                  f'{cells.reviews.get(card.review, escape(card.review))}</span>' if card.review else "")
        if card.can_contest:
            review += f'<a class="btn btn-sm" href="#contest-{card.pk}">{contest}</a>'
        elif card.can_decide:
            primary = " btn-primary" if card.review == Card.Review.CONTESTED else ""
            review += f'<a class="btn btn-sm{primary}" href="{cells.card_url(card)}">{decide}</a>'
        elif not card.review:
            review += '<span class="muted">—</span>'
        rows.append(row((
            cells.badge(card),
            cells.trigger(card),
            cells.target(card),
            escape(card.responsible),
            reason,
            f'{minute(card.opened_at)}<br><small class="muted">{minute(card.closed_at) or still_open}</small>',
            review,
        ), labels, level=card.level, nowrap=(5,)))
    return rows
