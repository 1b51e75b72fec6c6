"""The demo's 免提交 and 免填 (issue 10 B step 3): three matters of the catalog take materials and
form fields from the demo data sources (`python -m refsys --records var/datasources.json` on
:8703, records written by `manage.py demo_data_sources`), under a declared 数据共享授权:

- 城乡居民基本养老保险参保登记: 申请人居民身份证 and 居民户口簿 from 户籍 (the issue's "ID card copy and
  household register extract asks for neither"), 户籍地址 pre-filled;
- 居民身份证换领: 居民户口簿 from 户籍;
- 职工基本养老保险退休待遇核定: 社会保险缴费记录 from 社保;
- 食品经营许可 (an enterprise's matter): 营业执照 from 企业登记 (by the enterprise's unified social
  credit code), and the enterprise's name, legal representative and address pre-filled.
"""

from exchange.models import DataSourcePolicy, FieldSource, MaterialSource
from matters.models import Matter

HUJI = ["name", "address", "household_no"]
QIYE = ["name", "legal_representative", "address", "status"]
WIRING = [
    # (matter name, source, policy fields, purpose, {material: fields}, {field key: source field})
    ("城乡居民基本养老保险参保登记", "huji", HUJI, "核验参保人身份及户籍",
     {"申请人居民身份证": ["name"], "居民户口簿": ["household_no", "address"]}, {"household_address": "address"}),
    ("居民身份证换领", "huji", HUJI, "核验申请人户籍", {"居民户口簿": ["household_no", "address"]}, {}),
    ("职工基本养老保险退休待遇核定", "shebao", ["insured", "months"], "核验养老保险缴费年限",
     {"社会保险缴费记录": ["months"]}, {}),
    ("食品经营许可", "qiye", QIYE, "核验申请单位的登记信息", {"营业执照": ["name", "legal_representative", "status"]},
     {"company_name": "name", "legal_representative": "legal_representative", "business_address": "address"}),
]


def load_exchange_sources() -> int:
    """Idempotent; returns the number of mappings made."""
    made = 0
    for name, source, fields, purpose, materials, form in WIRING:
        matter = Matter.objects.filter(name=name).order_by("code").first()
        if matter is None:
            continue
        DataSourcePolicy.objects.get_or_create(matter=matter, source=source,
                                               defaults={"fields": fields, "purpose": purpose})
        for requirement in matter.materials.filter(name__in=list(materials)):
            _obj, created = MaterialSource.objects.get_or_create(
                requirement=requirement, defaults={"source": source, "fields": materials[requirement.name]})
            made += created
        for key, source_field in form.items():
            if matter.fields.filter(key=key).exists():
                _obj, created = FieldSource.objects.get_or_create(
                    matter=matter, field_key=key, defaults={"source": source, "source_field": source_field})
                made += created
    return made
