"""Enterprise subjects (issue 10 B): the 企业登记 source answers for an enterprise by its unified
social credit code, over real sockets; an enterprise's application takes its 营业执照 from it and
has its name, legal representative and address pre-filled; every query is on the enterprise's
数据使用记录, which its staff read and nobody else."""

import json

import pytest
from django.urls import reverse

from exchange.data_access import NotPermitted, query_for
from exchange.datasources import _clients
from exchange.models import DataQuery, DataSourcePolicy, Exemption, FieldSource, MaterialSource
from matters.models import MaterialRequirement
from tests.factories import EnterpriseFactory, MatterFactory, UserFactory, pdf_upload
from workflow import services
from workflow.models import Application, Material

from .refsys_process import RefProcess

pytestmark = pytest.mark.django_db

REGISTERED = {
    "name": "清远市清新区太和粤香饮食有限公司",
    "legal_representative": "黄伟强",
    "address": "清远市清新区太和镇府前路12号",
    "status": "存续",
}


@pytest.fixture
def staff():
    return UserFactory(real_name="李晓红")


@pytest.fixture
def enterprise(staff):
    # The portal's own copy is older than the registration authority's (renamed, moved).
    return EnterpriseFactory(
        name="清远市清新区太和粤香餐馆", legal_representative="黄伟强", address="太和镇旧街1号", staff=[staff]
    )


