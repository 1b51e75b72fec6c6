"""Licence types as their own records (issue 10, e-licences): GB/T 36903-style metadata and data
items, the GB/T 36904-style identifier, the data a licence is issued with checked against its
type (a department system's decision lacking a required item is refused whole), reminders by
type, and the administrator's page."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import User
from core.errors import Invalid
from exchange import licence_identifier
from exchange.licence_data import item_errors, licence_data
from exchange.messaging import notice_days
from exchange.models import ElectronicLicence, LicenceType
from tests.factories import ClerkFactory, LicenceTypeFactory, MatterFactory, UserFactory, files_for, form_for
from workflow import services, tasks
from workflow.calendar_store import seed_calendar

from .test_licences import approve_all

pytestmark = pytest.mark.django_db

FOOD_ITEMS = [
    {"key": "operator", "name": "经营者名称", "type": "text", "required": True, "field": "company_name"},
    {"key": "premises", "name": "经营场所", "type": "text", "required": True, "field": "business_address"},
    {"key": "business_scope", "name": "经营项目", "type": "text", "required": False},
    {"key": "approved_on", "name": "核准日期", "type": "date", "required": False},
]
TYPE_CODE = "11440000MB2D00014P001"  # a made-up authority code (valid check character) + 3 digits
ISSUER = "11441803MB2C000133"


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])


def food_type(**kwargs):
    return LicenceTypeFactory(name="食品经营许可证", code=kwargs.pop("code", TYPE_CODE),
                              issuer_code=kwargs.pop("issuer_code", ISSUER), data_items=FOOD_ITEMS, **kwargs)


def food_matter(kind):
    return MatterFactory(name="食品经营许可", issues_licence=True, result_name=kind.name, licence_type=kind, fields=[
        {"key": "company_name", "label": "经营者名称"}, {"key": "business_address", "label": "经营场所"},
        {"key": "contact_phone", "label": "联系电话", "type": "phone"}])


def issued(matter, form):
    applicant = UserFactory()
    application = services.application_submit(submission=services.Submission(
        applicant=applicant, matters=[matter], form_data=form_for([matter], applicant) | form,
        files=files_for([matter])))
    application = services.application_accept(application=application, clerk=ClerkFactory())
    tasks.issue_licence(approve_all(application).get().pk)
    return application, ElectronicLicence.objects.filter(application_number=application.number).first()


# --- the identifier ------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", [  # published by provincial licence systems (public code)
    "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
    "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
    "1.2.156.3005.2.11100000000013338W009.11330105002500287C.2025052201.002.0",
])
def test_published_identifiers_check_out(identifier):
    assert licence_identifier.is_valid(identifier)


def test_an_identifier_is_made_checked_and_refused_when_changed():
    made = licence_identifier.make(type_code=TYPE_CODE, issuer_code=ISSUER, serial="4418032026000123")
    assert made.startswith("1.2.156.3005.2." + TYPE_CODE + "." + ISSUER + ".4418032026000123.001.")
    assert licence_identifier.is_valid(made)
    assert not licence_identifier.is_valid(made.replace("000123", "000124"))  # the check character fails
    assert not licence_identifier.is_valid("DZZZ-441803-2026-000123")
    assert not licence_identifier.fits("LOCAL-0001", ISSUER) and not licence_identifier.fits(TYPE_CODE, "")
    assert licence_identifier.serial_of("DZZZ-441803-2026-000123") == "4418032026000123"


# --- the type's metadata -----------------------------------------------------------------------


@pytest.mark.parametrize("items,expected", [
    ("not a list", "须为列表"),
    ([{"key": "Bad Key", "name": "x"}], "小写字母开头"),
    ([{"key": "a", "name": "甲"}, {"key": "a", "name": "乙"}], "重复"),
    ([{"key": "a", "name": ""}], "须有名称"),
    ([{"key": "a", "name": "甲", "type": "photo"}], "text、date、number"),
    ([{"key": "a", "name": "甲", "required": "yes"}], "true 或 false"),
    ([{"key": "a", "name": "甲", "colour": "red"}], "未知的属性"),
])
def test_badly_declared_data_items_are_refused_in_chinese(items, expected):
    assert expected in item_errors(items)
    kind = LicenceType(name="测试证", code="LOCAL-1", data_items=items)
    with pytest.raises(ValidationError) as refused:
        kind.clean()
    assert "data_items" in refused.value.message_dict


def test_a_bad_issuer_credit_code_is_refused():
    kind = LicenceType(name="测试证", code="LOCAL-1", issuer_code="123")
    with pytest.raises(ValidationError) as refused:
        kind.clean()
    assert "issuer_code" in refused.value.message_dict


def test_licence_data_is_checked_against_the_items():
    kind = food_type()
    assert licence_data(kind, {"business_scope": "预包装食品销售"},
                        {"company_name": "清新农家菜馆", "business_address": "太和镇洲心街道1号"}) == {
        "operator": "清新农家菜馆", "premises": "太和镇洲心街道1号", "business_scope": "预包装食品销售"}
    with pytest.raises(Invalid) as missing:
        licence_data(kind, {}, {"company_name": "清新农家菜馆"})
    assert missing.value.code == "invalid_licence_data"
    assert "缺少必填数据项“经营场所”" in missing.value.message and "licence.data.premises" in missing.value.fields
    with pytest.raises(Invalid) as unknown:
        licence_data(kind, {"colour": "红"}, {"company_name": "甲", "business_address": "乙"})
    assert "没有数据项“colour”" in unknown.value.message
    with pytest.raises(Invalid) as bad_date:
        licence_data(kind, {"approved_on": "明天"}, {"company_name": "甲", "business_address": "乙"})
    assert "YYYY-MM-DD" in bad_date.value.message


# --- issuing with a type -------------------------------------------------------------------------


def test_a_licence_carries_its_type_data_and_identifier_and_its_signature_holds(client):
    kind = food_type()
    _application, licence = issued(food_matter(kind),
                                   {"company_name": "清新农家菜馆", "business_address": "太和镇洲心街道1号"})
    assert licence.licence_type == kind
    assert licence.data == {"operator": "清新农家菜馆", "premises": "太和镇洲心街道1号"}
    assert licence_identifier.is_valid(licence.identifier)
    assert licence.identifier.split(".")[5:7] == [TYPE_CODE, ISSUER]
    with licence.file.open("rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages).replace("\n", "")
    assert "经营场所" in text and "太和镇洲心街道1号" in text
    page = client.get(reverse("portal:licence_verify"), {"number": licence.number, "code": licence.verification_code})
    assert page.status_code == 200 and "电子签名有效" in page.content.decode()


def test_a_type_with_a_local_code_issues_without_an_identifier():
    kind = food_type(code="LOCAL-0007")
    _application, licence = issued(food_matter(kind), {"company_name": "甲", "business_address": "乙"})
    assert licence.identifier == "" and licence.data["operator"] == "甲"


def test_a_licence_missing_a_required_item_is_not_issued_and_nothing_is_written():
    kind = food_type()
    matter = food_matter(kind)
    matter.fields.filter(key="business_address").update(required=False)
    _application, licence = issued(matter, {"company_name": "清新农家菜馆", "business_address": ""})
    assert licence is None and not ElectronicLicence.objects.exists()


def test_the_validity_comes_from_the_type():
    kind = LicenceTypeFactory(name="广东省居住证", valid_months=12)
    matter = MatterFactory(issues_licence=True, result_name="广东省居住证", licence_type=kind)
    _application, licence = issued(matter, {})
    assert licence.valid_until == kind.valid_until(licence.issued_on)
    assert (licence.valid_until - licence.issued_on).days in (364, 365)


def test_the_reminder_days_are_the_types():
    kind = LicenceTypeFactory(name="食品经营许可证", days_ahead=60)
    licence = ElectronicLicence(name="食品经营许可证", licence_type=kind)
    assert notice_days(licence) == 60
    assert notice_days(ElectronicLicence(name="食品经营许可证")) == 30  # a licence without a type


# --- the administrator's page ------------------------------------------------------------------


def _rows(items, blank=3):
    """The admin's data-item rows as a browser posts them (unchecked boxes absent)."""
    data = {"data_items-rows": str(len(items) + blank)}
    for i, item in enumerate(items):
        data.update({f"data_items-{i}-key": item.get("key", ""), f"data_items-{i}-name": item.get("name", ""),
                     f"data_items-{i}-type": item.get("type", "text"), f"data_items-{i}-field": item.get("field", "")})
        if item.get("required"):
            data[f"data_items-{i}-required"] = "on"
        if item.get("delete"):
            data[f"data_items-{i}-delete"] = "on"
    for i in range(len(items), len(items) + blank):
        data.update({f"data_items-{i}-key": "", f"data_items-{i}-name": "", f"data_items-{i}-type": "text",
                     f"data_items-{i}-field": ""})
    return data


