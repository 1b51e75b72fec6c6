"""The window workbench's queue (`/hall/`: 待预审, 待补正, 我经手的在办件, 未获授权受理) as table
rows built in Python (`core.web.rows`): 20 rows through the template loop took ~8 ms of a page
whose budget is 30 (issue 15), a third of it `dir()` of an application on each failed lookup.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.html import escape
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from accounts.identity import mask
from core.templatetags.clock import provisional
from core.web.paging import url_maker
from core.web.rows import choice_labels, local_time, table_row
from workflow.models import Application, Channel

TABS_SHOWING_STATE = ("in_hand", "elsewhere")

# The columns a queue row reads (`queue_rows`), and the keyset's keys; the applicant's name and
# ID number (decrypted for its mask). Every other column left unread: an application has ~60.
QUEUE_COLUMNS = (
    "number", "title", "channel", "state", "submitted_at", "first_submitted_at",
    "pre_review_due", "pre_review_due_provisional", "enterprise", "agent",
    "applicant__real_name", "applicant__id_number",
)


def queue_labels(tab: str) -> list[str]:
    """The queue table's column heads for `tab` (its `<th>`s and each cell's `data-label`)."""
    waited = _("已等待") if tab == "waiting" else _("告知后已过")
    labels = [_("办件"), _("申请人"), _("渠道"), _("提交时间"), waited]
    return labels + [_("预审期限")] if tab == "waiting" else labels


def _open_label(tab: str) -> str:
    if tab == "waiting":
        return _("预审")
    return _("查看原因") if tab == "elsewhere" else _("查看")


def _applicant(application, *, operator: str, by_agent: str) -> str:
    if application.enterprise_id:
        cell = (f"{escape(application.enterprise.name)}<br><small class=\"muted\">{operator} "
                f"{escape(application.applicant.real_name)}</small>")
    else:
        cell = (f"{escape(application.applicant.real_name)}<br><small class=\"mono muted\">"
                f"{escape(mask(application.applicant.id_number or ''))}</small>")
    return cell + (f'<br><span class="tag">{by_agent}</span>' if application.agent_id else "")


def _urgency(application, today: dt.date) -> str:
    """"red" past the pre-review deadline, "yellow" on its day, else "": the row's colour and badge."""
    due = application.pre_review_due
    if not due or due > today:
        return ""
    return "red" if due < today else "yellow"


def _due(application, urgency: str, *, badges: dict, at_window: str) -> str:
    due = application.pre_review_due
    if not due:
        return f'<span class="muted">{at_window}</span>'
    cell = due.strftime("%Y-%m-%d") + provisional(application.pre_review_due_provisional, due)
    return f'{cell} <span class="badge badge-{urgency}">{badges[urgency]}</span>' if urgency else cell


def _minute(moment) -> str:
    return local_time(moment, "%m-%d %H:%M")


def queue_rows(applications, *, tab: str, today: dt.date, not_authorised=None) -> list[str]:
    """One `<tr>` per application of the page (`not_authorised`: {application id: the names of
    its matters outside the clerk's 授权}, on the 未获授权受理 tab)."""
    url = url_maker("portal:application")
    labels = [escape(label) for label in queue_labels(tab)] + [None]
    channels, states = choice_labels(Channel.choices), choice_labels(Application.State.choices)
    words = {key: escape(text) for key, text in {
        "operator": _("经办人"), "by_agent": _("委托代办"), "other_district": _("外区办件"),
        "at_window": _("窗口收件"), "open": _open_label(tab),
    }.items()}
    badges = {"red": escape(_("已逾期")), "yellow": escape(_("今日到期"))}
    not_authorised = not_authorised or {}
    now = timezone.now()
    rows = []
    for a in applications:
        link = escape(url(a.number))
        channel = channels.get(a.channel, escape(a.channel))
        if tab in TABS_SHOWING_STATE:
            channel += f'<br><span class="badge">{states.get(a.state, escape(a.state))}</span>'
        if getattr(a, "other_district", 0):  # not on 我经手的在办件, which has no district order
            channel += f'<br><span class="tag">{words["other_district"]}</span>'
        if not_authorised.get(a.pk):
            names = escape(_("未获授权:%(names)s") % {"names": "、".join(not_authorised[a.pk])})
            channel += f'<br><small class="text-red">{names}</small>'
        received = _minute(a.received_at)
        if a.resubmitted_at:
            resubmitted = escape(_("补正 %(at)s") % {"at": _minute(a.resubmitted_at)})
            received += f'<br><small class="muted">{resubmitted}</small>'
        cells = [
            f'<a href="{link}"><strong>{escape(a.title)}</strong></a><br><small class="mono muted">{escape(a.number)}</small>',
            _applicant(a, operator=words["operator"], by_agent=words["by_agent"]),
            channel,
            received,
            escape(timesince(a.submitted_at, now)) if a.submitted_at else "",
        ]
        css_class = ""
        if tab == "waiting":
            urgency = _urgency(a, today)
            cells.append(_due(a, urgency, badges=badges, at_window=words["at_window"]))
            css_class = f"row-{urgency}" if urgency else ""
        cells.append(f'<a class="btn btn-sm btn-primary" href="{link}">{words["open"]}</a>')
        rows.append(table_row(cells, labels, css_class=css_class, nowrap=(3, 4, 5) if tab == "waiting" else (3, 4)))
    return rows
