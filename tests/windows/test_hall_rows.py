"""The window workbench's queue rows (`windows/rows.py`, built in Python since issue 15): what a
clerk reads on each row of /hall/ — the case and its number, the applicant masked, the channel,
when it came and how long it has waited, the pre-review deadline coloured by how near it is,
and on 未获授权受理 the matters she may not accept."""

import datetime as dt
import re

import pytest

from accounts.identity import mask
from tests.factories import (
    PASSWORD,
    ClerkFactory,
    MatterFactory,
    WindowFactory,
    password_sign_in,
    submitted_application,
)
from workflow.models import Application

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tuesday_10_november_2026")]


def _rows(html):
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    return {number: row for row in re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)
            for number in re.findall(r'<small class="mono muted">([0-9]{6}-[^<]+)</small>', row)}


def test_each_waiting_row_shows_the_case_the_masked_applicant_and_the_deadline(client):
    clerk = ClerkFactory()
    due_today, later = submitted_application(), submitted_application()
    Application.objects.filter(pk=due_today.pk).update(pre_review_due=dt.date(2026, 11, 10))
    Application.objects.filter(pk=later.pk).update(pre_review_due=dt.date(2026, 11, 12),
                                                   pre_review_due_provisional=True)
    assert password_sign_in(client, clerk.username, PASSWORD)
    html = client.get("/hall/").content.decode()
    heads = re.findall(r"<th>([^<]*)</th>", html)
    assert heads[:6] == ["办件", "申请人", "渠道", "提交时间", "已等待", "预审期限"]
    rows = _rows(html)
    assert set(rows) == {due_today.number, later.number}  # an overdue one was deemed accepted (art. 32)
    assert rows[due_today.number].startswith('<tr class="row-yellow">') and "今日到期" in rows[due_today.number]
    assert rows[later.number].startswith("<tr>") and "2026-11-12<span class=\"badge badge-yellow provisional\"" in rows[later.number]
    row = rows[later.number]
    applicant = later.applicant
    assert f'href="/applications/{later.number}/"' in row and f"<strong>{later.title}</strong>" in row
    assert applicant.real_name in row and mask(applicant.id_number) in row and applicant.id_number not in row
    assert '<td data-label="渠道">网上申办</td>' in row
    assert '<td data-label="提交时间" class="nowrap">11-10 10:00</td>' in row
    assert '<td data-label="已等待" class="nowrap">0\xa0分钟</td>' in row
    assert re.search(r'<td><a class="btn btn-sm btn-primary" href="[^"]+">预审</a></td></tr>$', row)


def test_the_rows_outside_her_authorisation_name_the_matters_she_may_not_accept(client):
    allowed, other = MatterFactory(name="个体工商户登记"), MatterFactory(name="食品经营许可")
    clerk = ClerkFactory(authorised=[allowed], window=WindowFactory())
    application = submitted_application(matters=[allowed, other])
    assert password_sign_in(client, clerk.username, PASSWORD)
    assert application.number not in client.get("/hall/").content.decode()
    html = client.get("/hall/?tab=elsewhere").content.decode()
    row = _rows(html)[application.number]
    assert '<small class="text-red">未获授权:食品经营许可</small>' in row
    assert '<span class="badge">待受理</span>' in row  # this tab says where the case stands
    assert "查看原因</a>" in row and "预审期限" not in html
