"""免申即享 against the reference data-source program (its own process): a run finds exactly the
citizens its records show eligible and tells them; accepting grants once; the ineligible are
refused with the reason; every look-up is a data-use record."""

import json

import pytest
from django.urls import reverse

from accounts.identity import id_check_char
from civic import benefits
from civic.models import Benefit, BenefitOffer
from core.errors import Forbidden
from exchange.datasources import _clients
from exchange.demo_records import demo_records
from exchange.models import DataQuery, DataSourcePolicy
from notifications.models import Message
from tests.exchange.refsys_process import RefProcess
from tests.factories import MatterFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    births = ["19500101", "19600202", "19700303", "19800404", "19900505", "19550606", "19650707", "19750808"]
    first17 = [f"441803{b}{i:03d}" for i, b in enumerate(births, start=101)]  # fixed: the same records every run
    return [UserFactory(id_number=f + id_check_char(f)) for f in first17]


@pytest.fixture
def source(tmp_path, people, settings):
    records = tmp_path / "records.json"
    records.write_text(json.dumps(demo_records(), ensure_ascii=False), encoding="utf-8")
    process = RefProcess(
        db=tmp_path / "ds.sqlite3", department="QXZWFWZX", keys={"d1": "ds-secret"}, extra=("--records", str(records))
    ).start()
    settings.DATA_SOURCE_URL, settings.DATA_SOURCE_KEY = process.url, "d1:ds-secret"
    _clients.clear()
    yield process
    process.stop()
    _clients.clear()


@pytest.fixture
def benefit():
    matter = MatterFactory(name="住房困难家庭租赁补贴")
    DataSourcePolicy.objects.create(matter=matter, source="budongchan", fields=["properties"], purpose="核验名下房产")
    return Benefit.objects.create(
        code="zufang-butie",
        name="住房困难家庭租赁补贴",
        matter=matter,
        source="budongchan",
        field="properties",
        field_label="名下房产套数",
        op=Benefit.Op.EQ,
        value="0",
        grant_text="每月租赁补贴600元",
    )


def expected(people):
    records = demo_records()["budongchan"]
    return {p.pk for p in people if records[p.id_number]["properties"] == 0}


def test_a_run_finds_exactly_the_eligible_people_and_tells_them(source, people, benefit):
    eligible = expected(people)
    assert 0 < len(eligible) < len(people)  # the digest gives both kinds among these eight
    counts = benefits.run(benefit)
    assert counts == {"checked": len(people), "eligible": len(eligible), "offered": len(eligible)}
    assert set(BenefitOffer.objects.values_list("person_id", flat=True)) == eligible
    assert set(Message.objects.filter(kind="benefit").values_list("recipient_id", flat=True)) == eligible
    assert DataQuery.objects.filter(source="budongchan", fields=["properties"]).count() == len(people)
    assert benefits.run(benefit)["offered"] == 0  # a second run offers nothing new
    assert Message.objects.filter(kind="benefit").count() == len(eligible)


def test_accept_grants_once_and_refuses_the_ineligible(source, people, benefit, client):
    eligible = expected(people)
    yes = next(p for p in people if p.pk in eligible)
    no = next(p for p in people if p.pk not in eligible)
    url = reverse("civic:benefit", args=[benefit.code])
    client.force_login(yes)
    client.post(url)
    first = BenefitOffer.objects.get(person=yes)
    assert first.granted_at is not None and first.grant_query_id is not None
    client.post(url)  # a second click grants nothing more
    assert BenefitOffer.objects.get(person=yes).granted_at == first.granted_at
    assert BenefitOffer.objects.filter(benefit=benefit).count() == 1
    assert "您已确认享受该政策" in client.get(url).content.decode()
    with pytest.raises(Forbidden) as exc:
        benefits.accept(benefit=benefit, person=no)
    assert "名下房产套数为" in exc.value.message and "不符合" in exc.value.message
    client.force_login(no)
    assert client.post(url).status_code == 403
    assert not BenefitOffer.objects.filter(person=no).exists()
