"""The demo district's data (`portal.demo.catalog`) is consistent with itself and with the law's
number rules. Plain data checks: no database."""

import re
from collections import Counter

import pytest

from accounts.identity import validate_credit_code, validate_id_number, validate_phone
from portal.demo import catalog

SLUG = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
HAN = re.compile(r"[\u4e00-\u9fff]")
KINDS = {
    "licensing": "XK", "confirmation": "QR", "payment": "GF", "levy": "ZS",
    "reward": "JL", "adjudication": "CJ", "other_power": "QT", "public_service": "GG",
}
FIELD_TYPES = {"text", "textarea", "number", "date", "choice", "phone", "id_number", "credit_code"}
MATERIAL_FORMS = {"original", "copy", "both", "electronic"}
MATERIAL_SOURCES = {"applicant", "licence", "data_source"}
ROLES = {"public", "clerk", "reviewer", "supervisor", "administrator"}

REGIONS = {r["code"]: r for r in catalog.REGIONS}
DEPARTMENTS = {d["code"]: d for d in catalog.DEPARTMENTS}
HALLS = {h["code"]: h for h in catalog.HALLS}
MATTERS = {m["code"]: m for m in catalog.MATTERS}
ENTERPRISES = {e["credit_code"]: e for e in catalog.ENTERPRISES}
USERS = {u["username"]: u for u in catalog.USERS}


def _duplicates(values):
    return [v for v, n in Counter(values).items() if n > 1]


# --- keys and codes ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "rows, keys",
    [
        (catalog.REGIONS, {"code", "name", "level", "parent"}),
        (catalog.DEPARTMENTS, {"code", "name", "short_name", "region", "phone"}),
        (catalog.HALLS, {"code", "name", "region", "address", "phone", "opening_hours"}),
        (catalog.WINDOWS, {"hall", "number", "name", "category", "department"}),
        (catalog.THEMES, {"code", "name", "target", "description", "matters"}),
        # The loader builds Enterprise(**row): only model fields may appear.
        (catalog.ENTERPRISES, {"credit_code", "name", "legal_representative", "address"}),
        (catalog.USERS, {"username", "password", "role", "real_name", "id_number", "phone", "department", "seats", "enterprise",
                           "leader", "district"}),
    ],
)
def test_rows_have_exactly_the_agreed_keys(rows, keys):
    assert rows
    for row in rows:
        assert set(row) == keys, row


def test_matter_keys():
    keys = {
        "code", "basic_code", "name", "kind", "type_code", "department", "level", "target", "legal_basis",
        "conditions", "legal_days", "promised_days", "fee_fen", "fee_basis", "visits", "online_depth", "citywide",
        "in_hall", "issues_licence", "result_name", "establishes_entity", "entry_mode", "phone", "materials", "fields",
        "licence_valid_months", "licence_holder", "licence_holder_fields",
    }
    for m in catalog.MATTERS:
        assert set(m) == keys, m["name"]
        for material in m["materials"]:
            assert set(material) == {"name", "form", "copies", "required", "source", "note", "deferrable", "trust_level"}
        for field in m["fields"]:
            assert set(field) == {"key", "label", "type", "required", "choices", "help_text"}


@pytest.mark.parametrize(
    "values",
    [
        [r["code"] for r in catalog.REGIONS],
        [d["code"] for d in catalog.DEPARTMENTS],
        [h["code"] for h in catalog.HALLS],
        [(w["hall"], w["number"]) for w in catalog.WINDOWS],
        [m["code"] for m in catalog.MATTERS],
        [m["basic_code"] for m in catalog.MATTERS],
        [m["name"] for m in catalog.MATTERS],
        [t["code"] for t in catalog.THEMES],
        [e["credit_code"] for e in catalog.ENTERPRISES],
        [e["name"] for e in catalog.ENTERPRISES],
        [u["username"] for u in catalog.USERS],
        [u["id_number"] for u in catalog.USERS],
    ],
)
def test_codes_are_unique(values):
    assert not _duplicates(values)


def test_id_numbers_credit_codes_and_phones_validate():
    for user in catalog.USERS:
        assert validate_id_number(user["id_number"]) == user["id_number"], user["username"]
        assert user["id_number"][:4] == "4418"
        assert validate_phone(user["phone"]) == user["phone"]
    for enterprise in catalog.ENTERPRISES:
        assert validate_credit_code(enterprise["credit_code"]) == enterprise["credit_code"]
        assert enterprise["credit_code"][2:8] == "441803"


# --- organisations -------------------------------------------------------------------------

