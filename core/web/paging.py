"""Cutting a list into pages for the HTML lists (the API pages with cursors, portal.pagination).

`page_of`: numbered pages (Django's Paginator, OFFSET) for lists that stay small (a matter's
guides, one person's messages). `keyset_page`: the worklists that grow with the case load (issue
15) — `?after=` / `?before=` cursors over a unique order (a date, then the primary key), so that
page 2,000 reads as few rows as page 1 when an index matches the list's filter and order; the
count shown is exact up to `COUNT_EXACT_UP_TO`, beyond it "1,000+" (docs/decisions.md)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.exceptions import EmptyResultSet, ValidationError
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

COUNT_EXACT_UP_TO = 1000


def page_of(request, items, per_page: int) -> Page:
    """The page `?page=` asks for; a page number out of range or not a number gives the nearest
    page rather than an error (Paginator.get_page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@dataclass
class KeysetPage:
    """One page of a keyset list, with the links a pager needs (query strings, other parameters kept)."""

    object_list: list
    count: int
    count_more: bool  # more than `count` rows: the count stopped at COUNT_EXACT_UP_TO
    next_url: str | None = None
    previous_url: str | None = None
    first_url: str | None = None
    message: str = ""  # said when a cursor could not be read (the list starts again at page 1)
    extra: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)  # the labels of `also_count`'s lists

    @property
    def has_next(self):
        return self.next_url is not None

    @property
    def has_previous(self):
        return self.previous_url is not None

    @property
    def has_other_pages(self):
        return self.has_next or self.has_previous

    @property
    def count_label(self) -> str:
        shown = f"{self.count:,}"
        return f"{shown}+" if self.count_more else shown

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)


_PCHAR_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted (RFC 3986 pchar)


def url_maker(viewname: str):
    """`reverse(viewname, args=[value])` for the rows of a page, resolved once: the URL around a
    marker, the value quoted as reverse() quotes it (a page of 50 rows reverses once, not 50 or
    100 times in its template)."""
    marker = "0rowarg0"
    try:
        path = reverse(viewname, args=[marker])
    except NoReverseMatch:  # a pattern of digits (`<int:pk>`, `[0-9]{1,18}`): a marker made of digits
        marker = "901234567890123"
        path = reverse(viewname, args=[marker])
    head, _sep, tail = path.partition(marker)

    def url(value) -> str:
        return f"{head}{quote(str(value), safe=_PCHAR_SAFE)}{tail}"

    return url


def with_urls(rows, viewname: str, *, attr: str = "number", to: str = "url"):
    """Each row's `to` set to the URL of `viewname` for its `attr` (see `url_maker`)."""
    url = url_maker(viewname)
    for row in rows:
        setattr(row, to, url(getattr(row, attr)))
    return rows


def _label(total: int, up_to: int) -> str:
    return f"{up_to:,}+" if total > up_to else f"{total:,}"


def count_label(items, up_to: int = COUNT_EXACT_UP_TO) -> str:
    """"共 N 件" for a list that may hold millions: exact up to `up_to`, then "1,000+" (one
    COUNT over at most up_to + 1 rows of the index)."""
    return _label(items.order_by()[:up_to + 1].count(), up_to)


def count_labels(lists: dict, up_to: int = COUNT_EXACT_UP_TO) -> dict:
    """`count_label` of each of a page's lists ({name: queryset}), in one query."""
    names = list(lists)
    return {name: _label(total, up_to) for name, total in zip(names, capped_counts(
        [lists[name] for name in names], up_to), strict=True)}


