"""The POSTs of the exchange pages parsed by Django forms (see core.web.forms): a form checks what a
posted value must be, the service keeps the rules of the domain and their messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LicenceRevokeForm(forms.Form):
    """注销证照: the licence's number (a hidden field of its row) and the reason typed, as long as the
    page's box allows. That a reason is needed is services.licence_revoke's rule."""

    number = forms.CharField(
        max_length=32, error_messages={"required": _("未找到该证照。"), "max_length": _("未找到该证照。")}
    )
    reason = forms.CharField(
        required=False, max_length=255, strip=False, error_messages={"max_length": _("注销原因不超过255个字。")}
    )

    def clean_number(self):
        return self.cleaned_data["number"].upper()


# --- 证照类型's data items, edited as rows in the admin (no JavaScript) --------------------------------

ITEM_COLUMNS = ("key", "name", "type", "required", "field")
BLANK_ROWS = 3


class DataItemsWidget(forms.Widget):
    """A licence type's data items (照面信息) as a table of rows drawn on the server: one row per item
    (键, 名称, 类型, 必填, 取自表单字段, 删除) and a few blank rows to add. Inputs are named
    `<name>-<row>-<column>` and `<name>-rows` says how many rows the page had."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.utils.html import format_html, format_html_join
        from django.utils.safestring import mark_safe

        from .licence_data import TYPES

        rows = [dict(item) for item in (value or []) if isinstance(item, dict)]
        rows += [{} for _ in range(BLANK_ROWS)]
        out = []
        for i, row in enumerate(rows):
            chosen = row.get("type") or "text"
            options = format_html_join("", '<option value="{}"{}>{}</option>', (
                (kind, mark_safe(" selected") if kind == chosen else "", label) for kind, label in TYPES.items()))
            out.append(format_html(
                '<tr><td>{number}</td>'
                '<td><input name="{n}-{i}-key" value="{key}" maxlength="64" size="16" aria-label="{lk}"></td>'
                '<td><input name="{n}-{i}-name" value="{label}" maxlength="64" size="14" aria-label="{ln}"></td>'
                '<td><select name="{n}-{i}-type" aria-label="{lt}">{options}</select></td>'
                '<td><input type="checkbox" name="{n}-{i}-required"{required} aria-label="{lr}"></td>'
                '<td><input name="{n}-{i}-field" value="{field}" maxlength="64" size="16" aria-label="{lf}"></td>'
                '<td><input type="checkbox" name="{n}-{i}-delete"{delete} aria-label="{ld}"></td></tr>',
                number=i + 1, n=name, i=i, key=row.get("key", ""), label=row.get("name", ""), options=options,
                required=mark_safe(" checked") if row.get("required") is True else "", field=row.get("field", ""),
                delete=mark_safe(" checked") if row.get("delete") else "",
                lk=_("第 %(n)s 行的键") % {"n": i + 1}, ln=_("第 %(n)s 行的名称") % {"n": i + 1},
                lt=_("第 %(n)s 行的类型") % {"n": i + 1}, lr=_("第 %(n)s 行必填") % {"n": i + 1},
                lf=_("第 %(n)s 行取自的表单字段") % {"n": i + 1}, ld=_("删除第 %(n)s 行") % {"n": i + 1}))
        return format_html(
            '<table class="data-items"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            '<th>{}</th></tr></thead><tbody>{}</tbody></table><input type="hidden" name="{}-rows" value="{}">'
            '<p class="help">{}</p>',
            _("行"), _("键"), _("名称"), _("类型"), _("必填"), _("取自表单字段"), _("删除"), mark_safe("".join(out)), name,
            len(rows), _("键为小写字母开头的英文、数字或下划线;在空白行填写即新增一项,勾选“删除”即删去该项。"))

    def value_from_datadict(self, data, files, name):
        try:
            count = min(int(data.get(f"{name}-rows", "0")), 500)
        except ValueError:
            count = 0
        rows = []
        for i in range(count):
            row = {column: data.get(f"{name}-{i}-{column}", "") for column in ("key", "name", "type", "field")}
            row = {k: v.strip() for k, v in row.items()}
            row["required"] = bool(data.get(f"{name}-{i}-required"))
            row["delete"] = bool(data.get(f"{name}-{i}-delete"))
            rows.append(row)
        return rows

    def value_omitted_from_data(self, data, files, name):
        return f"{name}-rows" not in data


class DataItemsField(forms.Field):
    """The rows back into the type's list of items: blank rows and rows marked 删除 dropped, every
    other row checked (a Chinese message naming its row), the whole list refused if any is wrong."""

    widget = DataItemsWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, str):  # the stored JSON, as a ModelForm's initial value may be
            import json

            try:
                value = json.loads(value)
            except ValueError:
                value = []
        return value if isinstance(value, list) else []

    def to_python(self, value):
        from django.core.exceptions import ValidationError

        from .licence_data import KEY_RE, TYPES, item_errors

        rows = value if isinstance(value, list) else []
        items, problems, seen = [], [], set()
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict) or "key" not in row:  # a stored item (no rows posted)
                items.append(row)
                continue
            if row.get("delete") or not (row["key"] or row["name"] or row["field"]):
                continue
            where = _("第 %(n)s 行:") % {"n": number}
            if not KEY_RE.match(row["key"]):
                problems.append(where + str(_("键须为小写字母开头的英文、数字或下划线(至多64个字符)。")))
            elif row["key"] in seen:
                problems.append(where + str(_("键“%(key)s”与前面的行重复。") % {"key": row["key"]}))
            seen.add(row["key"])
            if not row["name"] or len(row["name"]) > 64:
                problems.append(where + str(_("请填写名称(1至64字)。")))
            if row["type"] not in TYPES:
                problems.append(where + str(_("类型须为文本、日期或数字。")))
            if row["field"] and not KEY_RE.match(row["field"]):
                problems.append(where + str(_("表单字段键须为小写字母开头的英文、数字或下划线。")))
            item = {"key": row["key"], "name": row["name"], "type": row["type"] or "text",
                    "required": row["required"]}
            if row["field"]:
                item["field"] = row["field"]
            items.append(item)
        if problems:
            raise ValidationError(problems)
        if item_errors(items):
            raise ValidationError(item_errors(items))
        return items

    def has_changed(self, initial, data):
        from django.core.exceptions import ValidationError

        try:
            return self.prepare_value(initial) != self.to_python(data)
        except ValidationError:
            return True
