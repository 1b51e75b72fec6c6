"""The whole catalog as one XLSX workbook, both ways: governments keep implementation lists in Excel.

One sheet per kind of row, Chinese headers: 事项 (matters), 申请材料 (materials), 表单字段 (form
fields), and a 填写说明 sheet telling what each column takes. Choices are written as their
Chinese labels (行政许可, 原件 …) and read back as label or code; yes/no as 是/否; money in fen;
a field's options joined by ``|``.

Columns follow the models: every editable, non-relation field becomes a column headed by its
verbose name, so a field added to `Matter`, `MaterialRequirement` or `FormField` travels with
the workbook without a change here. Left out: the version and its date (the versioned standard
owns them), the search keys (made from the name) and the files of a material (its blank form and
sample, uploaded in the admin).

Import (`import_catalog`) checks every row of every sheet first: types, choices, required
cells, lengths, department codes, matter codes of the material and field rows, promised limit
not over the legal one, duplicate matter codes and duplicate field keys. Any error → a report
listing each (sheet, row, column, what is wrong, in Chinese) and nothing written. Otherwise,
in one transaction, matters are created or updated by code; a matter's materials are matched to
its rows by position and its fields by key, so exporting and importing the same catalog changes
nothing. Matters the file does not list are left as they are. A matter whose standard the file
changes gets a new version (`matters.versioning.publish_imported`); a new one gets its first.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Department

from . import versioning
from .models import FormField, MaterialRequirement, Matter

MATTER_SHEET, MATERIAL_SHEET, FIELD_SHEET, HELP_SHEET = "事项", "申请材料", "表单字段", "填写说明"
MATTER_CODE_HEADER = "事项编码"
DEPARTMENT_HEADER = "实施部门代码"
LICENCE_TYPE_HEADER = "证照类型代码"  # the matter's licence type (exchange.LicenceType), by its code
LIST_SEPARATOR = "|"
YES, NO = "是", "否"
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "✗"}
NOT_EXPORTED = {"id", "version", "published_on"}
ALWAYS_REQUIRED = {"legal_days", "promised_days"}  # a limit is never left to a default
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_REPORTED_ERRORS = 500


# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    name: str  # the model attribute, or "matter_code" / "department_code"
    field: models.Field | None = None
    required: bool = False
    width: int = 14

    def to_cell(self, value):
        f = self.field
        if f is None or value is None:
            return value
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(f, models.BooleanField):
            return YES if value else NO
        if isinstance(f, models.JSONField):
            if isinstance(value, list) and all(isinstance(v, str) and LIST_SEPARATOR not in v for v in value):
                return LIST_SEPARATOR.join(value) or None
            return json.dumps(value, ensure_ascii=False) if value else None
        if isinstance(value, str):
            return value or None
        return value

    def from_cell(self, raw):
        """The model value of a cell, or ValidationError with a Chinese message."""
        f = self.field
        if isinstance(raw, str):
            raw = raw.strip()
        if raw is None or raw == "":
            if self.required:
                raise ValidationError(_("必填,不能为空。"))
            if f is None:
                return ""
            return f.get_default() if f.has_default() else ("" if not f.null else None)
        if f is None:  # codes of matters and departments
            return _text(raw)
        if f.choices:
            value = _choice(f, raw)
        elif isinstance(f, models.BooleanField):
            value = _boolean(raw)
        elif isinstance(f, models.IntegerField):
            value = _integer(raw)
        elif isinstance(f, models.DateField):
            value = _date(raw)
        elif isinstance(f, models.JSONField) and isinstance(f.get_default(), dict):
            value = _json_object(raw)
        elif isinstance(f, models.JSONField):
            value = _json_list(raw)
        elif isinstance(f, models.DecimalField | models.FloatField):
            raise ValidationError(_("该列类型暂不支持导入。"))
        else:
            value = _text(raw)
        f.clean(value, None)  # lengths, slug shape, ranges: Django's own validators, in Chinese
        return value


def _text(raw) -> str:
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # Excel keeps 12345 typed in a text column as a number
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return str(raw).strip()


def _choice(f, raw):
    text = _text(raw)
    for value, label in f.flatchoices:
        if text == str(label) or text == str(value):
            return value
    allowed = "、".join(str(label) for _v, label in f.flatchoices)
    raise ValidationError(_("“%(value)s”不是可选值,应为:%(allowed)s。") % {"value": text, "allowed": allowed})


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _text(raw).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(_("“%(value)s”应填“是”或“否”。") % {"value": _text(raw)})


def _integer(raw) -> int:
    if isinstance(raw, bool):
        raise ValidationError(_("应为整数。"))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw)
        raise ValidationError(_("“%(value)s”应为整数。") % {"value": raw})
    text = _text(raw)
    if text.lstrip("-").isdigit():
        return int(text)
    raise ValidationError(_("“%(value)s”应为整数。") % {"value": text})


def _date(raw) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(_text(raw))
    except ValueError:
        raise ValidationError(_("“%(value)s”应为日期,格式如 2026-01-31。") % {"value": _text(raw)})


def _json_list(raw) -> list:
    text = _text(raw)
    if text.startswith("["):
        try:
            value = json.loads(text)
        except ValueError:
            raise ValidationError(_("无法识别的列表。"))
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        raise ValidationError(_("无法识别的列表。"))
    return [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]


def _json_object(raw) -> dict:
    """A column whose value is an object of keys (e.g. the licence holder's form fields), written
    as JSON: {"name": "baby_name"}."""
    try:
        value = json.loads(_text(raw))
    except ValueError:
        value = None
    if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return value
    raise ValidationError(_('无法识别的键值对,应写成 {"name": "字段键"} 的形式。'))


def _model_columns(model, *, skip=()) -> list[Column]:
    columns = []
    for f in model._meta.concrete_fields:
        if f.name in NOT_EXPORTED or f.name in skip or not f.editable or f.is_relation:
            continue
        if isinstance(f, models.FileField):  # blank forms and samples are uploaded in the admin
            continue
        header = str(f.verbose_name)
        if isinstance(f, models.JSONField):
            header += _("(用“|”分隔)")
        required = f.name in ALWAYS_REQUIRED or (not f.blank and not f.has_default())
        width = 40 if isinstance(f, models.TextField) or getattr(f, "max_length", 0) and f.max_length > 100 else 14
        columns.append(Column(header=header, name=f.name, field=f, required=required, width=width))
    return columns


def matter_columns() -> list[Column]:
    columns = _model_columns(Matter)
    department = Column(header=DEPARTMENT_HEADER, name="department_code", required=True)
    # The department right after the name, as implementation lists have it.
    at = next(i for i, c in enumerate(columns) if c.name == "name") + 1
    columns = columns[:at] + [department] + columns[at:]
    # The licence type right after the result's name; a workbook without the column leaves it as is.
    at = next(i for i, c in enumerate(columns) if c.name == "result_name") + 1
    return columns[:at] + [Column(header=LICENCE_TYPE_HEADER, name="licence_type_code", width=24)] + columns[at:]


def _licence_types():
    """The licence-type model, through the matter's relation (it is the exchange's record)."""
    return Matter._meta.get_field("licence_type").related_model


def material_columns() -> list[Column]:
    return [Column(header=MATTER_CODE_HEADER, name="matter_code", required=True, width=28),
            *_model_columns(MaterialRequirement)]


def field_columns() -> list[Column]:
    return [Column(header=MATTER_CODE_HEADER, name="matter_code", required=True, width=28),
            *_model_columns(FormField)]


def _sheets():
    return [(MATTER_SHEET, matter_columns()), (MATERIAL_SHEET, material_columns()), (FIELD_SHEET, field_columns())]


# --- export ----------------------------------------------------------------------------------------


def export_catalog(stream=None) -> bytes | None:
    """Write the whole catalog (active and inactive matters) as XLSX to `stream`, or return the bytes."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    with translation.override(settings.LANGUAGE_CODE):
        wb = Workbook(write_only=True)
        header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")

        def cell(ws, value):
            c = WriteOnlyCell(ws, value=value)
            if isinstance(value, str) and value.startswith("="):
                c.data_type = "s"  # text, never a formula
            return c

        def sheet(title, columns, rows):
            ws = wb.create_sheet(title)
            ws.freeze_panes = "A2"
            for i, column in enumerate(columns, start=1):
                ws.column_dimensions[get_column_letter(i)].width = column.width
            header = []
            for column in columns:
                c = cell(ws, column.header)
                c.font, c.fill = header_font, header_fill
                header.append(c)
            ws.append(header)
            for values in rows:
                ws.append([cell(ws, v) for v in values])

        matters = Matter.objects.select_related("department", "licence_type").order_by("code")
        columns = matter_columns()

        def matter_cell(m, c):
            if c.name == "department_code":
                return m.department.code
            if c.name == "licence_type_code":
                return m.licence_type.code if m.licence_type_id else None
            return c.to_cell(getattr(m, c.name))

        sheet(MATTER_SHEET, columns, ([matter_cell(m, c) for c in columns] for m in matters.iterator(chunk_size=2000)))
        for title, columns, model in ((MATERIAL_SHEET, material_columns(), MaterialRequirement),
                                      (FIELD_SHEET, field_columns(), FormField)):
            rows = model.objects.select_related("matter").order_by("matter__code", "order", "pk")
            sheet(title, columns, (
                [r.matter.code if c.name == "matter_code" else c.to_cell(getattr(r, c.name)) for c in columns]
                for r in rows.iterator(chunk_size=2000)
            ))
        ws = wb.create_sheet(HELP_SHEET)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 14, 24
        ws.column_dimensions["C"].width, ws.column_dimensions["D"].width = 8, 80
        ws.append([_("工作表"), _("列"), _("必填"), _("填写要求")])
        for title, columns in _sheets():
            for column in columns:
                ws.append([title, column.header, YES if column.required else "", _column_help(title, column)])
        for line in (
            _("导入时先检查全部行:任何一行有错,整个文件都不会写入,并逐行列出错误。"),
            _("事项按“实施编码”新增或更新;文件中没有的事项保持不变。"),
            _("一个事项的申请材料按行的先后对应,表单字段按“字段键”对应;文件中没有的材料和字段会被删除。"),
        ):
            ws.append([_("说明"), "", "", line])
        if stream is None:
            buffer = io.BytesIO()
            wb.save(buffer)
            return buffer.getvalue()
        wb.save(stream)
        return None


