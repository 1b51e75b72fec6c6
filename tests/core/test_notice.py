"""Reading a year's holidays as an administrator enters them: the State Council notice pasted as
it is, or line by line; every mistake refused with a Chinese sentence, nothing half-read."""

from datetime import date

import pytest
from chinese_calendar import constants

from core.clock.notice import NoticeError, parse_lines, parse_notice

D = date.fromisoformat

NOTICE_2026 = """国务院办公厅关于2026年部分节假日安排的通知
国办发明电〔2025〕7号
经国务院批准，现将2026年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""


def test_the_2026_notice_gives_exactly_the_notices_days():
    entered = parse_notice(NOTICE_2026, 2026)
    assert set(entered.days_off) == {d for d in constants.holidays if d.year == 2026}
    assert set(entered.workdays) == {d for d in constants.workdays if d.year == 2026 and d.weekday() >= 5}
    assert entered.days_off[D("2026-02-15")] == "春节" and entered.workdays[D("2026-10-10")] == "国庆节调休"
    rows = entered.exceptions()  # what the calendar stores: weekday off, weekend working
    assert rows[D("2026-10-05")] == (False, "国庆节") and D("2026-10-03") not in rows
    assert rows[D("2026-09-20")] == (True, "国庆节调休")


def test_lines_give_the_same_as_the_notice():
    entered = parse_lines(
        "2026-01-01 至 2026-01-03 元旦\n2026-02-15 至 2026-02-23 春节\n2026-04-04 至 2026-04-06 清明节\n"
        "2026-05-01 至 2026-05-05 劳动节\n2026-06-19 至 2026-06-21 端午节\n2026-09-25 至 2026-09-27 中秋节\n"
        "2026-10-01 至 2026-10-07 国庆节\n",
        "2026-01-04 元旦调休\n2026-02-14 春节调休\n2026-02-28 春节调休\n2026-05-09 劳动节调休\n"
        "2026-09-20 国庆节调休\n2026-10-10 国庆节调休", 2026)
    assert entered.exceptions() == parse_notice(NOTICE_2026, 2026).exceptions()


def errors_of(call):
    with pytest.raises(NoticeError) as exc:
        call()
    return exc.value.messages


def test_impossible_date():
    messages = errors_of(lambda: parse_lines("2027-02-30 春节", "", 2027))
    assert messages == ["放假日期第1行:2027年2月30日不是有效日期。"]


def test_a_day_both_off_and_working():
    messages = errors_of(lambda: parse_lines("2027-02-05 至 2027-02-11 春节", "2027-02-06 春节调休", 2027))
    assert any("2027-02-06 既是放假日又是调休上班日" in m for m in messages)


def test_a_make_up_day_must_be_a_weekend_day():
    messages = errors_of(lambda: parse_lines(
        "2027-01-01 元旦\n2027-02-05 至 2027-02-11 春节\n2027-04-05 清明节\n2027-05-01 至 2027-05-05 劳动节\n"
        "2027-06-09 端午节\n2027-09-15 中秋节\n2027-10-01 至 2027-10-07 国庆节", "2027-02-03 春节调休", 2027))
    assert messages == ["调休上班日期 2027-02-03 是工作日(星期三),不是周末。"]


def test_a_statutory_holiday_left_out_is_caught():
    messages = errors_of(lambda: parse_lines("2027-01-01 元旦\n2027-02-05 至 2027-02-11 春节", "", 2027))
    assert any("2027-10-01 为国庆节假日" in m for m in messages)
    assert any("《全国年节及纪念日放假办法》" in m for m in messages)


def test_days_outside_the_year_and_reversed_ranges():
    messages = errors_of(lambda: parse_lines("2027-02-11 至 2027-02-05 春节", "", 2027))
    assert messages == ["放假日期第1行:结束日期 2027-02-05 早于开始日期 2027-02-11。"]
    messages = errors_of(lambda: parse_lines("2028-03-01 某节", "", 2027))
    assert "放假日期 2028-03-01 不在 2027 年内。" in messages


def test_a_line_that_is_not_a_date():
    assert errors_of(lambda: parse_lines("春节放七天", "", 2027))[0].startswith("放假日期第1行“春节放七天”格式不对")


def test_text_that_is_not_a_notice():
    assert errors_of(lambda: parse_notice("明年放假安排另行通知", 2027)) == [
        "未能识别通知中的节日条目(应为“一、元旦:……”的格式)。"]


def test_new_year_reaching_back_into_december():
    notice = ("一、元旦：12月30日（周六）至1月1日（周一）放假调休，共3天。\n二、春节：2月10日至17日放假调休，共8天。2月4日（周日）、2月18日（周日）上班。\n"
              "三、清明节：4月4日至6日放假调休，共3天。4月7日（周日）上班。\n四、劳动节：5月1日至5日放假调休，共5天。4月28日（周日）、5月11日（周六）上班。\n"
              "五、端午节：6月10日放假，与周末连休。\n六、中秋节：9月15日至17日放假调休，共3天。9月14日（周六）上班。\n"
              "七、国庆节：10月1日至7日放假调休，共7天。9月29日（周日）、10月12日（周六）上班。")
    entered = parse_notice(notice, 2024)  # the 2024 notice
    assert D("2023-12-30") in entered.days_off and D("2024-01-01") in entered.days_off
    assert set(entered.days_off) >= {d for d in constants.holidays if d.year == 2024 and d.weekday() < 5}
    assert set(entered.workdays) == {d for d in constants.workdays if d.year == 2024 and d.weekday() >= 5}
