"""Demo licence types (证照类型, exchange.LicenceType): one per licence name of the demo catalog,
with the validity and holder the catalog rows give. Three carry data items and codes of the
national form, so their licences get a GB/T 36904 identifier; the codes are made up for the demo
(a fictional provincial defining authority and the demo departments' made-up credit codes, with
valid check characters), not real catalog codes. The others keep a local code (LOCAL-…)."""

from __future__ import annotations

from exchange.models import LicenceType

from .catalog import _credit

PROVINCE_AUTHORITY = _credit("11", "440000", "MB2D0001")  # fictional: the types' defining authority
ISSUERS = {"QX-SCJG": _credit("11", "441803", "MB2C0001"), "QX-GA": _credit("11", "441803", "MB2C0002"),
           "QX-WJJ": _credit("11", "441803", "MB2C0003")}
TYPES = {
    "食品经营许可证": {
        "code": PROVINCE_AUTHORITY + "001", "issuer_code": ISSUERS["QX-SCJG"], "level": "district",
        "data_items": [
            {"key": "operator", "name": "经营者名称", "type": "text", "required": True, "field": "company_name"},
            {"key": "premises", "name": "经营场所", "type": "text", "required": True, "field": "business_address"},
            {"key": "business_type", "name": "主体业态", "type": "text", "required": True,
             "field": "food_business_type"},
            {"key": "business_scope", "name": "经营项目", "type": "text", "required": False},
        ]},
    "广东省居住证": {
        "code": PROVINCE_AUTHORITY + "002", "issuer_code": ISSUERS["QX-GA"], "level": "district",
        "data_items": [
            {"key": "residence_address", "name": "居住地址", "type": "text", "required": True,
             "field": "residence_address"},
        ]},
    "出生医学证明": {
        "code": PROVINCE_AUTHORITY + "003", "issuer_code": ISSUERS["QX-WJJ"], "level": "district",
        "data_items": [
            {"key": "gender", "name": "性别", "type": "text", "required": True, "field": "baby_gender"},
            {"key": "birth_date", "name": "出生时间", "type": "date", "required": True, "field": "baby_birth_date"},
            {"key": "mother", "name": "母亲姓名", "type": "text", "required": True, "field": "mother_name"},
            {"key": "father", "name": "父亲姓名", "type": "text", "required": False, "field": "father_name"},
        ]},
}


def licence_type_for(row: dict) -> LicenceType | None:
    """The type of a demo catalog row's licences, made on first use (an administrator's later
    changes are kept); None for a matter that issues none."""
    if not row.get("issues_licence"):
        return None
    name = row.get("result_name") or row["name"]
    kind = LicenceType.objects.filter(name=name).first()
    if kind is not None:
        return kind
    holder = row.get("licence_holder") or "applicant"
    holder_kind = ("form_person" if holder == "form_person" else "enterprise" if row.get("target") == "legal"
                   else "person")
    extra = TYPES.get(name, {})
    code = extra.get("code") or f"LOCAL-{LicenceType.objects.count() + 1:04d}"
    while LicenceType.objects.filter(code=code).exists():
        code = f"{code}X"
    return LicenceType.objects.create(
        name=name, code=code, level=extra.get("level", "district"), issuer_code=extra.get("issuer_code", ""),
        holder_kind=holder_kind, holder_fields=row.get("licence_holder_fields") or {},
        valid_months=row.get("licence_valid_months"), data_items=extra.get("data_items", []))