@pytest.fixture
def source(tmp_path, staff, enterprise, settings):
    records = tmp_path / "records.json"
    records.write_text(
        json.dumps(
            {
                "qiye": {enterprise.credit_code: REGISTERED},
                "huji": {
                    staff.id_number: {"name": staff.real_name, "address": "太和镇民生路8号", "household_no": "H100233"}
                },
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    process = RefProcess(
        db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"}, extra=("--records", str(records))
    ).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    yield process
    process.stop()
    _clients.clear()


@pytest.fixture
def matter():
    matter = MatterFactory(
        name="食品经营许可",
        target="legal",
        materials=[
            {"name": "食品经营许可申请书", "source": MaterialRequirement.Source.APPLICANT},
            {"name": "营业执照", "source": MaterialRequirement.Source.LICENCE},
            {"name": "经办人身份证", "source": MaterialRequirement.Source.LICENCE},
        ],
        fields=[
            {"key": "company_name", "label": "企业名称"},
            {"key": "legal_representative", "label": "法定代表人"},
            {"key": "business_address", "label": "住所"},
            {"key": "contact_phone", "label": "联系电话", "type": "phone"},
        ],
    )
    DataSourcePolicy.objects.create(
        matter=matter,
        source="qiye",
        purpose="核验申请单位的登记信息",
        fields=["name", "legal_representative", "address", "status"],
    )
    DataSourcePolicy.objects.create(matter=matter, source="huji", fields=["name"], purpose="核验经办人身份")
    MaterialSource.objects.create(
        requirement=matter.materials.get(name="营业执照"),
        source="qiye",
        fields=["name", "legal_representative", "status"],
    )
    MaterialSource.objects.create(requirement=matter.materials.get(name="经办人身份证"), source="huji", fields=["name"])
    for key, field in (
        ("company_name", "name"),
        ("legal_representative", "legal_representative"),
        ("business_address", "address"),
    ):
        FieldSource.objects.create(matter=matter, field_key=key, source="qiye", source_field=field)
    return matter


def test_query_for_an_enterprise_by_its_credit_code(source, matter, enterprise, staff):
    record = query_for(
        matter=matter, subject=enterprise, asked_by=staff, source="qiye", fields=["name", "address"], case_ref=""
    )
    assert record.found and record.subject == enterprise.credit_code
    assert record.fields == {"name": REGISTERED["name"], "address": REGISTERED["address"]}
    row = DataQuery.objects.get(pk=record.query_id)
    assert row.subject_enterprise == enterprise and row.subject is None and row.answer == record.fields
    # each source knows one kind of subject: nothing is sent for the other kind
    with pytest.raises(NotPermitted, match="统一社会信用代码"):
        query_for(matter=matter, subject=staff, asked_by=staff, source="qiye", fields=["name"])
    with pytest.raises(NotPermitted, match="身份证号码"):
        query_for(matter=matter, subject=enterprise, asked_by=staff, source="huji", fields=["name"])
    assert source.stats()["data_queries"] == 1 and DataQuery.objects.count() == 1
    unknown = EnterpriseFactory()
    assert not query_for(matter=matter, subject=unknown, asked_by=staff, source="qiye", fields=["name"]).found


def test_enterprise_applies_without_its_business_licence(source, matter, enterprise, staff, client):
    client.force_login(staff)
    url = reverse("portal:apply_matter", args=[matter.code])
    page = client.get(url).content.decode()
    assert page.count("已获取(免提交)") == 2 and "企业登记数据" in page and "户籍数据" in page
    for requirement in matter.materials.filter(name__in=["营业执照", "经办人身份证"]):
        assert f'name="material_{requirement.pk}"' not in page
    # 免填 from the registration authority, not from the portal's older copy
    assert f'value="{REGISTERED["name"]}"' in page and f'value="{REGISTERED["address"]}"' in page
    assert "已自企业登记数据获取(免填)" in page and "太和镇旧街1号" not in page
    assert source.stats()["data_queries"] == 2  # 企业登记 by credit code, 户籍 by the staff's ID number
    response = client.post(
        url,
        {
            "enterprise": str(enterprise.pk),
            "field_company_name": REGISTERED["name"],
            "field_legal_representative": REGISTERED["legal_representative"],
            "field_business_address": REGISTERED["address"],
            "field_contact_phone": "13912345678",
            "delivery_method": "hall",
            "idempotency_key": "e" * 32,
            f"material_{matter.materials.get(name='食品经营许可申请书').pk}": pdf_upload(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    application = Application.objects.get(enterprise=enterprise)
    licence = application.materials.get(name="营业执照")
    assert licence.source == Material.Source.DATA_SOURCE and licence.data_query.subject_enterprise == enterprise
    assert licence.data_query.answer["name"] == REGISTERED["name"]
    assert application.materials.get(name="经办人身份证").data_query.subject == staff
    ledger = Exemption.objects.filter(case_ref=application.number)
    assert sorted(ledger.filter(kind="field", corrected=False).values_list("name", flat=True)) == [
        "business_address",
        "company_name",
        "legal_representative",
    ]
    assert ledger.filter(kind="material").count() == 2
    assert source.stats()["data_queries"] == 2  # the submission read the answers back, sent nothing

    # the enterprise's 数据使用记录: its query, linked from the staff member's own page
    mine = client.get(reverse("portal:my_data_use")).content.decode()
    own_url = reverse("portal:enterprise_data_use", args=[enterprise.credit_code])
    assert own_url in mine and "核验经办人身份" in mine and "核验申请单位的登记信息" not in mine
    uses = client.get(own_url).content.decode()
    assert enterprise.name in uses and "企业登记" in uses and "核验申请单位的登记信息" in uses
    assert matter.name in uses and "核验经办人身份" not in uses
    csv = client.get(own_url + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "核验申请单位的登记信息" in csv.content.decode("utf-8-sig")
    client.force_login(UserFactory())
    assert client.get(own_url).status_code == 404


def test_no_enterprise_query_for_someone_who_does_not_act_for_it(source, matter, enterprise):
    outsider = UserFactory()
    outcomes = services.exemption_preview(
        applicant=outsider,
        asked_by=outsider,
        enterprise=enterprise,
        matters=[matter],
        requirements=list(matter.materials.all()),
    )
    licence = outcomes.materials[matter.materials.get(name="营业执照").pk]
    assert not licence.obtained and "未选定申请单位" in licence.message
    assert not DataQuery.objects.filter(subject_enterprise=enterprise).exists()
    assert "company_name" not in outcomes.fields


def test_enterprise_source_down_asks_for_the_upload(source, matter, enterprise, staff, client):
    source.stop()
    client.force_login(staff)
    page = client.get(reverse("portal:apply_matter", args=[matter.code])).content.decode()
    assert "企业登记数据暂时无法获取,请您自行上传该材料" in page
    assert f'name="material_{matter.materials.get(name="营业执照").pk}"' in page
    assert DataQuery.objects.filter(subject_enterprise=enterprise, outcome="failed").exists()


def test_walk_in_for_an_enterprise_takes_its_business_licence_from_enterprise_registration(
    source, matter, enterprise, staff, client
):
    from tests.factories import ClerkFactory
    from workflow.calendar_store import seed_calendar

    seed_calendar(years=[2026])
    clerk = ClerkFactory(window__category="legal")
    client.force_login(clerk)
    body = {
        "applicant_id_number": staff.id_number,
        "enterprise": enterprise.credit_code,
        "field_company_name": REGISTERED["name"],
        "field_legal_representative": REGISTERED["legal_representative"],
        "field_business_address": REGISTERED["address"],
        "field_contact_phone": "13912345678",
        f"mark_{matter.materials.get(name='食品经营许可申请书').pk}": "window",
        "decision": "accept",
        "idempotency_key": "w" * 32,
    }
    response = client.post(f"/hall/walk-in/?matter={matter.code}", body)
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(enterprise=enterprise)
    licence = application.materials.get(name="营业执照")
    assert licence.source == Material.Source.DATA_SOURCE
    assert licence.data_query.subject_enterprise == enterprise and licence.data_query.asked_by == clerk
    assert application.materials.get(name="经办人身份证").data_query.subject == staff
