"""Time the ranked matter search over 10,000 matters, warm, against two baselines in the same run.

Queries: a Chinese word (营业执照), pinyin initials (yyzz), full pinyin (yingye), a code prefix
(XK00101). Each is what the guide page does: count the matches and fetch the first page of 20.
Baselines: the foundation's unranked substring query (name, code or department contains q: no
pinyin, no ranking), and Python-side filtering over every row (load all, match, sort).

Database: a temporary SQLite file; with DATABASE_URL pointing at PostgreSQL, a temporary
database on that server (created and dropped here), with the trigram indexes of migration 0004.

Contract (bench/_contract.py): figure = median over the queries of the ranked search (count +
first page); baseline = the same for the unranked substring query, same run; budget: at most
4× the unranked baseline (ranking and pinyin may cost, not an order of magnitude); checks: every
query finds matches, and the ranked count equals the Python-side count of the same rules.

Run: .venv/bin/python bench/bench_search.py   (BENCH_SIZE=quick: 2,000 matters)
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/tongban .venv/bin/python bench/bench_search.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _contract import Result, create_database_sql, sized, sqlite_url  # bench/ is on sys.path when a bench runs

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
workdir = tempfile.mkdtemp(prefix="tongban-bench-")
os.environ["MEDIA_ROOT"] = f"{workdir}/media"
os.environ["CELERY_BROKER_URL"] = "memory://"

MATTERS = sized(full=10000, quick=2000, env="MATTERS")
ROUNDS = sized(full=15, quick=5, env="ROUNDS")
server_url = os.environ.get("DATABASE_URL", "")
pg_admin, pg_name = None, None
if server_url.startswith(("postgres://", "postgresql://")):
    import psycopg

    parts = urlsplit(server_url)
    pg_name = f"{parts.path.lstrip('/') or 'tongban'}_bench_search_{os.getpid()}"
    pg_admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(create_database_sql(pg_name))
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{pg_name}"))
else:
    os.environ["DATABASE_URL"] = sqlite_url(workdir)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402

from accounts.models import Department, Region  # noqa: E402
from matters.models import Matter  # noqa: E402
from matters.search import fill_search_keys, search_keys  # noqa: E402
from matters.selectors import active_matters, search_matters  # noqa: E402
from portal.demo import catalog  # noqa: E402

QUERIES = [("Chinese word", "营业执照"), ("pinyin initials", "yyzz"), ("full pinyin", "yingye"), ("code prefix", "XK00101")]
SUBJECTS = [
    "食品", "药品", "医疗器械", "化妆品", "特种设备", "建筑工程", "道路货物运输", "道路旅客运输", "出租汽车", "危险化学品",
    "烟花爆竹", "娱乐场所", "公共场所卫生", "饮用水供水单位", "生活饮用水", "放射诊疗", "医疗机构", "养老机构", "民办学校",
    "人力资源服务", "劳务派遣", "燃气经营", "城镇污水排入排水管网", "户外广告设施", "林木采伐", "种子生产经营", "农药经营",
    "兽药经营", "动物防疫条件", "水产苗种生产", "渔业捕捞", "取水", "河道采砂", "建设用地规划", "乡村建设规划",
    "商品房预售", "房屋建筑和市政基础设施工程竣工验收", "消防设计审查", "人防工程", "营业执照", "个体工商户营业执照",
    "居住证", "社会保障卡", "城乡居民基本医疗保险", "职工基本养老保险", "失业保险金", "最低生活保障", "临时救助",
]
ACTIONS = [
    "经营许可", "许可证核发", "许可证变更", "许可证延续", "许可证注销", "备案", "登记", "变更登记", "注销登记",
    "补领", "换领", "年度报告公示", "资格认定", "审核确认", "申领", "核定",
]
LEVELS = ["district", "district", "district", "town", "village"]


def build():
    call_command("migrate", verbosity=0)
    Region.objects.create(code=catalog.DISTRICT, name="清新区", level="district")
    region = Region.objects.get(code=catalog.DISTRICT)
    departments = [Department.objects.create(code=d["code"], name=d["name"], short_name=d["short_name"],
                                             region=region, phone=d["phone"]) for d in catalog.DEPARTMENTS]
    kinds = list(catalog.KIND_TYPE_CODES.items())
    rows = []
    for i in range(MATTERS):
        subject, action = SUBJECTS[i % len(SUBJECTS)], ACTIONS[(i // len(SUBJECTS)) % len(ACTIONS)]
        kind, letters = kinds[i % len(kinds)]
        department = departments[i % len(departments)]
        level = LEVELS[i % len(LEVELS)]
        basic = f"{letters}{i // 10:05d}{i % 10:03d}"
        matter = Matter(
            code=f"{basic}-{'4' if level == 'district' else '5'}-441803-{department.code.removeprefix('QX-')}-{i:05d}",
            basic_code=basic, name=f"{subject}{action}", kind=kind, type_code=letters, department=department,
            level=level, target="legal" if i % 3 else "natural", legal_days=20, promised_days=10 if i % 4 else 0,
            legal_basis=f"《中华人民共和国行政许可法》第{(i % 80) + 1}条;《广东省{subject}管理条例》",
            result_name=f"{subject}{'许可证' if '许可' in action else '登记证明'}", fee_basis="不收费",
        )
        fill_search_keys(matter)
        rows.append(matter)
    Matter.objects.bulk_create(rows, batch_size=1000)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE matters_matter")


def ranked(q):
    qs = search_matters(q=q)
    return qs.count(), [m.code for m in qs[:20]]


def unranked(q):
    """The foundation's search: substring on name, code or department, no pinyin, no ranking."""
    qs = active_matters().filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(department__name__icontains=q))
    qs = qs.order_by("department__code", "code")
    return qs.count(), [m.code for m in qs[:20]]


