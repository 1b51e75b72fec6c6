"""The data migration that made licence types records (exchange 0017) keeps every licence and its
terms both ways: back to the matter's columns and the reminder rows, and forward again."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exchange.models import ElectronicLicence, LicenceType
from matters.models import Matter
from tests.factories import LicenceTypeFactory, MatterFactory

BEFORE = [("exchange", "0015_licence_reminder_policy"), ("matters", "0012_catalog_version")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _leaf():
    """Every app's last migration: going back unapplies what depends on the targets in any app."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_types_go_back_to_the_matters_columns_and_come_forward_again():
    endorsement = MatterFactory(name="居住证签注")
    permit_type = LicenceTypeFactory(name="广东省居住证", valid_months=12, days_ahead=45, renewal_matter=endorsement,
                                     number_field="residence_permit_number")
    birth_type = LicenceTypeFactory(name="出生医学证明", holder_kind="form_person",
                                    holder_fields={"name": "baby_name", "birth_date": "baby_birth_date"})
    permit = MatterFactory(name="居住证申领", issues_licence=True, result_name="广东省居住证", licence_type=permit_type)
    birth = MatterFactory(name="出生医学证明首次签发", issues_licence=True, result_name="出生医学证明",
                          licence_type=birth_type)
    licence = ElectronicLicence(
        number="DZZZ-441803-2026-000001", case_ref="441803-2026-GG-000001-01", application_number="441803-2026-GG-000001",
        name="广东省居住证", licence_type=permit_type, matter=permit, department=permit.department,
        holder_name="黄丽芳", issued_on=dt.date(2026, 3, 1), valid_from=dt.date(2026, 3, 1),
        valid_until=dt.date(2027, 2, 28), sha256="0" * 64, digest="a" * 64)
    licence.file.save("l.pdf", ContentFile(b"%PDF-1.4"), save=False)
    licence.save()
    leaf = _leaf()
    try:
        old = _migrate(BEFORE)
        OldMatter, Policy = old.get_model("matters", "Matter"), old.get_model("exchange", "LicenceReminderPolicy")
        assert OldMatter.objects.get(pk=permit.pk).licence_valid_months == 12
        old_birth = OldMatter.objects.get(pk=birth.pk)
        assert (old_birth.licence_holder, old_birth.licence_holder_fields) == (
            "form_person", {"name": "baby_name", "birth_date": "baby_birth_date"})
        policy = Policy.objects.get(licence_name="广东省居住证")
        assert (policy.days_ahead, policy.renewal_matter_id, policy.number_field) == (
            45, endorsement.pk, "residence_permit_number")
        assert not Policy.objects.filter(licence_name="出生医学证明").exists()  # defaults need no row
        assert old.get_model("exchange", "ElectronicLicence").objects.count() == 1
    finally:
        _migrate(leaf)
    permit_after = Matter.objects.select_related("licence_type").get(pk=permit.pk)
    kind = permit_after.licence_type
    assert (kind.name, kind.valid_months, kind.days_ahead, kind.renewal_matter_id, kind.number_field) == (
        "广东省居住证", 12, 45, endorsement.pk, "residence_permit_number")
    assert kind.code.startswith("LOCAL-")
    assert permit_after.licence_valid_until(dt.date(2026, 12, 4)) == dt.date(2027, 12, 3)
    birth_kind = Matter.objects.get(pk=birth.pk).licence_type
    assert (birth_kind.holder_kind, birth_kind.holder_fields["name"]) == ("form_person", "baby_name")
    stored = ElectronicLicence.objects.get()
    assert (stored.number, stored.digest, stored.licence_type_id) == (licence.number, licence.digest, kind.pk)
    assert LicenceType.objects.count() == 2