def _column_help(sheet: str, column: Column) -> str:
    f = column.field
    if column.name == "department_code":
        return _("部门代码,须为系统中已有的部门,如 QX-SCJG")
    if column.name == "matter_code":
        return _("须为“事项”表中的实施编码")
    if column.name == "licence_type_code":
        return _("办结出具证照的事项所出证照的类型代码,须为系统“证照类型”中已有的代码;留空表示无证照类型")
    parts = [str(f.help_text)] if f is not None and f.help_text else []
    if f is not None:
        if f.choices:
            parts.append(_("可选:") + "、".join(str(label) for _v, label in f.flatchoices))
        elif isinstance(f, models.BooleanField):
            parts.append(_("填“是”或“否”"))
        elif isinstance(f, models.IntegerField):
            parts.append(_("整数"))
        elif isinstance(f, models.DateField):
            parts.append(_("日期,如 2026-01-31"))
        elif getattr(f, "max_length", None):
            parts.append(_("不超过 %(n)s 个字") % {"n": f.max_length})
        if column.name == "promised_days":
            parts.append(_("不得超过法定时限"))
        if f.has_default() and not column.required and f.get_default() not in ("", None, []):
            parts.append(_("留空时为“%(v)s”") % {"v": column.to_cell(f.get_default())})
    return ";".join(parts)


