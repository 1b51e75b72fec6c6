"""Versions of a matter's standard: an edit through the admin or the XLSX import makes a new
version only when the standard changed; applications and their sub-cases stay bound to the
version they were submitted under; past versions stay readable; the business manual is for staff."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from matters import versioning
from matters.catalog_xlsx import export_catalog, import_catalog
from matters.models import MaterialRequirement, Matter, MatterVersion
from tests.factories import (
    ClerkFactory,
    MatterFactory,
    ReviewerFactory,
    SupervisorFactory,
    UserFactory,
    submitted_application,
)
from workflow import services
from workflow.calendar_store import seed_calendar


@pytest.fixture(autouse=True)
def calendar(db):
    seed_calendar(years=[2026])


def numbers(matter):
    return list(MatterVersion.objects.filter(matter=matter).order_by("number").values_list("number", flat=True))


# --- the admin ------------------------------------------------------------------------------------


def admin_post_data(matter, **changes):
    """The admin change form of `matter` as the browser would post it, with `changes` applied."""
    data = {}
    for f in Matter._meta.concrete_fields:
        if not f.editable or f.name in ("id", "version", "published_on"):
            continue
        value = getattr(matter, f.attname)
        if isinstance(value, bool):
            if value:
                data[f.name] = "on"
            continue
        data[f.name] = "" if value is None else value
    for name, value in changes.items():
        if isinstance(value, bool):
            data.pop(name, None)
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for prefix, rows, names in (
        ("materials", list(matter.materials.order_by("order", "pk")),
         ["name", "form", "copies", "deferrable", "source", "trust_level", "note", "order", "required"]),
        ("fields", list(matter.fields.order_by("order", "pk")),
         ["key", "label", "type", "required", "help_text", "order", "choices"]),
        ("fee_items", list(matter.fee_items.order_by("order", "pk")),
         ["order", "name", "amount_fen", "legal_basis", "charge_at", "is_active"]),
    ):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-matter"] = matter.pk
            for name in names:
                value = getattr(row, name)
                if isinstance(value, bool):
                    if value:
                        data[f"{prefix}-{i}-{name}"] = "on"
                elif name == "choices":
                    data[f"{prefix}-{i}-{name}"] = __import__("json").dumps(value)
                else:
                    data[f"{prefix}-{i}-{name}"] = value
    return data


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    return client


def test_admin_edit_makes_a_version_only_when_the_standard_changed(admin_client):
    matter = MatterFactory(promised_days=10, published_on=dt.date(2026, 1, 5))
    url = f"/admin/matters/matter/{matter.pk}/change/"

    same = admin_client.post(url, admin_post_data(matter))
    assert same.status_code == 302, same.content.decode()[:2000]
    matter.refresh_from_db()
    assert numbers(matter) == [1] and matter.version == 1  # the standard as it stood, frozen; no new one
    assert matter.published_on == dt.date(2026, 1, 5)

    changed = admin_client.post(url, admin_post_data(matter, promised_days=5))
    assert changed.status_code == 302
    matter.refresh_from_db()
    assert numbers(matter) == [1, 2] and matter.version == 2
    assert matter.published_on == timezone.localdate()
    v1, v2 = MatterVersion.objects.filter(matter=matter).order_by("number")
    assert v1.published_on == dt.date(2026, 1, 5) and v1.promised_days == 10
    assert v2.promised_days == 5

    # A material's trust level is part of the standard too.
    data = admin_post_data(matter)
    data["materials-0-trust_level"] = "B"
    assert admin_client.post(url, data).status_code == 302
    assert numbers(matter) == [1, 2, 3]
    assert admin_client.post(url, admin_post_data(Matter.objects.get(pk=matter.pk))).status_code == 302
    assert numbers(matter) == [1, 2, 3]


# --- applications keep their version ----------------------------------------------------------------


def edit(matter, **changes):
    for name, value in changes.items():
        setattr(matter, name, value)
    versioning.freeze_current(Matter.objects.get(pk=matter.pk))
    matter.save()
    return versioning.publish_if_changed(matter=matter)


def test_an_application_keeps_the_version_it_was_submitted_under(client):
    matter = MatterFactory(promised_days=10)
    old = submitted_application(matters=[matter])
    assert [v.number for v in old.matter_versions.all()] == [1]

    assert edit(matter, promised_days=3).number == 2
    services.application_accept(application=old, clerk=ClerkFactory())
    subcase = old.subcases.get()
    assert subcase.matter_version.number == 1
    assert subcase.promised_days == 10  # the old version's limit, not the edited one

    new = submitted_application(matters=[Matter.objects.get(pk=matter.pk)])
    services.application_accept(application=new, clerk=ClerkFactory())
    assert new.subcases.get().matter_version.number == 2
    assert new.subcases.get().promised_days == 3

    client.force_login(old.applicant)
    html = client.get(f"/applications/{old.number}/").content.decode()
    assert "办事指南版本 v1" in html
    reviewer = ReviewerFactory(department=matter.department)
    client.force_login(reviewer)
    html = client.get(f"/review/{subcase.number}/").content.decode()
    assert "v1(" in html


def test_an_unchanged_save_makes_no_version():
    matter = MatterFactory()
    versioning.freeze_current(matter)
    assert versioning.publish_if_changed(matter=matter) is None
    matter.is_active = False  # withdrawing a matter is not a new standard
    matter.save()
    assert versioning.publish_if_changed(matter=matter) is None
    assert numbers(matter) == [1]


# --- pages ---------------------------------------------------------------------------------------


def test_guide_shows_the_version_and_an_old_version_stays_readable(client):
    matter = MatterFactory(promised_days=10, published_on=dt.date(2026, 1, 5),
                           materials=[{"name": "旧版申请表"}, {"name": "居民身份证", "source": "licence"}])
    versioning.freeze_current(matter)
    requirement = matter.materials.get(name="旧版申请表")
    requirement.name = "新版申请表"
    requirement.save()
    edit(matter, promised_days=4)
    matter.refresh_from_db()

    current = client.get(f"/guide/matters/{matter.code}/").content.decode()
    assert "第 2 版" in current and "新版申请表" in current
    assert f"/guide/matters/{matter.code}/v1/" in current  # the history

    old = client.get(f"/guide/matters/{matter.code}/v1/")
    assert old.status_code == 200
    html = old.content.decode()
    assert "旧版申请表" in html and "新版申请表" not in html
    assert "10 个工作日" in html and "2026-01-05" in html
    assert "已被第 2 版取代" in html

    assert client.get(f"/guide/matters/{matter.code}/v2/")["Location"] == f"/guide/matters/{matter.code}/"
    assert client.get(f"/guide/matters/{matter.code}/v7/").status_code == 404


def test_blank_forms_and_samples_download_from_the_guide(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    matter = MatterFactory()
    requirement = matter.materials.get(source="applicant")
    requirement.blank_form = SimpleUploadedFile("form.docx", b"PK\x03\x04blank")
    requirement.trust_level = MaterialRequirement.TrustLevel.D
    requirement.save()

    html = client.get(f"/guide/matters/{matter.code}/").content.decode()
    url = f"/guide/matters/{matter.code}/materials/{requirement.pk}/form/"
    assert url in html and "D级" in html
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK\x03\x04blank"
    assert "attachment" in response["Content-Disposition"]
    assert client.get(f"/guide/matters/{matter.code}/materials/{requirement.pk}/sample/").status_code == 404


@pytest.mark.parametrize("factory, status", [
    (lambda d: ClerkFactory(), 200),
    (lambda d: ReviewerFactory(department=d), 200),
    (lambda d: SupervisorFactory(), 200),
    (lambda d: UserFactory(role=User.Role.ADMINISTRATOR), 200),
    (lambda d: UserFactory(), 403),
])
def test_business_manual_is_for_staff(client, factory, status):
    matter = MatterFactory(materials=[{"name": "申请表", "trust_level": "D"}, {"name": "营业执照", "source": "licence",
                                                                           "trust_level": "A"}])
    client.force_login(factory(matter.department))
    response = client.get(f"/manual/matters/{matter.code}/")
    assert response.status_code == status
    if status == 200:
        html = response.content.decode()
        assert "业务手册" in html and "内部办理流程" in html and "材料核验要点" in html
        assert "申请人自制并承诺" in html and "电子证照库" in html


def test_business_manual_sends_anonymous_to_sign_in(client):
    matter = MatterFactory()
    assert client.get(f"/manual/matters/{matter.code}/")["Location"].startswith("/accounts/login/")


# --- the XLSX import -----------------------------------------------------------------------------


def test_import_makes_a_version_only_for_changed_matters():
    changed, same = MatterFactory(promised_days=10), MatterFactory(promised_days=10)
    data = export_catalog()
    assert import_catalog(file=io.BytesIO(data)).ok
    assert numbers(changed) == [] and numbers(same) == []  # nothing changed, nothing written

    wb = load_workbook(io.BytesIO(data))
    ws = wb["事项"]
    headers = [c.value for c in ws[1]]
    code_col, days_col = headers.index("实施编码") + 1, headers.index("承诺办结时限(工作日)") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, code_col).value == changed.code)
    ws.cell(row, days_col, 7)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    report = import_catalog(file=buffer)

    assert report.ok, report.errors
    changed.refresh_from_db()
    assert numbers(changed) == [1, 2] and changed.version == 2
    v1, v2 = MatterVersion.objects.filter(matter=changed).order_by("number")
    assert (v1.promised_days, v2.promised_days) == (10, 7)
    assert numbers(same) == []


def test_import_creates_the_first_version_of_a_new_matter():
    matter = MatterFactory(code="XK09999000-4-441803-TEST")
    data = export_catalog()
    matter.delete()
    assert import_catalog(file=io.BytesIO(data)).ok
    created = Matter.objects.get(code="XK09999000-4-441803-TEST")
    assert numbers(created) == [1] and created.published_on == timezone.localdate()
    assert [m["name"] for m in MatterVersion.objects.get(matter=created).snapshot["materials"]] == ["申请表", "居民身份证"]
