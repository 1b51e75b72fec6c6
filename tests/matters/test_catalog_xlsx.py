"""The catalog as XLSX: export → import changes nothing; a broken file writes nothing and its
report names every bad row; a good one creates and updates matters by code."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from accounts.models import Department
from matters.catalog_xlsx import export_catalog, import_catalog
from matters.models import FormField, MaterialRequirement, Matter
from portal.management.commands.load_demo import Command as LoadDemo
from tests.factories import DepartmentFactory, MatterFactory, UserFactory, submitted_application


def snapshot():
    """Every row of the catalog, ids included: what "changes nothing" means."""
    return (
        sorted(Matter.objects.values_list()),
        sorted(MaterialRequirement.objects.values_list()),
        sorted(FormField.objects.values_list()),
    )


def cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in wb}


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def saved(wb) -> io.BytesIO:
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def column(ws, header) -> int:
    return [c.value for c in ws[1]].index(header) + 1


def row_of(ws, header, value) -> int:
    col = column(ws, header)
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, col).value == value)


def field_row(ws, matter_code, key) -> int:
    code, k = column(ws, "事项编码"), column(ws, "字段键")
    return next(r for r in range(2, ws.max_row + 1) if (ws.cell(r, code).value, ws.cell(r, k).value) == (matter_code, key))


def put(ws, row, header, value):
    ws.cell(row, column(ws, header), value)


def append(ws, values: dict):
    headers = [c.value for c in ws[1]]
    ws.append([values.get(h) for h in headers])
    return ws.max_row


@pytest.fixture
def small_catalog(db):
    department = DepartmentFactory(code="QX-SCJG", name="清远市清新区市场监督管理局")
    DepartmentFactory(code="QX-GA", name="清远市公安局清新分局")
    first = MatterFactory(code="XK00201000-4-441803-SCJG", name="食品经营许可", department=department, legal_days=10,
                          promised_days=5, result_name="食品经营许可证", fee_basis="不收费")
    second = MatterFactory(code="XK00301000-4-441803-SCJG", name="特种设备使用登记", department=department,
                           target="legal", fields=[
                               {"key": "equipment_type", "label": "设备种类", "type": "choice", "choices": ["电梯", "锅炉"]},
                               {"key": "contact_phone", "label": "联系电话", "type": "phone"},
                           ])
    return first, second


# --- round trip ----------------------------------------------------------------------------------


def test_demo_catalog_round_trip_changes_nothing(db):
    loader = LoadDemo()
    loader.load_organisations()
    loader.load_catalog()
    before = snapshot()
    data = export_catalog()

    report = import_catalog(file=io.BytesIO(data))

    assert report.ok, report.errors
    assert dict(report.counts) == {"matters_unchanged": Matter.objects.count()}
    assert report.rows == {"事项": Matter.objects.count(), "申请材料": MaterialRequirement.objects.count(),
                           "表单字段": FormField.objects.count()}
    assert snapshot() == before
    assert cells(export_catalog()) == cells(data)


def test_export_has_chinese_headers_labels_and_no_formulas(small_catalog):
    first, _second = small_catalog
    first.name = '=HYPERLINK("http://example.com","点我")'
    first.save()
    wb = workbook(export_catalog())
    assert wb.sheetnames == ["事项", "申请材料", "表单字段", "填写说明"]
    matters = wb["事项"]
    headers = [c.value for c in matters[1]]
    assert headers[:4] == ["实施编码", "基本编码", "事项名称", "实施部门代码"]
    assert {"事项类型", "服务对象", "法定办结时限(工作日)", "承诺办结时限(工作日)", "已进驻大厅"} <= set(headers)
    assert not {"版本", "拼音首字母", "全拼"} & set(headers)
    row = row_of(matters, "实施编码", first.code)
    assert matters.cell(row, column(matters, "事项类型")).value == "行政许可"
    assert matters.cell(row, column(matters, "已进驻大厅")).value == "是"
    name = matters.cell(row, column(matters, "事项名称"))
    assert name.data_type == "s" and name.value.startswith("=HYPERLINK")  # text, not a live formula
    fields = wb["表单字段"]
    assert fields.cell(row_of(fields, "字段键", "equipment_type"), column(fields, "选项(用“|”分隔)")).value == "电梯|锅炉"
    assert import_catalog(file=saved(wb)).counts["matters_unchanged"] == 2


# --- a broken file -------------------------------------------------------------------------------


def test_broken_file_writes_nothing_and_names_each_bad_row(small_catalog):
    first, second = small_catalog
    before = snapshot()
    wb = workbook(export_catalog())
    matters, materials, fields = wb["事项"], wb["申请材料"], wb["表单字段"]
    r1, r2 = row_of(matters, "实施编码", first.code), row_of(matters, "实施编码", second.code)
    put(matters, r1, "事项名称", "食品经营许可(已改名)")  # a good change that must not be written
    put(matters, r2, "承诺办结时限(工作日)", 30)  # legal is 20
    put(matters, r2, "事项类型", "行政许可证")
    base = {"实施编码": "XK00401000-4-441803-SCJG", "事项名称": "新事项", "实施部门代码": "QX-SCJG", "服务对象": "自然人",
            "法定办结时限(工作日)": 20, "承诺办结时限(工作日)": 10}
    bad_department = append(matters, {**base, "实施部门代码": "QX-NOPE"})
    duplicate = append(matters, {**base, "实施编码": first.code, "事项名称": "重复的事项"})
    no_name = append(matters, {**base, "实施编码": "XK00402000-4-441803-SCJG", "事项名称": None})
    not_a_number = append(matters, {**base, "实施编码": "XK00403000-4-441803-SCJG", "法定办结时限(工作日)": "二十"})
    not_yes_no = append(matters, {**base, "实施编码": "XK00404000-4-441803-SCJG", "已进驻大厅": "可能"})
    good_new = append(matters, {**base, "实施编码": "XK00405000-4-441803-SCJG", "事项名称": "本应新增的事项"})
    unknown_matter = append(materials, {"事项编码": "XK99999999-4-441803-SCJG", "材料名称": "申请书"})
    negative_copies = append(materials, {"事项编码": first.code, "材料名称": "申请书", "份数": -1})
    bad_form = append(materials, {"事项编码": first.code, "材料名称": "申请书", "材料形式": "传真件"})
    duplicate_key = append(fields, {"事项编码": second.code, "字段键": "contact_phone", "标签": "电话", "类型": "手机号码"})
    bad_key = append(fields, {"事项编码": second.code, "字段键": "公司 名称", "标签": "公司名称"})
    no_choices = append(fields, {"事项编码": second.code, "字段键": "colour", "标签": "颜色", "类型": "单选"})

    report = import_catalog(file=saved(wb))

    assert not report.ok
    assert snapshot() == before  # nothing written: not the good change, not the good new row
    assert not Matter.objects.filter(code="XK00405000-4-441803-SCJG").exists()
    found = {(e.sheet, e.row, e.column) for e in report.errors}
    expected = {
        ("事项", r2, "承诺办结时限(工作日)"),
        ("事项", r2, "事项类型"),
        ("事项", bad_department, "实施部门代码"),
        ("事项", duplicate, "实施编码"),
        ("事项", no_name, "事项名称"),
        ("事项", not_a_number, "法定办结时限(工作日)"),
        ("事项", not_yes_no, "已进驻大厅"),
        ("申请材料", unknown_matter, "事项编码"),
        ("申请材料", negative_copies, "份数"),
        ("申请材料", bad_form, "材料形式"),
        ("表单字段", duplicate_key, "字段键"),
        ("表单字段", bad_key, "字段键"),
        ("表单字段", no_choices, "选项(用“|”分隔)"),
    }
    assert found == expected, sorted(found ^ expected)
    assert not any(e.row in (r1, good_new) and e.sheet == "事项" for e in report.errors)
    by_place = {(e.sheet, e.row, e.column): e.message for e in report.errors}
    assert "QX-NOPE" in by_place[("事项", bad_department, "实施部门代码")]
    assert f"第 {r1} 行" in by_place[("事项", duplicate, "实施编码")]
    assert "超过法定时限" in by_place[("事项", r2, "承诺办结时限(工作日)")]
    assert "行政许可证" in by_place[("事项", r2, "事项类型")] and "行政确认" in by_place[("事项", r2, "事项类型")]
    for error in report.errors:  # every message a Chinese sentence
        assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message), error


def test_missing_sheet_columns_and_not_a_workbook(small_catalog):
    wb = Workbook()
    wb.active.title = "事项"
    wb.active.append(["实施编码", "事项名称"])
    report = import_catalog(file=saved(wb))
    places = {(e.sheet, e.row, e.column) for e in report.errors}
    assert ("事项", 1, "实施部门代码") in places and ("事项", 1, "服务对象") in places
    assert ("申请材料", None, "") in places and ("表单字段", None, "") in places

    report = import_catalog(file=io.BytesIO(b"%PDF-1.4 not a workbook"))
    assert [e.message for e in report.errors] == ["无法读取该文件,请上传由 Excel 或 WPS 保存的 .xlsx 文件。"]


# --- a good file ---------------------------------------------------------------------------------


def test_good_file_creates_and_updates_by_code(small_catalog):
    first, second = small_catalog
    first_material_ids = list(first.materials.order_by("order", "pk").values_list("pk", flat=True))
    wb = workbook(export_catalog())
    matters, materials, fields = wb["事项"], wb["申请材料"], wb["表单字段"]
    put(matters, row_of(matters, "实施编码", first.code), "承诺办结时限(工作日)", 3)
    append(matters, {"实施编码": "XK00405000-4-441803-GA", "事项名称": "公章刻制备案", "实施部门代码": "QX-GA",
                     "服务对象": "法人", "法定办结时限(工作日)": 1, "承诺办结时限(工作日)": 0, "网办深度": "四级:全程网办",
                     "同城通办": "否"})
    append(materials, {"事项编码": "XK00405000-4-441803-GA", "材料名称": "印章式样", "材料形式": "电子材料"})
    append(fields, {"事项编码": "XK00405000-4-441803-GA", "字段键": "seal_maker", "标签": "刻章企业", "类型": "单选",
                    "选项(用“|”分隔)": "太和诚信印章|玄真刻章"})
    # The second matter loses its second material and its phone field; its choice field changes.
    second_rows = [r for r in range(2, materials.max_row + 1)
                   if materials.cell(r, column(materials, "事项编码")).value == second.code]
    materials.delete_rows(second_rows[-1])
    fields.delete_rows(field_row(fields, second.code, "contact_phone"))
    put(fields, field_row(fields, second.code, "equipment_type"), "选项(用“|”分隔)", "电梯|锅炉|压力容器")

    report = import_catalog(file=saved(wb))

    assert report.ok, report.errors
    assert dict(report.counts) == {"matters_created": 1, "matters_updated": 1, "matters_unchanged": 1,
                                   "materials_created": 1, "materials_deleted": 1, "fields_created": 1,
                                   "fields_updated": 1, "fields_deleted": 1}
    first.refresh_from_db()
    assert first.promised_days == 3
    assert list(first.materials.order_by("order", "pk").values_list("pk", flat=True)) == first_material_ids
    new = Matter.objects.get(code="XK00405000-4-441803-GA")
    assert (new.department.code, new.target, new.online_depth, new.citywide, new.in_hall) == ("QX-GA", "legal", 4, False, True)
    assert new.search_initials == "gzkzba"  # search keys made on import too
    assert [m.name for m in new.materials.all()] == ["印章式样"]
    assert new.fields.get().choices == ["太和诚信印章", "玄真刻章"]
    assert second.materials.count() == 1
    assert first.fields.count() == 2
    assert list(second.fields.values_list("key", "choices")) == [("equipment_type", ["电梯", "锅炉", "压力容器"])]


def test_a_material_in_use_cannot_be_dropped(small_catalog):
    first, _second = small_catalog
    submitted_application(applicant=UserFactory(), matters=[first])  # its upload points at 申请表
    before = snapshot()
    wb = workbook(export_catalog())
    materials = wb["申请材料"]
    put(wb["事项"], row_of(wb["事项"], "实施编码", first.code), "事项名称", "食品经营许可(改)")
    rows = [r for r in range(2, materials.max_row + 1) if materials.cell(r, 1).value == first.code]
    materials.delete_rows(rows[0], len(rows))

    report = import_catalog(file=saved(wb))

    assert not report.ok
    assert "已被办件引用" in report.errors[0].message
    assert snapshot() == before  # the rename before it was rolled back too


# --- commands and pages --------------------------------------------------------------------------


def test_commands(small_catalog, tmp_path, capsys):
    path = tmp_path / "目录.xlsx"
    call_command("export_catalog", str(path))
    call_command("import_catalog", str(path))
    assert "未变 2" in capsys.readouterr().out
    wb = load_workbook(path)
    put(wb["事项"], 2, "实施部门代码", "QX-NOPE")
    wb.save(path)
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_catalog", str(path))
    assert "QX-NOPE" in capsys.readouterr().err
    with pytest.raises(CommandError, match="未写入"):
        call_command("import_catalog", str(path), "--check")
    assert Department.objects.filter(code="QX-NOPE").count() == 0


def test_pages(client, small_catalog):
    first, _second = small_catalog
    client.force_login(UserFactory(role="administrator"))
    page = client.get("/catalog/")
    assert page.status_code == 200 and "下载事项目录" in page.content.decode()
    download = client.get("/catalog/export/")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    data = b"".join(download.streaming_content) if download.streaming else download.content

    wb = workbook(data)
    put(wb["事项"], row_of(wb["事项"], "实施编码", first.code), "承诺办结时限(工作日)", 99)
    upload = saved(wb)
    upload.name = "目录.xlsx"
    refused = client.post("/catalog/import/", {"file": upload})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "未写入任何数据" in html and "承诺时限 99 个工作日超过法定时限 10 个工作日" in html

    upload = io.BytesIO(data)
    upload.name = "目录.xlsx"
    done = client.post("/catalog/import/", {"file": upload}, follow=True)
    assert done.redirect_chain == [("/catalog/", 302)]
    assert "导入成功" in done.content.decode()
    assert client.post("/catalog/import/", {}).status_code == 400
