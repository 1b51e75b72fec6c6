"""Finding a matter by Chinese words, pinyin initials, full pinyin and code, ranked, with filters.
Runs on SQLite and, with DATABASE_URL pointing at PostgreSQL, on PostgreSQL (same assertions)."""

import pytest
from django.db import connection

from matters.models import Matter
from matters.search import MatterQuery, search_keys
from matters.selectors import search_matters
from tests.factories import DepartmentFactory, MatterFactory, theme_with


def names(qs, n=None):
    return [m.name for m in (qs[:n] if n else qs)]


# --- the keys (no database) ----------------------------------------------------------------------


@pytest.mark.parametrize("name, result, initials, pinyin", [
    ("营业执照", "", "yyzz", "yingyezhizhao"),
    ("企业设立登记", "营业执照", "qysldj|yyzz", "qiyeshelidengji|yingyezhizhao"),
    ("银行开户", "", "yhkh", "yinhangkaihu"),  # a polyphone read in its phrase: 行 hang
    ("4S店备案", "", "4sdba", "4sdianbeian"),  # Latin and digits stay whole words
    ("绿色通道(农产品)", "", "lstdncp", "lvsetongdaonongchanpin"),  # ü is v; brackets drop
    ("", "", "", ""),
])
def test_search_keys(name, result, initials, pinyin):
    assert search_keys(name, result) == (initials, pinyin)


def test_query_parsing():
    assert MatterQuery.parse("   ") is None
    assert [t.text for t in MatterQuery.parse("ying ye").terms] == ["yingye"]  # Latin words: one pinyin key
    assert [t.text for t in MatterQuery.parse("食品 许可").terms] == ["食品", "许可"]  # Chinese words: each must match
    assert MatterQuery.parse("社保").terms[0].words == ("社保", "社会保险", "社会保障")
    assert MatterQuery.parse("shebao").terms[0].words == ("社保", "社会保险", "社会保障")


# --- the query -----------------------------------------------------------------------------------


@pytest.fixture
def catalog(db):
    market = DepartmentFactory(code="QX-SCJG", name="清远市清新区市场监督管理局", short_name="区市场监管局")
    police = DepartmentFactory(code="QX-GA", name="清远市公安局清新分局", short_name="区公安分局")
    social = DepartmentFactory(code="QX-RSJ", name="清远市清新区人力资源和社会保障局", short_name="区人社局")
    made = {}
    for code, name, department, extra in [
        ("XK00101001-4-441803-SCJG", "企业设立登记", market, {"result_name": "营业执照", "target": "legal"}),
        ("XK00101004-4-441803-SCJG", "营业执照遗失补领", market, {"target": "legal"}),
        ("XK00101005-4-441803-SCJG", "营业执照", market, {"target": "legal"}),
        ("XK00201000-4-441803-SCJG", "食品经营许可", market, {"result_name": "食品经营许可证", "target": "legal"}),
        ("JL00101000-4-441803-SCJG", "食品安全违法行为举报奖励", market, {}),
        ("XK00102000-4-441803-SCJG", "个体工商户设立登记", market, {"result_name": "营业执照"}),
        ("QR00102000-4-441803-GA", "死亡注销户口", police, {}),
        ("QR00101000-4-441803-GA", "出生登记", police, {"result_name": "居民户口簿(出生登记页)"}),
        ("GG00201000-4-441803-RSJ", "社会保险登记(单位)", social, {"target": "legal"}),
        ("GG00202000-5-441803-RSJ", "城乡居民基本养老保险参保登记", social, {"level": "town"}),
        ("GG00203000-4-441803-RSJ", "社会保障卡申领", social,
         {"legal_basis": "《中华人民共和国社会保险法》第五十八条"}),
        ("XK00999000-4-441803-SCJG", "已停用的营业执照事项", market, {"is_active": False}),
    ]:
        made[name] = MatterFactory(code=code, name=name, department=department, materials=[], fields=[], **extra)
    return made


def test_pinyin_initials_find_the_licence_first(catalog):
    found = names(search_matters(q="yyzz"))
    assert found[0] == "营业执照"  # the name itself, by initials
    assert found[1] == "营业执照遗失补领"  # name starts with it
    assert set(found[2:]) == {"企业设立登记", "个体工商户设立登记"}  # they issue 营业执照
    assert "已停用的营业执照事项" not in found


def test_full_pinyin_and_spaced_pinyin(catalog):
    assert names(search_matters(q="yingye"), 2) == ["营业执照", "营业执照遗失补领"]
    assert names(search_matters(q="ying ye zhi zhao"), 1) == ["营业执照"]
    assert names(search_matters(q="YingYeZhiZhao"), 1) == ["营业执照"]
    assert names(search_matters(q="shipin"), 2) == ["食品经营许可", "食品安全违法行为举报奖励"]