def test_regions_form_a_tree_under_qingyuan():
    for region in catalog.REGIONS:
        assert re.fullmatch(r"\d{12}", region["code"])
        assert region["level"] in {"city", "district", "town", "village"}
        if region["parent"] is None:
            assert region["level"] == "city"
        else:
            assert region["parent"] in REGIONS
    towns = [r for r in catalog.REGIONS if r["level"] == "town"]
    assert len(towns) == 9  # eight towns and 笔架林场
    assert all(t["parent"] == catalog.DISTRICT and t["code"].startswith("441803") for t in towns)
    assert any(r["level"] == "village" and r["parent"] == catalog.TAIHE for r in catalog.REGIONS)


def test_departments_and_halls_point_at_regions():
    assert len(catalog.DEPARTMENTS) >= 9
    for department in catalog.DEPARTMENTS:
        assert department["region"] in REGIONS
        assert department["name"].startswith(("清远市", "国家税务总局"))
    for hall in catalog.HALLS:
        assert hall["region"] in REGIONS
        assert hall["address"].startswith("清远市清新区")
    town_regions = {r["code"] for r in catalog.REGIONS if r["level"] == "town"}
    assert {h["region"] for h in catalog.HALLS} >= town_regions | {catalog.DISTRICT}


def test_every_hall_has_the_comprehensive_windows():
    for hall in catalog.HALLS:
        categories = {w["category"] for w in catalog.WINDOWS if w["hall"] == hall["code"]}
        assert {"natural", "legal", "delivery"} <= categories, hall["name"]
    for window in catalog.WINDOWS:
        assert window["hall"] in HALLS
        assert window["category"] in {"natural", "legal", "assist", "delivery", "department"}
        assert (window["department"] is not None) == (window["category"] == "department")
        assert window["department"] is None or window["department"] in DEPARTMENTS


# --- matters -------------------------------------------------------------------------------

def test_catalog_size_and_mix():
    assert len(catalog.MATTERS) >= 60
    assert {m["entry_mode"] for m in catalog.MATTERS} == {"comprehensive", "department"}
    assert len({m["department"] for m in catalog.MATTERS}) == len(catalog.DEPARTMENTS)
    assert {m["target"] for m in catalog.MATTERS} == {"natural", "legal"}
    assert sum(m["promised_days"] == 0 for m in catalog.MATTERS) >= 4
    assert any(not m["in_hall"] for m in catalog.MATTERS)  # 应进未进, for the catalog audit
    assert any(m["fee_fen"] > 0 for m in catalog.MATTERS)
    assert {m["level"] for m in catalog.MATTERS} == {"district", "town"}


def test_matter_rules():
    for m in catalog.MATTERS:
        name = m["name"]
        assert m["department"] in DEPARTMENTS, name
        assert KINDS[m["kind"]] == m["type_code"], name
        assert re.fullmatch(r"[A-Z]{2}\d{8}", m["basic_code"]) and m["basic_code"].startswith(m["type_code"]), name
        assert m["code"].startswith(m["basic_code"]) and len(m["code"]) <= 48, name
        assert m["level"] in {"district", "town"} and m["target"] in {"natural", "legal"}, name
        assert isinstance(m["legal_days"], int) and isinstance(m["promised_days"], int), name
        assert 0 <= m["promised_days"] <= m["legal_days"], name
        assert isinstance(m["fee_fen"], int) and m["fee_fen"] >= 0 and m["fee_basis"], name
        assert m["visits"] in (0, 1) and 1 <= m["online_depth"] <= 4, name
        assert m["visits"] == 1 or m["online_depth"] == 4, name  # no visit only when fully online
        assert not m["issues_licence"] or m["result_name"], name
        assert "《" in m["legal_basis"] and m["conditions"], name
        assert HAN.search(name) and len(name) <= 128, name


def test_materials():
    for m in catalog.MATTERS:
        assert 2 <= len(m["materials"]) <= 6, m["name"]
        assert not _duplicates([x["name"] for x in m["materials"]]), m["name"]
        for material in m["materials"]:
            assert material["form"] in MATERIAL_FORMS
            assert material["source"] in MATERIAL_SOURCES
            assert material["trust_level"] in {"A", "B", "C", "D"}
            assert material["source"] == "applicant" or material["trust_level"] == "A"  # 免提交: from an authority
            assert isinstance(material["copies"], int) and material["copies"] >= 1
            assert HAN.search(material["name"]) and len(material["name"]) <= 128
    assert {x["trust_level"] for m in catalog.MATTERS for x in m["materials"]} == {"A", "B", "C", "D"}
    sources = {x["source"] for m in catalog.MATTERS for x in m["materials"]}
    assert sources == MATERIAL_SOURCES  # 免提交 from both the licence store and data sources


