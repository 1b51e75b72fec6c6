"""The demo data sources' records (`make run`): one record per demo citizen and enterprise, so
the reference data-source program answers for the people the demo signs in as. Derived from the
person's own data (name, ID number, address) and, for what the portal does not hold (social
insurance months, housing fund, property, marriage), from a digest of the ID number: stable
across runs, different per person."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from accounts.models import Enterprise, User


def _n(seed: str, salt: str, low: int, high: int) -> int:
    return low + int(hashlib.sha256(f"{salt}:{seed}".encode()).hexdigest(), 16) % (high - low + 1)


def _months_back(count: int) -> list[str]:
    """The last `count` whole months before this one, newest first ("2026-11")."""
    day, months = timezone.localdate().replace(day=1), []
    for _i in range(count):
        day = (day - dt.timedelta(days=1)).replace(day=1)
        months.append(f"{day.year}-{day.month:02d}")
    return months


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _bill(idn: str, salt: str, prefix: str, low: int, high: int, *, unpaid: bool = False) -> dict:
    """Last month's bill of an account; `unpaid`: its amount is still owed (arrears, in yuan)."""
    month = _months_back(1)[0]
    amount = _yuan(_n(idn, salt + "b", low, high))
    return {"account": f"{prefix}{_n(idn, salt, 10000000, 99999999)}", "arrears": amount if unpaid else 0,
            "bill_month": month, "bill_amount": amount}


# 交通违章: the vehicles registered to a person (plate, type) and each one's violations (time, place,
# act, fine in fen, points, 未处理/已处理). Every demo person has one car; some a motorcycle too.
VIOLATIONS = [
    ("城关街道民生路与太和大道交叉口", "机动车不按交通信号灯规定通行", 20000, 6),
    ("清新大道清城段", "机动车行驶超过规定时速未达20%", 20000, 3),
    ("太和镇新城大道8号路段", "机动车违反规定停放", 15000, 0),
    ("城关街道人民路", "驾驶机动车不按规定使用安全带", 5000, 1),
]


def _violation(idn: str, salt: str, when: dt.date, unhandled: bool) -> dict:
    place, act, fine, points = VIOLATIONS[_n(idn, salt, 0, len(VIOLATIONS) - 1)]
    return {"time": f"{when.isoformat()} {_n(idn, salt + 'h', 7, 21):02d}:{_n(idn, salt + 'm', 0, 59):02d}",
            "place": place, "act": act, "fine": fine, "points": points,
            "state": "未处理" if unhandled else "已处理"}


def vehicles(idn: str) -> list[dict]:
    """The person's vehicles and their violations, newest first: the car has one 已处理 a few months
    back and, for some people, one 未处理 last month; a motorcycle for about one person in three."""
    today = timezone.localdate()
    car = {"plate": f"粤R{_n(idn, 'plate', 10000, 99999)}", "type": "小型汽车", "violations": []}
    if _n(idn, "tv", 0, 1):
        car["violations"].append(_violation(idn, "v1", today - dt.timedelta(days=_n(idn, "v1d", 10, 28)), True))
    car["violations"].append(_violation(idn, "v2", today - dt.timedelta(days=_n(idn, "v2d", 60, 150)), False))
    found = [car]
    if _n(idn, "moto", 0, 2) == 0:
        found.append({"plate": f"粤R{_n(idn, 'mplate', 1000, 9999)}摩", "type": "普通二轮摩托车", "violations": []})
    return found


def traffic(idn: str) -> dict:
    cars = vehicles(idn)
    return {"unpaid_violations": sum(v["state"] == "未处理" for car in cars for v in car["violations"]),
            "vehicles": cars}


# The demo citizen (`citizen`) owes last month's electricity bill, payable on 我的 and at the kiosk.
OWES_ELECTRICITY = {"citizen"}


def person_records(user: User) -> dict[str, dict]:
    idn = user.id_number
    base = _n(idn, "sibase", 400000, 900000)  # the monthly contribution base, in fen
    address = getattr(user, "address", "") or f"本区城关街道民生路{_n(idn, 'addr', 1, 199)}号"
    married = _n(idn, "marriage", 0, 2) > 0
    return {
        "huji": {"name": user.real_name, "address": address, "household_no": f"H{_n(idn, 'hh', 100000, 999999)}",
                 "relation": "户主"},
        # contributions by month: pension, medical and unemployment, the person's and the employer's share
        "shebao": {"name": user.real_name, "insured": True, "months": _n(idn, "si", 12, 240),
                   "paid_to": _months_back(1)[0],
                   "recent": [{"month": m, "base": _yuan(base), "personal": _yuan(base * 105 // 1000),
                               "unit": _yuan(base * 238 // 1000)} for m in _months_back(6)]},
        "gongjijin": {"name": user.real_name, "account_open": True, "balance": _n(idn, "hf", 3000, 90000)},
        "budongchan": {"name": user.real_name, "properties": _n(idn, "re", 0, 2),
                       "certificate_no": f"粤(2026)不动产权第{_n(idn, 'reno', 1000000, 9999999)}号"},
        "hunyin": {"name": user.real_name, "status": "已婚" if married else "未婚"},
        "shui": _bill(idn, "w", "S", 2000, 9000),
        "dian": _bill(idn, "e", "D", 5000, 30000, unpaid=user.username in OWES_ELECTRICITY),
        "ranqi": _bill(idn, "g", "R", 3000, 12000),
        "jiaotong": traffic(idn),
    }


def demo_records() -> dict[str, dict[str, dict]]:
    """{source: {subject: {field: value}}} for every citizen with an ID number and every enterprise."""
    records: dict[str, dict[str, dict]] = {}
    for user in User.objects.filter(role=User.Role.PUBLIC).exclude(id_number=None).exclude(id_number="") \
            .order_by("pk"):
        for source, fields in person_records(user).items():
            records.setdefault(source, {})[user.id_number] = fields
    for enterprise in Enterprise.objects.order_by("pk"):
        records.setdefault("qiye", {})[enterprise.credit_code] = {
            "name": enterprise.name, "legal_representative": enterprise.legal_representative,
            "address": enterprise.address, "status": "存续"}
    return records
