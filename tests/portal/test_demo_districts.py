"""Issue 15, the demo's second district (portal/demo/districts.py): 清城区's rows have the keys the
loader reads, codes that no 清新区 row has, and they name 清城区 (441802) throughout."""

import pytest

from accounts.identity import validate_id_number, validate_phone
from portal.demo import catalog, districts


@pytest.mark.parametrize("rows, like", [
    (districts.REGIONS, catalog.REGIONS), (districts.DEPARTMENTS, catalog.DEPARTMENTS),
    (districts.HALLS, catalog.HALLS), (districts.WINDOWS, catalog.WINDOWS),
    (districts.MATTERS, catalog.MATTERS), (districts.USERS, catalog.USERS),
])
def test_rows_have_the_keys_of_the_first_district(rows, like):
    assert rows and all(set(row) == set(like[0]) for row in rows)


@pytest.mark.parametrize("key, rows, first", [
    ("code", districts.REGIONS, catalog.REGIONS), ("code", districts.DEPARTMENTS, catalog.DEPARTMENTS),
    ("code", districts.HALLS, catalog.HALLS), ("code", districts.MATTERS, catalog.MATTERS),
    ("name", districts.MATTERS, catalog.MATTERS),  # the demo finds some matters by name
    ("username", districts.USERS, catalog.USERS), ("id_number", districts.USERS, catalog.USERS),
])
def test_no_row_repeats_one_of_the_first_district(key, rows, first):
    assert not {row[key] for row in rows} & {row[key] for row in first}


def test_everything_lies_in_qingcheng():
    codes = {r["code"] for r in districts.REGIONS}
    assert {r["code"] for r in districts.REGIONS if r["level"] == "district"} == {districts.QINGCHENG}
    assert all(r["code"].startswith("441802") and (r["parent"] in codes or r["parent"] == catalog.CITY)
               for r in districts.REGIONS)
    assert all(d["region"] in codes and d["name"].startswith("清远市清城区") for d in districts.DEPARTMENTS)
    assert all(h["region"] in codes and h["address"].startswith("清远市清城区") for h in districts.HALLS)
    assert {w["hall"] for w in districts.WINDOWS} == {h["code"] for h in districts.HALLS}
    assert len(districts.MATTERS) == 2 and all(
        m["code"] == f"{m['basic_code']}-4-441802-SCJG" and m["department"] == "QC-SCJG" for m in districts.MATTERS)
    roles = {u["role"] for u in districts.USERS}
    assert roles == {"public", "clerk", "reviewer", "supervisor"}
    assert {u["username"]: u["district"] for u in districts.USERS if u["district"]} == {
        "supervisor_qingcheng": districts.QINGCHENG}
    for user in districts.USERS:
        assert validate_id_number(user["id_number"]) == user["id_number"] and validate_phone(user["phone"]) == user["phone"]
    assert [seat for u in districts.USERS for seat in u["seats"]] == [("QC-ZWZX", "A01")]