def test_chinese_words_rank_exact_then_prefix_then_contains_then_result(catalog):
    found = names(search_matters(q="营业执照"))
    assert found[:2] == ["营业执照", "营业执照遗失补领"]
    assert set(found[2:]) == {"企业设立登记", "个体工商户设立登记"}
    assert names(search_matters(q="户口")) == ["死亡注销户口", "出生登记"]  # the name before the result name
    assert names(search_matters(q="hukou")) == ["死亡注销户口", "出生登记"]


def test_several_words_must_all_match(catalog):
    assert names(search_matters(q="食品 许可")) == ["食品经营许可"]
    assert names(search_matters(q="食品 奖励")) == ["食品安全违法行为举报奖励"]


def test_code_prefix_and_code_part(catalog):
    assert names(search_matters(q="XK00201")) == ["食品经营许可"]
    assert names(search_matters(q="xk00201000-4")) == ["食品经营许可"]  # any case
    assert set(names(search_matters(q="441803-GA"))) == {"死亡注销户口", "出生登记"}


def test_colloquial_words_and_department_and_basis_text(catalog):
    shebao = names(search_matters(q="社保"))
    assert shebao[:2] == ["社会保障卡申领", "社会保险登记(单位)"]  # names first, shorter first
    assert names(search_matters(q="shebao"), 2) == shebao[:2]
    # Department text ranks last and alike: shorter names first.
    assert names(search_matters(q="人社局")) == ["社会保障卡申领", "社会保险登记(单位)", "城乡居民基本养老保险参保登记"]
    assert names(search_matters(q="第五十八条")) == ["社会保障卡申领"]


def test_rank_order_over_every_tier(catalog):
    ranks = {m.name: m.rank for m in search_matters(q="营业执照")}
    assert ranks["营业执照"] < ranks["营业执照遗失补领"] < ranks["企业设立登记"]
    ranks = {m.name: m.rank for m in search_matters(q="yyzz")}
    assert ranks["营业执照"] == ranks["营业执照遗失补领"] == 4 and ranks["企业设立登记"] == 6
    assert {m.rank for m in search_matters(q="XK00101")} == {7}
    assert {m.rank for m in search_matters(q="00101")} == {8}


def test_short_pinyin_does_not_match_inside_syllables(catalog):
    # "an" is inside "anquan" (安全) but as a two-letter key only initials and prefixes count.
    found = names(search_matters(q="an"))
    assert "食品安全违法行为举报奖励" not in found


def test_filters(catalog):
    assert set(names(search_matters(q="yyzz", target="legal"))) == {"营业执照", "营业执照遗失补领", "企业设立登记"}
    assert names(search_matters(q="登记", department="QX-GA")) == ["出生登记"]
    assert names(search_matters(level="town")) == ["城乡居民基本养老保险参保登记"]
    theme = theme_with([catalog["企业设立登记"], catalog["社会保险登记(单位)"]], code="kaiban", name="开办企业")
    assert set(names(search_matters(theme=theme.code))) == {"企业设立登记", "社会保险登记(单位)"}
    assert names(search_matters(q="shebao", theme=theme.code)) == ["社会保险登记(单位)"]
    theme.is_active = False
    theme.save()
    assert names(search_matters(theme=theme.code)) == []
    assert names(search_matters(q="没有这个事项")) == []
    assert names(search_matters(q="%")) == []  # LIKE wildcards are text
    assert names(search_matters(q="_")) == []


def test_keys_follow_the_name_on_save(catalog):
    matter = catalog["出生登记"]
    matter.name = "新生儿出生登记"
    matter.save(update_fields=["name"])
    matter.refresh_from_db()
    assert matter.search_initials.startswith("xsecsdj|")
    assert names(search_matters(q="xsecs")) == ["新生儿出生登记"]


def test_guide_page_and_api_use_the_ranked_search(client, catalog):
    html = client.get("/guide/", {"q": "yyzz", "target": "legal"}).content.decode()
    assert html.index("营业执照遗失补领") < html.index("企业设立登记")
    assert "个体工商户设立登记" not in html
    body = client.get("/api/matters/", {"q": "yyzz"}).json()
    assert [m["name"] for m in body["results"]][:2] == ["营业执照", "营业执照遗失补领"]
    body = client.get("/api/matters/", {"level": "town"}).json()
    assert [m["name"] for m in body["results"]] == ["城乡居民基本养老保险参保登记"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's (DATABASE_URL)")
def test_postgresql_has_trigram_indexes(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'matters_matter' AND indexname LIKE '%%trgm'")
        found = {row[0] for row in cursor.fetchall()}
    assert found == {"matters_matter_search_text_trgm"}
    assert Matter._meta.db_table == "matters_matter"
