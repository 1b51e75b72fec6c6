"""The public holidays that 《全国年节及纪念日放假办法》 fixes by date, for any year.

The State Council's yearly notice (国务院办公厅关于某年部分节假日安排的通知) adds the make-up
working weekends (调休) and moves days around them; it is known only from about November of the
year before. The holidays themselves are fixed by the 办法 and known for every year:

- as revised on 2024-11-10 (国务院令第795号), in force from 2025-01-01:
  元旦 1 January; 春节 除夕 to 正月初三 (4 days); 清明节 the day of the solar term 清明;
  劳动节 1-2 May; 端午节 五月初五; 中秋节 八月十五; 国庆节 1-3 October (13 days in all);
- as revised in 2013 (国务院令第644号), 2014-2024: 春节 正月初一 to 初三; 劳动节 1 May only;
- as revised in 2007 (国务院令第513号), 2008-2013: 春节 除夕 to 正月初二; 劳动节 1 May only.

The lunar dates and the solar term come from `lunar-python` (a kept calendar library with the
astronomical tables), not from a hand-made table. Pure: no ORM, no Django.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

__all__ = ["statutory_holidays", "RULES_VERSION", "FIRST_RULE_YEAR"]

FIRST_RULE_YEAR = 2008
# Changes whenever the rules below change, so that anything derived from them (the supervision
# working-day index) is rebuilt.
RULES_VERSION = "办法2025/lunar-python-1.4.8"


def _lunar(year: int, month: int, day: int) -> date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def _qingming(year: int) -> date:
    from lunar_python import Solar

    term = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    return date(term.getYear(), term.getMonth(), term.getDay())


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """{date: holiday name} for every day off the 办法 fixes in `year` (weekend days included).

    Years before 2008 are not computed (the calendar seeded from the notices covers them);
    ValueError for them.
    """
    if year < FIRST_RULE_YEAR:
        raise ValueError(f"the 2008 and later rules do not cover {year}")
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _lunar(year, 1, 1)  # 正月初一
    if year >= 2025:
        spring = [new_year + timedelta(days=i) for i in range(-1, 3)]  # 除夕 .. 初三
        labour = [date(year, 5, 1), date(year, 5, 2)]
    elif year >= 2014:
        spring = [new_year + timedelta(days=i) for i in range(0, 3)]  # 初一 .. 初三
        labour = [date(year, 5, 1)]
    else:
        spring = [new_year + timedelta(days=i) for i in range(-1, 2)]  # 除夕 .. 初二
        labour = [date(year, 5, 1)]
    for d in spring:
        days[d] = "春节"
    days[_qingming(year)] = "清明节"
    for d in labour:
        days[d] = "劳动节"
    days[_lunar(year, 5, 5)] = "端午节"
    mid_autumn = _lunar(year, 8, 15)
    for d in (date(year, 10, 1), date(year, 10, 2), date(year, 10, 3)):
        days[d] = "国庆节"
    days.setdefault(mid_autumn, "中秋节")  # on 1-3 October it is within 国庆 (e.g. 2020 fell on 1 Oct)
    return dict(sorted(days.items()))
