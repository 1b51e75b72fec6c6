"""Table rows built in Python, for the pages that list many things at once (the card list's 50,
the hall's queue, the dashboard's open cards): every label translated and every view reversed
once for the page, every value escaped by the code that makes its cell. Through a template
loop, a row costs about 0.3 ms (each `{{ a.b.c }}` a chain of lookups, a failed one a `dir()`
of the model, `get_*_display` ~0.1 ms a call, `escape()` of a lazy label translated again at
every use): 6–10 ms of a worklist page's 30 (issue 15; decisions: "Rows built in Python").
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

NOWRAP = ' class="nowrap"'


def local_time(moment, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment in Beijing time as a row shows it (the template's `|date:"Y-m-d H:i"`); "" for none."""
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def choice_labels(choices) -> dict[str, str]:
    """{value: the escaped label in the reader's language} of a model's choices, for a page."""
    return {value: escape(str(label)) for value, label in choices}


def _cell(label, cell, nowrap: bool) -> str:
    data_label = "" if label is None else f' data-label="{label}"'
    return f"<td{data_label}{NOWRAP if nowrap else ''}>{cell}</td>"


def table_row(cells, labels, *, css_class: str = "", attrs: str = "", nowrap=()) -> SafeString:
    """One `<tr>`: each cell (escaped by its maker) with its `data-label` (the small screens'
    stacked table; `None`: a cell without one, as a row's button)."""
    tds = "".join(_cell(label, cell, i in nowrap) for i, (label, cell) in enumerate(zip(labels, cells, strict=True)))
    class_attr = f' class="{escape(css_class)}"' if css_class else ""
    return mark_safe(f"<tr{class_attr}{attrs}>{tds}</tr>")  # noqa: S308 (cells escaped by their makers)