def test_an_administrator_edits_a_types_data_items_as_rows(client):
    kind = food_type()
    url = reverse("admin:exchange_licencetype_change", args=[kind.pk])
    client.force_login(UserFactory(role=User.Role.CLERK, is_staff=True))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    page = client.get(url).content.decode()
    assert "照面信息项" in page and 'name="data_items"' not in page  # no JSON textarea
    assert 'name="data_items-1-name" value="经营场所"' in page and 'name="data_items-0-field" value="company_name"' in page
    assert 'name="data_items-rows" value="7"' in page  # four items and three blank rows to add
    assert page.count('name="data_items-6-key" value=""') == 1 and "<script" not in page.split("data-items")[1][:4000]
    form = {"name": kind.name, "code": kind.code, "level": "district", "issuer_code": ISSUER,
            "holder_kind": "enterprise", "holder_fields": "{}", "valid_months": "60", "days_ahead": "30",
            "number_field": "", "renewal_matter": ""}

    # bad rows: a Chinese message per row, nothing written
    bad = [*FOOD_ITEMS[:1], {"key": "Bad", "name": "许可范围"}, {"key": "premises2", "name": ""},
           {"key": "operator", "name": "重复的键"}]
    answer = client.post(url, {**form, **_rows(bad)})
    text = answer.content.decode()
    assert answer.status_code == 200
    assert "第 2 行:键须为小写字母开头" in text and "第 3 行:请填写名称" in text and "第 4 行:键“operator”与前面的行重复" in text
    assert 'name="data_items-1-key" value="Bad"' in text  # the rows as typed, to correct
    kind.refresh_from_db()
    assert kind.data_items == FOOD_ITEMS and kind.valid_months != 60  # nothing written

    # rename one, delete one, add one in a blank row, make one required
    rows = [dict(item) for item in FOOD_ITEMS]
    rows[1]["name"] = "经营场所(住所)"
    rows[2]["delete"] = True
    rows[3]["required"] = True
    rows.append({"key": "main_body", "name": "主体业态", "type": "text", "required": True})
    answer = client.post(url, {**form, **_rows(rows, blank=2)})
    assert answer.status_code == 302, answer.context_data["adminform"].form.errors
    kind.refresh_from_db()
    assert kind.valid_months == 60
    assert kind.data_items == [
        FOOD_ITEMS[0], {**FOOD_ITEMS[1], "name": "经营场所(住所)"}, {**FOOD_ITEMS[3], "required": True},
        {"key": "main_body", "name": "主体业态", "type": "text", "required": True}]


