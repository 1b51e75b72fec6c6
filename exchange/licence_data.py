"""A licence type's data items (照面信息, GB/T 36903 style) and the check of the data a licence is
issued with. A type declares its items as a list of {"key", "name", "type", "required", "field"}:
`type` is text, date or number; `field`, when given, is the key of the application's form field
the value is taken from when the department does not send it. At issue the data must hold every
required item, each of its type, and nothing the type does not declare: otherwise `Invalid` with
a Chinese message per item, before anything is written."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.errors import Invalid

TYPES = {"text": _("文本"), "date": _("日期"), "number": _("数字")}
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TEXT = 500


def item_errors(items) -> str:
    """What is wrong with a declared list of data items, in Chinese ('' when nothing)."""
    if not isinstance(items, list):
        return _("照面信息项须为列表。")
    seen = set()
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            return _("第 %(i)s 项须为 {\"key\", \"name\", \"type\", \"required\"} 形式。") % {"i": i}
        key, name, kind = item.get("key"), item.get("name"), item.get("type", "text")
        if not isinstance(key, str) or not KEY_RE.match(key):
            return _("第 %(i)s 项的键须为小写字母开头的英文、数字或下划线。") % {"i": i}
        if key in seen:
            return _("第 %(i)s 项的键“%(key)s”重复。") % {"i": i, "key": key}
        seen.add(key)
        if not isinstance(name, str) or not name.strip() or len(name) > 64:
            return _("第 %(i)s 项须有名称(1至64字)。") % {"i": i}
        if kind not in TYPES:
            return _("第 %(i)s 项的类型须为 text、date、number 之一。") % {"i": i}
        if not isinstance(item.get("required", False), bool):
            return _("第 %(i)s 项的 required 须为 true 或 false。") % {"i": i}
        if "field" in item and not isinstance(item["field"], str):
            return _("第 %(i)s 项的 field 须为表单字段键。") % {"i": i}
        if set(item) - {"key", "name", "type", "required", "field"}:
            return _("第 %(i)s 项含有未知的属性。") % {"i": i}
    return ""


def _value(kind: str, raw):
    if kind == "date":
        return dt.date.fromisoformat(str(raw)).isoformat()
    if kind == "number":
        if isinstance(raw, bool):
            raise ValueError
        number = Decimal(str(raw))
        if not number.is_finite():
            raise ValueError
        return str(number)
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise ValueError
    return text


def licence_data(licence_type, given: dict | None, form_data: dict | None = None) -> dict:
    """The data a licence of `licence_type` is issued with: each declared item from `given` (the
    department's licence data) or else from the application's form field the item names, checked.
    Raises `Invalid` (code `invalid_licence_data`, a message per item) when a required item is
    missing, a value is not of its type, or `given` holds an item the type does not declare."""
    items = list(getattr(licence_type, "data_items", None) or [])
    given = given if isinstance(given, dict) else {}
    form_data = form_data if isinstance(form_data, dict) else {}
    declared = {item["key"] for item in items}
    problems: dict[str, list[str]] = {}
    for key in sorted(set(given) - declared):
        problems[f"licence.data.{key}"] = [_("证照类型“%(type)s”没有数据项“%(key)s”。") % {
            "type": getattr(licence_type, "name", ""), "key": key}]
    data = {}
    for item in items:
        key, kind = item["key"], item.get("type", "text")
        raw = given.get(key)
        if raw in (None, "") and item.get("field"):
            raw = form_data.get(item["field"])
        if raw in (None, ""):
            if item.get("required"):
                problems[f"licence.data.{key}"] = [_("缺少必填数据项“%(name)s”(%(key)s)。") % {
                    "name": item["name"], "key": key}]
            continue
        try:
            data[key] = _value(kind, raw)
        except (ValueError, InvalidOperation):
            problems[f"licence.data.{key}"] = [_("数据项“%(name)s”应为%(type)s。") % {
                "name": item["name"], "type": {"date": _("YYYY-MM-DD 格式的日期"), "number": _("数字"),
                                               "text": _("不超过500字的文本")}[kind]}]
    if problems:
        raise Invalid(_("证照照面信息不完整或不正确:%(what)s") % {
            "what": ";".join(m for msgs in problems.values() for m in msgs)},
            code="invalid_licence_data", fields=problems)
    return data


def labelled(licence_type, data: dict) -> list[tuple[str, str]]:
    """(name, value) of a licence's data in the type's declared order, for pages and the PDF; an
    item no longer declared is shown under its key."""
    data = data if isinstance(data, dict) else {}
    items = list(getattr(licence_type, "data_items", None) or [])
    rows = [(item["name"], data[item["key"]]) for item in items if item.get("key") in data]
    known = {item.get("key") for item in items}
    rows += [(key, value) for key, value in data.items() if key not in known]
    return rows