# --- import ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int | None  # the Excel row number (the header is row 1); None for the file as a whole
    column: str
    message: str

    def __str__(self):
        where = self.sheet + (_("第 %(n)s 行") % {"n": self.row} if self.row else "")
        return f"{where}{'「' + self.column + '」' if self.column else ''}:{self.message}"


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    rows: dict = field(default_factory=dict)  # sheet → number of rows read
    counts: dict = field(default_factory=lambda: defaultdict(int))  # "matters_created" … → n
    more_errors: int = 0  # errors beyond MAX_REPORTED_ERRORS, counted and not listed

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, sheet, row, column, message):
        if len(self.errors) >= MAX_REPORTED_ERRORS:
            self.more_errors += 1
            return
        self.errors.append(RowError(sheet=sheet, row=row, column=column, message=str(message)))

    def sort(self):
        """Sheet by sheet in the workbook's order, then by row; the file's own errors first."""
        order = {MATTER_SHEET: 1, MATERIAL_SHEET: 2, FIELD_SHEET: 3}
        self.errors.sort(key=lambda e: (order.get(e.sheet, 0), e.row or 0))

    def summary(self) -> str:
        c = self.counts
        return _(
            "事项:新增 %(mc)s、更新 %(mu)s、未变 %(mn)s;申请材料:新增 %(ac)s、更新 %(au)s、删除 %(ad)s;"
            "表单字段:新增 %(fc)s、更新 %(fu)s、删除 %(fd)s。"
        ) % {"mc": c["matters_created"], "mu": c["matters_updated"], "mn": c["matters_unchanged"],
             "ac": c["materials_created"], "au": c["materials_updated"], "ad": c["materials_deleted"],
             "fc": c["fields_created"], "fu": c["fields_updated"], "fd": c["fields_deleted"]}


class _Rollback(Exception):
    pass