def test_the_guide_names_the_licence_type(client):
    kind = food_type(valid_months=60)
    matter = food_matter(kind)
    page = client.get(reverse("portal:matter", args=[matter.code])).content.decode()
    assert "证照类型" in page and TYPE_CODE in page and "60 个月" in page


# --- the wallet: the holder sees the data items, nobody else ------------------------------------


def test_the_wallet_shows_the_data_items_and_identifier_to_the_holder_only(client):
    from .test_licence_wallet import _cards

    kind = food_type()
    application, licence = issued(food_matter(kind), {"company_name": "清新农家菜馆", "business_address": "太和镇洲心街道1号"})
    client.force_login(application.applicant)
    card = _cards(client.get(reverse("portal:licences")).content.decode())[licence.number]
    assert "经营场所" in card and "太和镇洲心街道1号" in card and licence.identifier in card
    client.force_login(UserFactory())  # another citizen: an empty wallet
    page = client.get(reverse("portal:licences")).content.decode()
    assert licence.number not in page and "太和镇洲心街道1号" not in page
    client.force_login(UserFactory(role=User.Role.CLERK))  # staff have no wallet
    assert client.get(reverse("portal:licences")).status_code in (302, 403)


def test_the_guardian_sees_the_newborns_certificate_with_its_items(client):
    from .test_licence_wallet import _cards

    kind = LicenceTypeFactory(name="出生医学证明", holder_kind="form_person",
                              holder_fields={"name": "baby_name", "birth_date": "baby_birth_date"},
                              data_items=[{"key": "gender", "name": "性别", "type": "text", "required": True,
                                           "field": "baby_gender"}])
    matter = MatterFactory(issues_licence=True, result_name=kind.name, licence_type=kind, fields=[
        {"key": "baby_name", "label": "新生儿姓名"}, {"key": "baby_birth_date", "label": "出生日期", "type": "date"},
        {"key": "baby_gender", "label": "性别"}])
    application, licence = issued(matter, {"baby_name": "黄小宝", "baby_birth_date": "2026-11-20", "baby_gender": "男"})
    assert licence.guardian_user == application.applicant and licence.data == {"gender": "男"}
    client.force_login(application.applicant)
    card = _cards(client.get(reverse("portal:licences")).content.decode())[licence.number]
    assert "本人为监护人" in card and "性别" in card and "男" in card