def test_form_fields():
    labels = {}
    for m in catalog.MATTERS:
        assert 2 <= len(m["fields"]) <= 6, m["name"]
        assert not _duplicates([f["key"] for f in m["fields"]]), m["name"]
        for field in m["fields"]:
            assert SLUG.fullmatch(field["key"]) and len(field["key"]) <= 64, field["key"]
            assert field["type"] in FIELD_TYPES
            assert HAN.search(field["label"]) and len(field["label"]) <= 64
            if field["type"] == "choice":
                assert len(field["choices"]) >= 2 and all(isinstance(c, str) for c in field["choices"])
            else:
                assert field["choices"] == []
            labels.setdefault(field["key"], set()).add(field["type"])
    # One key is one datum: the same key never changes its type between matters.
    assert all(len(types) == 1 for types in labels.values()), labels


# --- themes --------------------------------------------------------------------------------

def test_themes_span_departments_and_share_fields():
    assert len(catalog.THEMES) >= 4
    assert "kaiban-qiye" in {t["code"] for t in catalog.THEMES}
    spans = []
    for theme in catalog.THEMES:
        assert SLUG.fullmatch(theme["code"])
        assert theme["target"] in {"natural", "legal"}
        assert not _duplicates(theme["matters"])
        matters = [MATTERS[code] for code in theme["matters"]]  # KeyError = unknown matter code
        departments = {m["department"] for m in matters}
        assert len(departments) >= 2, theme["name"]
        spans.append(len(departments))
        shared = set.intersection(*({f["key"] for f in m["fields"]} for m in matters))
        assert shared, f"{theme['name']}: the matters share no form field"
    assert max(spans) >= 3


def test_opening_a_company_bundles_market_police_and_social_security():
    theme = next(t for t in catalog.THEMES if t["code"] == "kaiban-qiye")
    departments = {MATTERS[code]["department"] for code in theme["matters"]}
    assert {"QX-SCJG", "QX-GA", "QX-RSJ"} <= departments
    seal = next(m for m in catalog.MATTERS if m["name"] == "公章刻制备案")
    assert seal["department"] == "QX-GA" and seal["code"] in theme["matters"]


# --- people --------------------------------------------------------------------------------

def test_users():
    required = {
        "citizen", "citizen2", "enterprise", "clerk", "clerk_legal", "clerk_taihe", "clerk_delivery",
        "reviewer_scjg", "reviewer_ga", "reviewer_rs", "supervisor", "admin",
    }
    assert required <= set(USERS)
    assert sum(u["role"] == "reviewer" for u in catalog.USERS) >= 4
    assert USERS["admin"]["role"] == "administrator"
    windows = {(w["hall"], w["number"]): w for w in catalog.WINDOWS}
    for user in catalog.USERS:
        assert user["role"] in ROLES
        assert user["password"] == "Demo#7Kq2m"
        assert HAN.search(user["real_name"])
        if user["role"] == "reviewer":
            assert user["department"] in DEPARTMENTS, user["username"]
        if user["department"] is not None:
            assert user["department"] in DEPARTMENTS
        if user["role"] == "clerk":
            assert user["seats"], user["username"]
        else:
            assert user["seats"] == []
        for hall, number in user["seats"]:
            assert (hall, number) in windows, (user["username"], hall, number)
        if user["enterprise"] is not None:
            assert user["enterprise"] in ENTERPRISES
    assert USERS["enterprise"]["enterprise"] in ENTERPRISES
    assert USERS["reviewer_scjg"]["department"] == "QX-SCJG"
    assert USERS["reviewer_ga"]["department"] == "QX-GA"
    assert USERS["reviewer_rs"]["department"] == "QX-RSJ"

    def seat(name):
        (hall, number), = USERS[name]["seats"]
        return windows[(hall, number)]

    assert seat("clerk")["hall"] == "QX-ZWZX" and seat("clerk")["category"] == "natural"
    assert seat("clerk_legal")["hall"] == "QX-ZWZX" and seat("clerk_legal")["category"] == "legal"
    assert seat("clerk_delivery")["hall"] == "QX-ZWZX" and seat("clerk_delivery")["category"] == "delivery"
    assert HALLS[seat("clerk_taihe")["hall"]]["region"] == catalog.TAIHE


def test_every_demo_department_with_reviewers_has_a_leader():
    """行政许可法第四十二条: an extension needs the department's leader; the demo has one each."""
    reviewed = {row["department"] for row in catalog.USERS if row["role"] == "reviewer" and not row["leader"]}
    leaders = {row["department"]: row["username"] for row in catalog.USERS if row["leader"]}
    assert reviewed and reviewed <= set(leaders)
    assert all(name == f"leader_{name.split('_', 1)[1]}" for name in leaders.values())
