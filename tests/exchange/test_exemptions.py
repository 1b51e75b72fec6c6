"""免提交 and 免填 (issue 10 B step 3) against the reference data-source program over real
sockets: a material mapped to a data source is shown as 已获取 and recorded with the query it
came from; a source that finds nothing or is down falls back to an upload with the reason; a
pre-filled field is marked and a correction recorded; the reviewer opens the fetched record;
the dashboard's counts per matter."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from exchange.datasources import _clients
from exchange.models import DataQuery, DataSourcePolicy, ElectronicLicence, Exemption, FieldSource, MaterialSource
from exchange.selectors import exemption_counts
from matters.models import MaterialRequirement
from tests.factories import ClerkFactory, MatterFactory, ReviewerFactory, SupervisorFactory, UserFactory, pdf_upload
from workflow import services
from workflow.models import Application, Material

from .refsys_process import RefProcess

pytestmark = pytest.mark.django_db

ADDRESS = "城关街道民生路8号"


@pytest.fixture
def citizen():
    return UserFactory(real_name="陈志明")


@pytest.fixture
def source(tmp_path, citizen, settings):
    records = tmp_path / "records.json"
    records.write_text(json.dumps({
        "huji": {citizen.id_number: {"name": "陈志明", "address": ADDRESS, "household_no": "H100233"}},
        "shebao": {},
    }, ensure_ascii=False), encoding="utf-8")
    process = RefProcess(db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"},
                         extra=("--records", str(records))).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    yield process
    process.stop()
    _clients.clear()


@pytest.fixture
def matter():
    matter = MatterFactory(name="户口迁移", materials=[
        {"name": "申请表", "source": MaterialRequirement.Source.APPLICANT},
        {"name": "户籍证明", "source": MaterialRequirement.Source.DATA_SOURCE},
        {"name": "社保缴费证明", "source": MaterialRequirement.Source.DATA_SOURCE},
    ], fields=[{"key": "applicant_name", "label": "申请人姓名"}, {"key": "address", "label": "现住址"}])
    DataSourcePolicy.objects.create(matter=matter, source="huji", fields=["name", "address", "household_no"],
                                    purpose="核验户籍")
    DataSourcePolicy.objects.create(matter=matter, source="shebao", fields=["months"], purpose="核验社保缴费")
    huji, shebao = (matter.materials.get(name=n) for n in ("户籍证明", "社保缴费证明"))
    MaterialSource.objects.create(requirement=huji, source="huji", fields=["name", "household_no"])
    MaterialSource.objects.create(requirement=shebao, source="shebao", fields=["months"])
    FieldSource.objects.create(matter=matter, field_key="address", source="huji", source_field="address")
    return matter


def _req(matter, name):
    return matter.materials.get(name=name)


def test_mapping_stays_within_the_matters_policy(matter):
    bad = MaterialSource(requirement=_req(matter, "申请表"), source="huji", fields=["relation"])
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "授权" in str(error.value)
    with pytest.raises(ValidationError):
        MaterialSource(requirement=_req(matter, "申请表"), source="gongjijin", fields=["balance"]).full_clean()
    with pytest.raises(ValidationError):
        FieldSource(matter=matter, field_key="address", source="huji", source_field="relation").full_clean()


def test_online_apply_obtains_falls_back_prefills_and_records(source, matter, citizen, client):
    client.force_login(citizen)
    url = reverse("portal:apply_matter", args=[matter.code])
    page = client.get(url).content.decode()
    # 户籍证明: obtained from 户籍; 社保缴费证明: the source has no record, so it is an upload with the reason
    assert "已获取(免提交)" in page and "户籍数据" in page
    assert "社保数据中没有您的相关记录,请上传该材料。" in page or "社保数据中没有您的记录,请上传该材料。" in page
    assert f'name="material_{_req(matter, "社保缴费证明").pk}"' in page
    assert f'name="material_{_req(matter, "户籍证明").pk}"' not in page
    # 免填: the address comes from 户籍, marked as such
    assert f'value="{ADDRESS}"' in page and "已自户籍数据获取(免填)" in page
    sent = source.stats()["data_queries"]
    assert sent == 2  # one query per source, the fields of the material and the form together

    body = {"field_applicant_name": "陈志明", "field_address": "城关街道民生路8号之一", "delivery_method": "hall",
            "idempotency_key": "1" * 32}
    missing = client.post(url, {**body, f"material_{_req(matter, '申请表').pk}": pdf_upload()})
    text = missing.content.decode()
    assert missing.status_code == 400 and "社保数据中没有您的" in text and "请上传该材料" in text
    assert "已更正" in text  # the corrected field says so
    response = client.post(url, {**body, f"material_{_req(matter, '申请表').pk}": pdf_upload(),
                                 f"material_{_req(matter, '社保缴费证明').pk}": pdf_upload("社保.pdf")})
    assert response.status_code == 302
    application = Application.objects.get(applicant=citizen)
    huji = application.materials.get(name="户籍证明")
    assert huji.source == Material.Source.DATA_SOURCE and huji.data_query is not None
    assert huji.reference == f"数据查询 #{huji.data_query_id}" and huji.sha256 == huji.data_query.answer_digest
    assert huji.data_query.answer == {"name": "陈志明", "address": ADDRESS, "household_no": "H100233"}
    assert application.materials.get(name="社保缴费证明").source == Material.Source.UPLOAD
    assert application.form_data["address"] == "城关街道民生路8号之一"
    ledger = {(e.kind, e.name): e for e in Exemption.objects.filter(case_ref=application.number)}
    assert set(ledger) == {("material", "户籍证明"), ("field", "address")}
    assert ledger[("field", "address")].corrected and ledger[("field", "address")].fetched == ADDRESS
    # the posts reused the page's answers: nothing more was sent (and nothing more logged)
    assert source.stats()["data_queries"] == sent == DataQuery.objects.count() - 0

    detail = client.get(reverse("portal:application", args=[application.number])).content.decode()
    record_url = reverse("portal:application_material_record", args=[application.number, huji.pk])
    assert record_url in detail and "查看共享数据" in detail
    services.application_accept(application=application, clerk=ClerkFactory())  # its sub-case reaches the department
    reviewer = ReviewerFactory(department=matter.department)
    client.force_login(reviewer)
    subcase = application.subcases.get()
    assert record_url in client.get(reverse("portal:subcase", args=[subcase.number])).content.decode()
    record = client.get(record_url).content.decode()
    assert ADDRESS in record and "H100233" in record and "核验户籍" in record and huji.sha256 in record
    stranger = ReviewerFactory()
    client.force_login(stranger)
    assert client.get(record_url).status_code == 404

    counts = exemption_counts([matter], timezone.now() - dt.timedelta(days=1))
    assert counts == {matter.pk: {"materials": 1, "fields": 0}}  # the corrected field was typed after all


def test_source_down_falls_back_to_upload_with_the_reason(source, matter, citizen, client):
    source.stop()
    client.force_login(citizen)
    page = client.get(reverse("portal:apply_matter", args=[matter.code])).content.decode()
    assert "户籍数据暂时无法获取,请您自行上传该材料" in page
    assert f'name="material_{_req(matter, "户籍证明").pk}"' in page and "已获取(免提交)" not in page
    assert "已自户籍数据获取" not in page
    assert set(DataQuery.objects.values_list("outcome", flat=True)) == {"failed"}


def test_kept_field_counts_as_not_typed(source, matter, citizen, client):
    client.force_login(citizen)
    url = reverse("portal:apply_matter", args=[matter.code])
    client.get(url)
    response = client.post(url, {"field_applicant_name": "陈志明", "field_address": ADDRESS, "delivery_method": "hall",
                                 "idempotency_key": "2" * 32, f"material_{_req(matter, '申请表').pk}": pdf_upload(),
                                 f"material_{_req(matter, '社保缴费证明').pk}": pdf_upload()})
    assert response.status_code == 302
    other = MatterFactory()
    since = timezone.now() - dt.timedelta(hours=1)
    assert exemption_counts([matter, other], since) == {matter.pk: {"materials": 1, "fields": 1}}
    assert exemption_counts([matter], timezone.now() + dt.timedelta(minutes=1)) == {}
    client.force_login(SupervisorFactory())
    html = client.get("/supervision/?period=today").content.decode()
    card = html[html.index("免提交与免填"):]
    card = card[:card.index("</section>")]
    assert "户口迁移" in card and '<td data-label="免提交材料(份)" class="num">1</td>' in card
    assert '<td data-label="免填表单项(项)" class="num">1</td>' in card and other.name not in card


def test_licence_mapping_offers_only_a_valid_licence(citizen, client):
    matter = MatterFactory(materials=[{"name": "结婚证", "source": MaterialRequirement.Source.LICENCE}])
    requirement = matter.materials.get()
    MaterialSource.objects.create(requirement=requirement, kind="licence", licence_name="结婚证")
    client.force_login(citizen)
    url = reverse("portal:apply_matter", args=[matter.code])
    assert "电子证照库中没有您有效的“结婚证”" in client.get(url).content.decode()
    today = timezone.localdate()
    base = {"matter": matter, "department": matter.department, "name": "结婚证", "holder_name": citizen.real_name,
            "holder_id_number": citizen.id_number, "holder_id_masked": "x", "holder_user": citizen,
            "issued_on": today - dt.timedelta(days=400), "valid_from": today - dt.timedelta(days=400),
            "sha256": "a" * 64, "digest": "b" * 64}
    ElectronicLicence.objects.create(number="DZZZ-1", case_ref="S1", application_number="A1",
                                     valid_until=today - dt.timedelta(days=1), **base)
    assert "您的“结婚证”电子证照已过期" in client.get(url).content.decode()
    ElectronicLicence.objects.create(number="DZZZ-2", case_ref="S2", application_number="A2",
                                     revoked_at=timezone.now(), revocation_reason="错误发证",
                                     **{**base, "issued_on": today, "valid_from": today})
    assert "您的“结婚证”电子证照已注销" in client.get(url).content.decode()
    ElectronicLicence.objects.create(number="DZZZ-3", case_ref="S3", application_number="A3",
                                     **{**base, "issued_on": today, "valid_from": today, "sha256": "c" * 64})
    page = client.get(url).content.decode()
    assert "已获取(免提交)" in page and "DZZZ-3" in page
    response = client.post(url, {"field_applicant_name": "陈志明", "field_contact_phone": "13912345678",
                                 "delivery_method": "hall", "idempotency_key": "3" * 32})
    assert response.status_code == 302
    material = Application.objects.get(applicant=citizen).materials.get()
    assert material.source == Material.Source.LICENCE and material.reference == "DZZZ-3"
    assert material.sha256 == "c" * 64
    assert Exemption.objects.get().source == "licence"


def test_walk_in_screen_takes_the_material_from_the_source(source, matter, citizen, client):
    from workflow.calendar_store import seed_calendar

    seed_calendar(years=[2026])
    clerk = ClerkFactory()
    client.force_login(clerk)
    url = f"/hall/walk-in/?matter={matter.code}"
    body = {"applicant_id_number": citizen.id_number, "applicant_real_name": "", "applicant_phone": "",
            "field_address": ADDRESS, "decision": "accept", "idempotency_key": "4" * 32,
            f"mark_{_req(matter, '申请表').pk}": "window"}
    refused = client.post(url, body)  # 社保 has no record: the clerk must receive it
    page = refused.content.decode()
    assert refused.status_code == 400 and "社保数据中没有您的记录,请上传该材料。" in page
    assert "已获取(免提交)" in page and "户籍数据" in page
    assert not Application.objects.filter(applicant=citizen).exists()
    response = client.post(url, {**body, f"mark_{_req(matter, '社保缴费证明').pk}": "window"})
    assert response.status_code == 302
    application = Application.objects.get(applicant=citizen)
    huji = application.materials.get(name="户籍证明")
    assert huji.source == Material.Source.DATA_SOURCE and huji.data_query.asked_by == clerk
    assert source.stats()["data_queries"] == 2  # the second post reused the first one's answers
