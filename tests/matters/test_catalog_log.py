"""Catalog edits in the admin (themes, situation questions, a matter's fee items, data-source
policies, material and field sources) go through `matters.catalog_log`: each add, change and
delete writes one catalog-log row with the object as it was and as it is, on the audit hash
chain (which still verifies); only an administrator may make them."""

from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from accounts.models import User
from core import audit
from core.errors import Forbidden
from exchange.models import DataSourcePolicy, FieldSource, MaterialSource
from matters import catalog_log
from matters.models import CatalogLog, FeeItem, SituationQuestion, Theme
from tests.factories import ClerkFactory, MatterFactory, UserFactory, newborn_theme

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The fields of the admin's change form as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            else:
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None


def form_of(client, url, **changes) -> dict:
    """GET the admin page at `url` and return its form's fields with `changes` applied."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    parser = _FormFields()
    parser.feed(page.content.decode())
    data = {k: v for k, v in parser.data.items() if k not in ("csrfmiddlewaretoken",) and "__prefix__" not in k}
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    data["_save"] = ["1"]
    return data


@pytest.fixture
def administrator(client):
    client.force_login(UserFactory(role=User.Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    return client


def last_log(**filters) -> CatalogLog:
    return CatalogLog.objects.filter(**filters).order_by("-pk").first()


def test_a_theme_and_its_questions_edited_in_the_admin_are_logged_before_and_after(administrator):
    theme = newborn_theme()
    url = f"/admin/matters/theme/{theme.pk}/change/"
    data = form_of(administrator, url, name="新生儿出生“一件事”")
    question = next(k for k, v in data.items() if k.endswith("-0-text") and v == ["新生儿是否在清新区落户?"])
    data[question] = ["新生儿是否在本区落户?"]
    answer = administrator.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]

    entry = last_log(table="matters.Theme", object_id=str(theme.pk))
    assert entry.action == "matters.theme.edited" and entry.actor.role == User.Role.ADMINISTRATOR
    before, after = entry.data["before"], entry.data["after"]
    assert (before["name"], after["name"]) == ("新生儿出生一件事", "新生儿出生“一件事”")
    assert before["situationquestion_set"][0]["text"] == "新生儿是否在清新区落户?"
    assert after["situationquestion_set"][0]["text"] == "新生儿是否在本区落户?"
    assert len(after["situationquestion_set"][0]["situationoption_set"]) == 2  # the options, as they stand
    assert CatalogLog.objects.count() == 1

    # Saving again without a change writes nothing.
    assert administrator.post(url, form_of(administrator, url)).status_code == 302
    assert CatalogLog.objects.count() == 1
    assert all(report.ok for report in audit.verify())
    call_command("verify_audit")  # exits 1 (SystemExit) on a break


def test_a_situation_question_added_and_deleted_in_the_admin_is_logged(administrator):
    theme = newborn_theme()
    data = form_of(
        administrator,
        "/admin/matters/situationquestion/add/",
        theme=str(theme.pk),
        order="2",
        text="是否需要邮寄社保卡?",
    )
    assert administrator.post("/admin/matters/situationquestion/add/", data).status_code == 302
    question = SituationQuestion.objects.get(text="是否需要邮寄社保卡?")
    added = last_log(table="matters.SituationQuestion", object_id=str(question.pk))
    assert added.action == "matters.situationquestion.added" and added.data["before"] is None
    assert added.data["after"]["theme_id"] == theme.pk

    answer = administrator.post(f"/admin/matters/situationquestion/{question.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302 and not SituationQuestion.objects.filter(pk=question.pk).exists()
    deleted = last_log(table="matters.SituationQuestion", object_id=str(question.pk))
    assert deleted.action == "matters.situationquestion.deleted"
    assert deleted.data["before"]["text"] == "是否需要邮寄社保卡?" and deleted.data["after"] is None
    assert all(report.ok for report in audit.verify())


def test_a_fee_item_changed_on_the_matter_page_is_logged(administrator):
    matter = MatterFactory()
    fee = FeeItem.objects.create(matter=matter, name="工本费", amount_fen=1000, legal_basis="粤价〔2017〕1号")
    url = f"/admin/matters/matter/{matter.pk}/change/"
    data = form_of(administrator, url)
    row = next(k for k, v in data.items() if k.startswith("fee_items-") and k.endswith("-id") and v == [str(fee.pk)])
    data[row.replace("-id", "-amount_fen")] = ["1500"]
    answer = administrator.post(url, data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    entry = last_log(table="matters.Matter", object_id=str(matter.pk))
    assert entry.action == "matters.matter.edited"
    assert [f["amount_fen"] for f in entry.data["before"]["fee_items"]] == [1000]
    assert [f["amount_fen"] for f in entry.data["after"]["fee_items"]] == [1500]
    assert all(report.ok for report in audit.verify())


def test_data_source_policy_material_and_field_sources_are_logged(administrator):
    matter = MatterFactory(materials=[{"name": "户口簿"}], fields=[{"key": "address", "label": "住址"}])
    data = form_of(
        administrator,
        "/admin/exchange/datasourcepolicy/add/",
        matter=str(matter.pk),
        source="huji",
        fields='["name", "address"]',
        purpose="核验户籍",
    )
    assert administrator.post("/admin/exchange/datasourcepolicy/add/", data).status_code == 302
    policy = DataSourcePolicy.objects.get(matter=matter)
    assert last_log(table="exchange.DataSourcePolicy").action == "exchange.datasourcepolicy.added"

    url = f"/admin/exchange/datasourcepolicy/{policy.pk}/change/"
    assert (
        administrator.post(url, form_of(administrator, url, fields='["name", "address", "household_no"]')).status_code
        == 302
    )
    edited = last_log(table="exchange.DataSourcePolicy")
    assert edited.action == "exchange.datasourcepolicy.edited"
    assert edited.data["before"]["fields"] == ["name", "address"]
    assert edited.data["after"]["fields"] == ["name", "address", "household_no"]

    requirement = matter.materials.get()
    data = form_of(
        administrator,
        "/admin/exchange/materialsource/add/",
        requirement=str(requirement.pk),
        kind="data_source",
        source="huji",
        fields='["name"]',
    )
    assert administrator.post("/admin/exchange/materialsource/add/", data).status_code == 302
    assert MaterialSource.objects.filter(requirement=requirement).exists()
    assert last_log(table="exchange.MaterialSource").data["after"]["fields"] == ["name"]

    data = form_of(
        administrator,
        "/admin/exchange/fieldsource/add/",
        matter=str(matter.pk),
        field_key="address",
        source="huji",
        source_field="address",
    )
    assert administrator.post("/admin/exchange/fieldsource/add/", data).status_code == 302
    source = FieldSource.objects.get(matter=matter)
    answer = administrator.post(f"/admin/exchange/fieldsource/{source.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert [e.action for e in CatalogLog.objects.filter(table="exchange.FieldSource").order_by("pk")] == [
        "exchange.fieldsource.added",
        "exchange.fieldsource.deleted",
    ]
    assert all(report.ok for report in audit.verify())


@pytest.mark.parametrize(
    "url",
    [
        "/admin/matters/theme/{theme}/change/",
        "/admin/matters/situationquestion/add/",
        "/admin/exchange/datasourcepolicy/add/",
        "/admin/exchange/fieldsource/add/",
    ],
)
def test_a_staff_member_who_is_not_an_administrator_is_refused(client, url):
    theme = newborn_theme()
    clerk = ClerkFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    clerk.user_permissions.set(Permission.objects.filter(content_type__app_label__in=["matters", "exchange"]))
    client.force_login(clerk)
    url = url.format(theme=theme.pk)
    assert client.get(url).status_code == (200 if url.endswith("/change/") else 403)  # a change page is read only
    assert client.post(url, {"name": "改名", "_save": "1"}).status_code == 403
    assert Theme.objects.get(pk=theme.pk).name == "新生儿出生一件事"
    assert not CatalogLog.objects.exists()


def test_the_service_refuses_a_non_administrator():
    theme = newborn_theme()
    with pytest.raises(Forbidden):
        catalog_log.catalog_admin_save(instance=theme, by=ClerkFactory(), write=theme.save)
    with pytest.raises(Forbidden):
        catalog_log.catalog_admin_delete(instance=theme, by=ClerkFactory())
    assert Theme.objects.filter(pk=theme.pk).exists() and not CatalogLog.objects.exists()
