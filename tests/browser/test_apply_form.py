"""Browser (issue 17): the apply form's banner counts every marked problem, and the files already
chosen survive a form sent back with errors (shown as 已选择, removable), so that the citizen
submits without choosing them again."""

import re

from tests.browser.test_smoke import PDF_BYTES, sign_in
from tests.factories import MatterFactory, UserFactory
from workflow.calendar_store import seed_calendar
from workflow.models import Application, PendingUpload

A = "applicant"


def _pdf(name):
    return [{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}]


def test_banner_counts_every_error_and_chosen_files_are_kept(transactional_db, live_server, page):
    from playwright.sync_api import expect

    seed_calendar(years=[2026])
    matter = MatterFactory(name="城乡居民养老保险参保登记", materials=[
        {"name": "参保登记表", "source": A}, {"name": "户口簿", "source": A}, {"name": "委托书", "source": A,
                                                                       "required": False}])
    form, booklet, power = (matter.materials.get(name=n) for n in ("参保登记表", "户口簿", "委托书"))
    citizen = UserFactory(real_name="李秀英")
    base = live_server.url
    sign_in(page, base, citizen)
    page.goto(f"{base}/apply/matter/{matter.code}/")

    # three problems: an empty name, a bad phone, a required material not chosen
    page.fill("#id_field_applicant_name", "")
    page.fill("#id_field_contact_phone", "12345")
    page.set_input_files(f"#id_material_{form.pk}", files=_pdf("参保登记表-李秀英.pdf"))
    page.set_input_files(f"#id_material_{power.pk}", files=_pdf("委托书.pdf"))
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    expect(page.locator(".messages")).to_contain_text("表单有 3 处需要修改")
    assert page.locator(".has-error, [aria-invalid=true]").count() >= 3
    kept_form = page.locator(f"#id_material_{form.pk}").locator("xpath=ancestor::li")
    expect(kept_form).to_contain_text("已选择:参保登记表-李秀英.pdf")
    expect(page.locator(f"#id_material_{power.pk}").locator("xpath=ancestor::li")).to_contain_text("已选择:委托书.pdf")
    assert PendingUpload.objects.filter(owner=citizen).count() == 2

    # correct the form, choose only the missing file, remove the optional one: submitted
    page.fill("#id_field_applicant_name", "李秀英")
    page.fill("#id_field_contact_phone", "13912345678")
    page.set_input_files(f"#id_material_{booklet.pk}", files=_pdf("户口簿.pdf"))
    page.locator(f"input[name=drop_material_{power.pk}]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/applications/[^/]+/$"))
    application = Application.objects.get()
    names = dict(application.materials.filter(source="upload").values_list("name", "original_name"))
    assert names == {"参保登记表": "参保登记表-李秀英.pdf", "户口簿": "户口簿.pdf"}
    assert application.materials.get(name="参保登记表").file.read() == PDF_BYTES
    assert not PendingUpload.objects.filter(owner=citizen, field=f"material_{form.pk}").exists()