def capped_counts(querysets: list, up_to: int) -> list[int]:
    """COUNT over at most up_to + 1 rows of each queryset, in one SELECT of one scalar subquery
    each: a page's tab counts cost one round trip, not one each with its own compiled COUNT
    wrapper (the hall page counted four lists in four queries)."""
    if len(querysets) == 1 or len({qs.db for qs in querysets}) > 1:
        return [qs.order_by()[:up_to + 1].count() for qs in querysets]
    columns, params = [], []
    for i, qs in enumerate(querysets):
        try:
            sql, sql_params = qs.order_by().values("pk")[:up_to + 1].query.sql_with_params()
        except EmptyResultSet:  # a list that can hold nothing (`.none()`, `pk__in=[]`)
            columns.append("0")
            continue
        columns.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{i})")
        params.extend(sql_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        return [int(total) for total in cursor.fetchone()]


def _url(request, prefix="", **params) -> str:
    query = request.GET.copy()
    for name in (f"{prefix}after", f"{prefix}before", "page"):
        query.pop(name, None)
    for name, value in params.items():
        query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def keyset_page(request, items, *, key: str, descending: bool, per_page: int,
                count_up_to: int = COUNT_EXACT_UP_TO, prefix: str = "", has_nulls: bool | None = None,
                also_count: dict | None = None) -> KeysetPage:
    """The page of `items` that `?after=` (or `?before=`) names, in the order (key, pk), NULL keys
    counted greater than any value (PostgreSQL's default: NULLS LAST ascending, FIRST descending,
    so a plain b-tree index serves both). A cursor that cannot be read gives page 1 and says so;
    one that names a row since gone still pages from where that row stood. `prefix` keeps two
    lists of one page apart (`open_after`). `has_nulls=False` says the list holds no NULL key
    although the column allows it (the clerk's queues: a submitted application has its time),
    which keeps an ascending cursor a plain index range (an `OR key IS NULL` would make the
    database filter from the top)."""
    keys = [Key(key, descending, nulls_last=not descending), Key("pk", descending)]
    return keyset_page_by(request, items, keys=keys, per_page=per_page, count_up_to=count_up_to, prefix=prefix,
                          nullable={key: has_nulls} if has_nulls is not None else None, also_count=also_count)


def _page(request, rows, *, total, per_page, count_up_to, cursor, backwards, message, prefix, cursor_of) -> KeysetPage:
    """The page from up to per_page + 1 rows read in the page's direction, with its links."""
    more = len(rows) > per_page
    rows = rows[:per_page]
    if backwards:
        rows.reverse()
    page = KeysetPage(object_list=rows, count=min(total, count_up_to), count_more=total > count_up_to,
                      message=message)

    def link(name, row):
        return _url(request, prefix, **{f"{prefix}{name}": cursor_of(row)})

    if rows:
        going_on = more or backwards  # forwards: a next page when one more row came; backwards: we came from it
        coming_from = (more if backwards else cursor is not None)
        if going_on:
            page.next_url = link("after", rows[-1])
        if coming_from:
            page.previous_url = link("before", rows[0])
    elif cursor is not None and not message:
        page.message = _("这一页已没有办件,请回到第一页。")
    if cursor is not None:
        page.first_url = _url(request, prefix)
    return page


@dataclass(frozen=True)
class Key:
    """One column of a composite keyset order: its direction and where its NULLs sit (a list
    whose order mixes directions, e.g. the open cards: level, then due with no due last, then
    newest first). The last key must be unique (the primary key)."""

    name: str
    descending: bool = False
    nulls_last: bool = True

    def flipped(self) -> Key:
        return Key(self.name, not self.descending, not self.nulls_last)

    def ordering(self):
        if self.name == "pk":
            return "-pk" if self.descending else "pk"
        where = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return F(self.name).desc(**where) if self.descending else F(self.name).asc(**where)


def _key_value(value) -> str:
    return "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)


def encode_cursor(*values) -> str:
    """The cursor of a row whose keys hold `values` (a date or time, a number, a string, None)."""
    text = "|".join(_key_value(value) for value in values)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def encode_cursor_of(row, keys) -> str:
    return encode_cursor(*(getattr(row, k.name) for k in keys))


def decode_cursor_of(raw: str, fields) -> tuple:
    """The values of a cursor made by `encode_cursor_of` over `fields` (model fields, the last
    the primary key), or ValueError for anything else."""
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        parts = text.split("|")
        if len(parts) != len(fields) or len(text) > 200:
            raise ValueError(raw)
        values = []
        for part, model_field in zip(parts, fields, strict=True):
            if part == "":
                if not model_field.null:
                    raise ValueError(raw)
                values.append(None)
                continue
            value = model_field.to_python(part)
            if value is None:
                raise ValueError(raw)
            if isinstance(value, int) and not 0 <= value < 2**63:
                raise ValueError(raw)
            if isinstance(value, dt.datetime) and timezone.is_naive(value):
                value = timezone.make_aware(value, dt.UTC)
            if model_field.choices and value not in {str(c) for c, _label in model_field.flatchoices}:
                raise ValueError(raw)
            values.append(value)
        return tuple(values)
    except (binascii.Error, UnicodeDecodeError, ValidationError, TypeError, OverflowError) as exc:
        raise ValueError(raw) from exc


def _beyond_keys(keys, values, nullable) -> Q:
    """Rows strictly after `values` in the order of `keys`: the first key after, or equal and the
    second after, … With a first value, the redundant bound on the first key lets the database
    start its index scan there."""

    def after(k, value):
        if value is None:
            return Q(pk__in=[]) if k.nulls_last else Q(**{f"{k.name}__isnull": False})
        q = Q(**{f"{k.name}__{'lt' if k.descending else 'gt'}": value})
        return q | Q(**{f"{k.name}__isnull": True}) if k.nulls_last and nullable[k.name] else q

    def equal(k, value):
        return Q(**{f"{k.name}__isnull": True}) if value is None else Q(**{k.name: value})

    beyond, same = Q(pk__in=[]), Q()
    for k, value in zip(keys, values, strict=True):
        beyond |= same & after(k, value)
        same &= equal(k, value)
    first, value = keys[0], values[0]
    if value is not None:
        bound = Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
        if first.nulls_last and nullable[first.name]:
            bound |= Q(**{f"{first.name}__isnull": True})
        beyond = bound & beyond
    return beyond


def _parts_after(order, cursor, nullable) -> list[Q]:
    """The rows after `cursor` in `order` as filters to read one after the other, each one range of
    an index on the keys. One filter, but where the first key may be NULL and the NULLs follow the
    cursor's part of the order, two: after a value, where NULLs sort last, the values after it and
    then the NULLs; after a NULL, where NULLs sort first (a list read backwards), the NULLs after
    it and then the values. In one filter, `due > v OR due IS NULL` has the index read from its
    start: the open cards' deep page at 1M scanned 67,000 entries."""
    first, value = order[0], cursor[0]
    null, not_null = Q(**{f"{first.name}__isnull": True}), Q(**{f"{first.name}__isnull": False})
    if nullable[first.name] and value is not None and first.nulls_last:
        return [not_null & _beyond_keys(order, cursor, {**nullable, first.name: False}), null]
    if nullable[first.name] and value is None and not first.nulls_last:
        return [null & _beyond_keys(order[1:], cursor[1:], nullable), not_null]
    return [_beyond_keys(order, cursor, nullable)]


def _rows_in_parts(ordered, parts, wanted) -> list:
    """Up to `wanted` rows of `ordered`, part by part (filters), the next part read only when the
    page needs more rows."""
    rows = []
    for part in parts:
        rows += list(ordered.filter(part)[:wanted - len(rows)])
        if len(rows) >= wanted:
            break
    return rows


def _segmented_rows(items, order, segments, cursor, nullable, wanted) -> list:
    """Up to `wanted` rows of `items` after `cursor` in `order`, whose first key takes the values
    of `segments` ({value: filter}): segment by segment in the first key's direction, each in
    the order of the other keys, the cursor's bound only in the cursor's own segment."""
    first, rest = order[0], order[1:]
    values = sorted(segments, reverse=first.descending)
    if cursor is not None:
        values = values[values.index(cursor[0]):]
    parts = []
    for value in values:
        if cursor is not None and value == cursor[0]:
            parts += [segments[value] & part for part in _parts_after(rest, cursor[1:], nullable)]
        else:
            parts.append(segments[value])
    return _rows_in_parts(items.order_by(*(k.ordering() for k in rest)), parts, wanted)


def keyset_page_by(request, items, *, keys: list[Key], per_page: int, count_up_to: int = COUNT_EXACT_UP_TO,
                   prefix: str = "", nullable: dict | None = None, annotated: dict | None = None,
                   segments: dict | None = None, also_count: dict | None = None) -> KeysetPage:
    """`keyset_page` over a composite order (`keys`, the last the primary key): the cursor holds
    every key's value of the row it names. `nullable` overrides what the model says of a key's
    NULLs (see `keyset_page`'s `has_nulls`). `annotated`: {name: an unsaved model field (its
    type)} for keys that are annotations of `items`, not columns (the hall's queue: its own
    district first). `segments`: {value of the first key: the filter of its rows}, for a first
    key of a few values that no index orders by (an annotation): each segment is read on its own
    in the order of the other keys, which an index serves, the next one only when the page needs
    more rows (the hall's queue at 1M: the whole queue sorted by its CASE took 150-260 ms).
    `also_count`: {name: queryset} of the page's other lists (its tabs), counted with this one
    in one query (`capped_counts`) and labelled in `page.counts`."""
    if keys[-1].name != "pk":
        raise ValueError("the last key of a keyset order must be the primary key")
    meta = items.model._meta
    annotated = annotated or {}
    fields = [meta.pk if k.name == "pk" else annotated.get(k.name) or meta.get_field(k.name) for k in keys]
    nullable = {k.name: f.null for k, f in zip(keys, fields, strict=True)} | (nullable or {})
    after, before = request.GET.get(f"{prefix}after", ""), request.GET.get(f"{prefix}before", "")
    cursor, backwards, message = None, False, ""
    if after or before:
        try:
            cursor = decode_cursor_of(after or before, fields)
            if segments is not None and cursor[0] not in segments:
                raise ValueError(after or before)
            backwards = not after
        except ValueError:
            cursor, message = None, _("翻页参数无效,已回到第一页。")
    others = also_count or {}
    total, *other_totals = capped_counts([items, *others.values()], count_up_to)
    order = [k.flipped() for k in keys] if backwards else keys
    if segments is None:
        parts = [Q()] if cursor is None else _parts_after(order, cursor, nullable)
        rows = _rows_in_parts(items.order_by(*(k.ordering() for k in order)), parts, per_page + 1)
    else:
        rows = _segmented_rows(items, order, segments, cursor, nullable, per_page + 1)
    page = _page(request, rows, total=total, per_page=per_page, count_up_to=count_up_to,
                 cursor=cursor, backwards=backwards, message=message, prefix=prefix,
                 cursor_of=lambda row: encode_cursor_of(row, keys))
    page.counts = {name: _label(n, count_up_to) for name, n in zip(others, other_totals, strict=True)}
    return page