# --- issuer keys: rotated by an administrator, private halves encrypted at rest -------------------


def test_an_administrator_rotates_an_issuer_key_and_old_licences_still_verify(client):
    from django.db import connection

    from exchange import licence_signing
    from exchange.models import IssuerKey

    kind = food_type()
    matter = food_matter(kind)
    _app, first = issued(matter, {"company_name": "甲", "business_address": "乙"})
    old_key = first.signing_key
    with connection.cursor() as cursor:
        cursor.execute("SELECT private_key FROM exchange_issuerkey WHERE id = %s", [old_key.pk])
        stored = cursor.fetchone()[0]
    assert stored != old_key.private_key and old_key.private_key not in stored  # ciphertext, not the key
    url = reverse("admin:exchange_issuerkey_changelist")
    action = {"action": "rotate", "_selected_action": [old_key.pk]}
    client.force_login(UserFactory(role=User.Role.CLERK, is_staff=True))
    assert client.post(url, action).status_code == 403
    assert IssuerKey.objects.filter(department=matter.department).count() == 1  # not an administrator: nothing
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    answer = client.post(url, action, follow=True)
    assert "新签名密钥" in answer.content.decode()
    new_key = IssuerKey.objects.filter(department=matter.department).order_by("-pk").first()
    assert new_key.pk != old_key.pk and new_key.active and not IssuerKey.objects.get(pk=old_key.pk).active
    _app, second = issued(matter, {"company_name": "丙", "business_address": "丁"})
    assert second.signing_key == new_key
    assert licence_signing.verify(first) is True and licence_signing.verify(second) is True
    page = client.get(reverse("portal:licence_verify"), {"number": first.number, "code": first.verification_code})
    assert "电子签名有效" in page.content.decode() and old_key.key_id in page.content.decode()


# --- placeholder codes (LOCAL-…): work for an administrator, listed by the catalog audit ------------


def test_types_on_local_codes_are_flagged_filtered_and_audited(client):
    from matters.audit import audit_workbook, catalog_audit_report
    from tests.factories import SupervisorFactory

    national = food_type()  # a 21-character type code and an issuer credit code
    local = LicenceTypeFactory(name="排污许可证", code="LOCAL-0007")
    LicenceTypeFactory(name="卫生许可证", code="11440000MB2D00014P002")
    MatterFactory(name="排污许可", issues_licence=True, result_name=local.name, licence_type=local)

    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    url = reverse("admin:exchange_licencetype_changelist")
    page = client.get(url).content.decode()
    assert page.count("data-local-code") == 2 and "已录入" in page and "国家目录编码" in page
    missing = client.get(url, {"national_code": "missing"}).content.decode()
    assert "排污许可证" in missing and "卫生许可证" in missing and "食品经营许可证" not in missing
    entered = client.get(url, {"national_code": "entered"}).content.decode()
    assert "食品经营许可证" in entered and "排污许可证" not in entered

    report = catalog_audit_report()
    assert [(t.code, t.missing, t.matters) for t in report.licence_types] == [
        ("11440000MB2D00014P002", "颁证单位统一社会信用代码", 0), ("LOCAL-0007", "国家目录类型代码、颁证单位统一社会信用代码", 1)]
    assert national.code not in [t.code for t in report.licence_types]
    client.force_login(SupervisorFactory())
    html = client.get(reverse("portal:catalog_audit")).content.decode()
    section = html.split('data-audit="licence-types"', 1)[1].split("</table>", 1)[0]
    assert "LOCAL-0007" in section and "排污许可证" in section and "国家目录类型代码" in section
    assert national.code not in section
    assert len(audit_workbook(report)) > 0

    local.code, local.issuer_code = "11440000MB2D00014P003", ISSUER  # entered: no longer listed
    local.save()
    assert "LOCAL-0007" not in client.get(reverse("portal:catalog_audit")).content.decode()
