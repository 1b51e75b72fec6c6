"""《全国年节及纪念日放假办法》: the holidays fixed by date, for any year, from the lunar calendar
and the solar terms (lunar-python), checked against the State Council's notices as the
chinese_calendar package records them."""

from datetime import date

import pytest
from chinese_calendar import constants

from core.clock.holidays import statutory_holidays

D = date.fromisoformat
NOTICE_HOLIDAYS = set(constants.holidays)
PACKAGE_YEARS = sorted({d.year for d in constants.holidays})


def test_2026_under_the_2025_revision():
    # 13 days: 元旦 1, 春节 4 (除夕 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3.
    assert statutory_holidays(2026) == {
        D("2026-01-01"): "元旦",
        D("2026-02-16"): "春节", D("2026-02-17"): "春节", D("2026-02-18"): "春节", D("2026-02-19"): "春节",
        D("2026-04-05"): "清明节",
        D("2026-05-01"): "劳动节", D("2026-05-02"): "劳动节",
        D("2026-06-19"): "端午节",
        D("2026-09-25"): "中秋节",
        D("2026-10-01"): "国庆节", D("2026-10-02"): "国庆节", D("2026-10-03"): "国庆节",
    }


def test_2027_is_known_before_its_notice():
    days = statutory_holidays(2027)
    assert [d for d, name in days.items() if name == "春节"] == [D("2027-02-05"), D("2027-02-06"), D("2027-02-07"),
                                                                D("2027-02-08")]  # 除夕 is 腊月廿九 that year
    assert [d for d, name in days.items() if name in ("清明节", "端午节", "中秋节")] == [
        D("2027-04-05"), D("2027-06-09"), D("2027-09-15")]
    assert len(days) == 13


def test_before_2025_spring_festival_three_days_and_one_day_in_may():
    days = statutory_holidays(2024)
    assert [d for d, name in days.items() if name == "春节"] == [D("2024-02-10"), D("2024-02-11"), D("2024-02-12")]
    assert [d for d, name in days.items() if name == "劳动节"] == [D("2024-05-01")]
    # 2008-2013: 除夕 to 初二
    assert [d for d, name in statutory_holidays(2013).items() if name == "春节"] == [
        D("2013-02-09"), D("2013-02-10"), D("2013-02-11")]


def test_mid_autumn_on_national_day_is_one_of_its_days():
    days = statutory_holidays(2020)  # 中秋 fell on 1 October
    assert days[D("2020-10-01")] == "国庆节" and len([d for d in days if d.month == 10]) == 3


@pytest.mark.parametrize("year", [y for y in PACKAGE_YEARS if y >= 2008])
def test_every_statutory_holiday_was_a_holiday_in_that_years_notice(year):
    # Weekdays only: the package does not list every weekend day inside a holiday (端午 2012 fell
    # on Saturday 23 June; it lists the 22nd and 24th), and a weekend day changes no count.
    missing = [d for d in statutory_holidays(year) if d.weekday() < 5 and d not in NOTICE_HOLIDAYS]
    assert missing == []


def test_years_before_the_2008_rules_are_not_guessed():
    with pytest.raises(ValueError):
        statutory_holidays(2007)