def python_side(q):
    """Every active row to Python, matched and ranked there."""
    key = q.lower()
    hits = []
    for code, name, result, initials, pinyin, department in active_matters().values_list(
            "code", "name", "result_name", "search_initials", "search_pinyin", "department__name"):
        if name == q:
            rank = 1
        elif name.startswith(q):
            rank = 2
        elif q in name:
            rank = 3
        elif initials.startswith(key) or pinyin.startswith(key):
            rank = 4
        elif key in initials or key in pinyin:
            rank = 5
        elif q in result:
            rank = 6
        elif code.upper().startswith(q.upper()):
            rank = 7
        elif q.upper() in code.upper():
            rank = 8
        elif q in department:
            rank = 9
        else:
            continue
        hits.append((rank, len(name), code))
    hits.sort()
    return len(hits), [code for _r, _n, code in hits[:20]]


def median_ms(fn, q, rounds=ROUNDS):
    fn(q)  # warm: statements prepared, pages in cache
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main():
    start = time.perf_counter()
    build()
    print(f"database: {connection.vendor}, {Matter.objects.count()} matters, built in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    for i in range(1000):
        search_keys(f"{SUBJECTS[i % len(SUBJECTS)]}{ACTIONS[i % len(ACTIONS)]}", "营业执照")
    print(f"search keys of one matter on save (pypinyin): {(time.perf_counter() - start) * 1000 / 1000:.3f} ms")
    ranked_times, unranked_times, found, same_count = [], [], True, True
    for label, q in QUERIES:
        count, first = ranked(q)
        found &= bool(count and first)
        same_count &= count == python_side(q)[0]
        r, u, p = median_ms(ranked, q), median_ms(unranked, q), median_ms(python_side, q)
        ranked_times.append(r)
        unranked_times.append(u)
        print(f"{label:16} {q!r:10} {count:5} hits  ranked {r:7.1f} ms  unranked baseline {u:7.1f} ms"
              f"  ({unranked(q)[0]:5} hits)  python-side {p:7.1f} ms  (median of {ROUNDS})")
    result = Result("bench_search", f"ranked matter search over {MATTERS:,} matters ({connection.vendor}), "
                                    f"median of the {len(QUERIES)} queries")
    result.measured(figure=statistics.median(ranked_times), baseline=statistics.median(unranked_times), unit="ms",
                    baseline_label="unranked substring query (the foundation's search)")
    result.ratio_at_most(4)
    result.check("every query finds matches", found)
    result.check("ranked counts equal the Python-side counts of the same rules", same_count)
    return result


try:
    outcome = main()
finally:
    if pg_name:
        connection.close()
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}"')
outcome.finish()