@dataclass
class _Row:
    number: int
    values: dict


def _read_sheet(wb, title, columns, report) -> list[_Row]:
    if title not in wb.sheetnames:
        report.add(title, None, "", _("缺少工作表“%(t)s”。") % {"t": title})
        return []
    ws = wb[title]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    position = {}
    for i, text in enumerate(header):
        text = _text(text) if text is not None else ""
        if text:
            position.setdefault(text, i)
    for column in columns:
        if column.header not in position and (column.required or column.name in ("department_code", "matter_code")):
            report.add(title, 1, column.header, _("缺少此列。"))
    present = [c for c in columns if c.header in position]
    parsed = []
    for number, cells in enumerate(rows, start=2):
        if cells is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue  # blank rows between blocks are fine
        values, bad = {}, False
        for column in present:
            i = position[column.header]
            raw = cells[i] if i < len(cells) else None
            try:
                values[column.name] = column.from_cell(raw)
            except ValidationError as exc:
                bad = True
                for message in exc.messages:
                    report.add(title, number, column.header, message)
        for column in columns:
            if column not in present and column.field is not None:
                values[column.name] = column.field.get_default() if column.field.has_default() else ""
        parsed.append(_Row(number=number, values=values if not bad else {**values, "_bad": True}))
    report.rows[title] = len(parsed)
    return parsed


