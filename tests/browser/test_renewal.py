"""Browser (issue 16 done-when): a licence 30 days from expiry produces a reminder in the holder's
message centre, and its 一键续办 opens the renewal application pre-filled from the licence; the
holder adds the one missing file and submits."""

import datetime as dt
import re

from django.utils import timezone

from exchange import tasks as exchange_tasks
from exchange.models import LicenceType
from tests.browser.test_accessibility import AXE, BLOCKING
from tests.browser.test_smoke import PDF_BYTES, sign_in
from tests.exchange.test_licences import licence_matter
from tests.factories import MatterFactory, UserFactory
from tests.notifications.test_licence_reminders import ADDRESS, FIELDS, issued
from workflow.calendar_store import seed_calendar
from workflow.models import Application


def axe_in_main(page) -> list[str]:
    """Serious WCAG 2.1 AA violations inside the page's <main> (the site shell is
    tests/browser/test_accessibility.py's)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("""() => axe.run(document.querySelector('main'), {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
    return [f"{v['impact']} {v['id']}" for v in result["violations"] if v["impact"] in BLOCKING]


def test_a_licence_30_days_from_expiry_is_reminded_and_renewed_in_one_click(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    citizen = UserFactory(real_name="黄丽芳")
    endorsement = MatterFactory(
        name="居住证签注",
        materials=[{"name": "居住证签注申请表", "source": "applicant"}],
        fields=[*FIELDS[:3], {"key": "residence_permit_number", "label": "居住证编号"}],
    )
    residence = licence_matter(result_name="广东省居住证", fields=FIELDS)
    LicenceType.objects.filter(name="广东省居住证").update(renewal_matter=endorsement,
                                                       number_field="residence_permit_number")
    today = timezone.localdate()
    permit = issued(citizen, residence, valid_until=today + dt.timedelta(days=30))
    assert exchange_tasks.send_reminders() == 1  # the beat's morning sweep

    base = live_server.url
    sign_in(page, base, citizen)
    page.goto(f"{base}/me/messages/")
    message = page.locator(".message", has_text="《广东省居住证》将于")
    expect(message).to_contain_text(f"证照编号 {permit.number},还有 30 天到期")
    assert axe_in_main(page) == []
    with page.expect_navigation():
        message.get_by_role("button", name="一键续办").click()
    page.wait_for_url(re.compile(rf"/apply/matter/{endorsement.code}/\?renew="))
    expect(page.locator("#renewal")).to_contain_text("一键续办:《广东省居住证》")
    expect(page.locator("#id_field_residence_permit_number")).to_have_value(permit.number)
    expect(page.locator("#id_field_residence_address")).to_have_value(ADDRESS)
    expect(page.locator("#id_field_applicant_name")).to_have_value("黄丽芳")
    assert axe_in_main(page) == []

    form = endorsement.materials.get()
    page.set_input_files(
        f"#id_material_{form.pk}",
        files=[{"name": "签注申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))
    renewal = Application.objects.get(matters=endorsement)
    assert renewal.applicant == citizen
    assert renewal.form_data["residence_permit_number"] == permit.number
    assert renewal.form_data["residence_address"] == ADDRESS

    # the switches per kind and channel, on a phone: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/me/messages/settings/")
    expect(page.locator('input[name="sms-licence_expiry"]')).to_be_checked()
    expect(page.locator('input[name="sms-supplement"]')).to_be_disabled()
    page.locator('input[name="sms-licence_expiry"]').uncheck()
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator('input[name="sms-licence_expiry"]')).not_to_be_checked()
    assert axe_in_main(page) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