def read_catalog(file) -> tuple[dict, ImportReport]:
    """Parse and check a workbook without writing: ({sheet: rows}, report)."""
    from openpyxl import load_workbook

    from core.errors import Invalid
    from core.uploads import check_zip_bounds

    report = ImportReport()
    with translation.override(settings.LANGUAGE_CODE):
        try:
            check_zip_bounds(file)  # before openpyxl expands anything: no zip bombs
        except Invalid as exc:
            report.add(_("文件"), None, "", exc.message)
            return {}, report
        try:
            wb = load_workbook(file, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            report.add(_("文件"), None, "", _("无法读取该文件,请上传由 Excel 或 WPS 保存的 .xlsx 文件。"))
            return {}, report
        try:
            sheets = {title: _read_sheet(wb, title, columns, report) for title, columns in _sheets()}
        finally:
            wb.close()
        _check_references(sheets, report)
    report.sort()
    return sheets, report


def _check_references(sheets, report):
    matters = sheets.get(MATTER_SHEET, [])
    departments = set(Department.objects.filter(
        code__in={r.values.get("department_code") for r in matters}).values_list("code", flat=True))
    licence_types = set(_licence_types().objects.filter(
        code__in={r.values.get("licence_type_code") for r in matters} - {None, ""}).values_list("code", flat=True))
    codes = {}
    for row in matters:
        v = row.values
        kind = v.get("licence_type_code")
        if kind and kind not in licence_types:
            report.add(MATTER_SHEET, row.number, LICENCE_TYPE_HEADER,
                       _("证照类型代码“%(code)s”在系统中不存在,请先在“证照类型”中添加。") % {"code": kind})
        code = v.get("code")
        if code:
            if code in codes:
                report.add(MATTER_SHEET, row.number, str(Matter._meta.get_field("code").verbose_name),
                           _("实施编码“%(code)s”与第 %(n)s 行重复。") % {"code": code, "n": codes[code]})
            else:
                codes[code] = row.number
        department = v.get("department_code")
        if department and department not in departments:
            report.add(MATTER_SHEET, row.number, DEPARTMENT_HEADER,
                       _("部门代码“%(code)s”在系统中不存在。") % {"code": department})
        legal, promised = v.get("legal_days"), v.get("promised_days")
        if isinstance(legal, int) and isinstance(promised, int) and promised > legal:
            report.add(MATTER_SHEET, row.number, str(Matter._meta.get_field("promised_days").verbose_name),
                       _("承诺时限 %(p)s 个工作日超过法定时限 %(l)s 个工作日。") % {"p": promised, "l": legal})
    for title in (MATERIAL_SHEET, FIELD_SHEET):
        for row in sheets.get(title, []):
            code = row.values.get("matter_code")
            if code and code not in codes:
                report.add(title, row.number, MATTER_CODE_HEADER,
                           _("事项编码“%(code)s”不在“事项”表中。") % {"code": code})
    keys = {}
    key_header = str(FormField._meta.get_field("key").verbose_name)
    for row in sheets.get(FIELD_SHEET, []):
        v = row.values
        key = (v.get("matter_code"), v.get("key"))
        if all(key):
            if key in keys:
                report.add(FIELD_SHEET, row.number, key_header,
                           _("同一事项的字段键“%(key)s”与第 %(n)s 行重复。") % {"key": key[1], "n": keys[key]})
            else:
                keys[key] = row.number
        if v.get("type") == FormField.Type.CHOICE and not v.get("choices") and not v.get("_bad"):
            report.add(FIELD_SHEET, row.number, str(FormField._meta.get_field("choices").verbose_name) + _("(用“|”分隔)"),
                       _("单选字段须填写选项。"))


def import_catalog(*, file) -> ImportReport:
    """Check the whole workbook, then write it all or nothing (see the module's docstring)."""
    sheets, report = read_catalog(file)
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            _write(sheets, report)
            if not report.ok:
                raise _Rollback
    except _Rollback:
        report.counts.clear()
    return report


def _fields_of(values: dict, model) -> dict:
    names = {f.name for f in model._meta.concrete_fields}
    return {k: v for k, v in values.items() if k in names}


def _apply(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _write(sheets, report):
    departments = {d.code: d for d in Department.objects.all()}
    licence_types = dict(_licence_types().objects.values_list("code", "pk"))
    rows = sheets[MATTER_SHEET]
    existing = Matter.objects.select_related("department").in_bulk([r.values["code"] for r in rows], field_name="code")
    materials, fields = defaultdict(list), defaultdict(list)
    for row in sheets[MATERIAL_SHEET]:
        materials[row.values["matter_code"]].append(row)
    for row in sheets[FIELD_SHEET]:
        fields[row.values["matter_code"]].append(row)
    # All of them, bucketed here: an IN list of every matter of a large file would overrun SQLite's limits.
    ids = {m.pk for m in existing.values()}
    old_materials, old_fields = defaultdict(list), defaultdict(dict)
    for m in MaterialRequirement.objects.order_by("order", "pk").iterator(chunk_size=5000):
        if m.matter_id in ids:
            old_materials[m.matter_id].append(m)
    for f in FormField.objects.order_by("pk").iterator(chunk_size=5000):
        if f.matter_id in ids:
            old_fields[f.matter_id][f.key] = f
    counts = report.counts
    for row in rows:
        values = _fields_of(row.values, Matter)
        values["department_id"] = departments[row.values["department_code"]].pk  # an id: no query per matter
        if "licence_type_code" in row.values:
            values["licence_type_id"] = licence_types.get(row.values["licence_type_code"]) or None
        matter = existing.get(values["code"])
        marks, standing = _marks(counts), None
        if matter is None:
            matter = Matter.objects.create(**values)
            counts["matters_created"] += 1
        else:
            # The standard as it stands, from the rows in memory, before they are changed.
            standing = versioning.snapshot(matter, old_materials[matter.pk], old_fields[matter.pk].values())
            if _apply(matter, values):
                matter.save()
                counts["matters_updated"] += 1
            else:
                counts["matters_unchanged"] += 1
        _write_materials(matter, materials[matter.code], old_materials[matter.pk], report)
        _write_fields(matter, fields[matter.code], old_fields[matter.pk], report)
        if _marks(counts) != marks:  # this row created, changed or deleted something: maybe a new version
            versioning.publish_imported(matter=matter, standing=standing)


def _marks(counts) -> dict:
    return {k: v for k, v in counts.items() if v and k != "matters_unchanged"}


def _write_materials(matter, rows, old, report):
    counts = report.counts
    for i, row in enumerate(rows):
        values = _fields_of(row.values, MaterialRequirement)
        if i < len(old):
            if _apply(old[i], values):
                old[i].save()
                counts["materials_updated"] += 1
        else:
            MaterialRequirement.objects.create(matter=matter, **values)
            counts["materials_created"] += 1
    for gone in old[len(rows):]:
        try:
            with transaction.atomic():
                gone.delete()
        except ProtectedError:
            report.add(MATERIAL_SHEET, None, MATTER_CODE_HEADER, _(
                "事项“%(code)s”的材料“%(name)s”已被办件引用,不能删除;请保留该材料行。"
            ) % {"code": matter.code, "name": gone.name})
        else:
            counts["materials_deleted"] += 1


def _write_fields(matter, rows, old: dict, report):
    counts = report.counts
    seen = set()
    for row in rows:
        values = _fields_of(row.values, FormField)
        seen.add(values["key"])
        current = old.get(values["key"])
        if current is None:
            FormField.objects.create(matter=matter, **values)
            counts["fields_created"] += 1
        elif _apply(current, values):
            current.save()
            counts["fields_updated"] += 1
    for key, gone in old.items():
        if key not in seen:
            gone.delete()
            counts["fields_deleted"] += 1
