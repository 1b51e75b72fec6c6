"""Issue 13, 办 at the kiosk: a matter marked 可在自助终端办理 is applied for without typing (the
form filled from the account, choices on buttons, materials 免提交), through the online
application's own service (same checks, same log, once per session and matter); a matter that
needs typing or an upload is not submitted here and the page says why; a 补正 owed is shown with
its items, a QR code to answer it on the phone, and a printed notice."""

import pytest

from matters.models import FormField, MaterialRequirement
from terminals.models import KioskReceipt
from tests.factories import ClerkFactory, MatterFactory, UserFactory, submitted_application
from workflow import services as workflow
from workflow.models import Application

from .test_kiosk import enrolled_client, make_terminal, resident, signed_in

pytestmark = pytest.mark.django_db


def social_card_matter(**kwargs):
    return MatterFactory(
        name="社会保障卡申领",
        self_service=True,
        materials=[{"name": "申请人居民身份证", "source": MaterialRequirement.Source.LICENCE}],
        fields=[
            {"key": "applicant_name", "label": "申请人姓名"},
            {"key": "id_number", "label": "身份证号码", "type": FormField.Type.ID_NUMBER},
            {"key": "card_bank", "label": "合作银行", "type": FormField.Type.CHOICE,
             "choices": ["中国工商银行", "中国农业银行"]},
        ],
        **kwargs,
    )


def test_a_self_service_matter_is_applied_for_with_buttons_and_submitted_once():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = resident(real_name="陈志明")
    matter = social_card_matter()
    MatterFactory(name="不在终端办理的事项")  # not flagged: not offered
    session = signed_in(client, terminal, person)
    assert "自助申办" in client.get(f"/kiosk/{session.pk}/").content.decode()
    listing = client.get(f"/kiosk/{session.pk}/apply/").content.decode()
    assert "社会保障卡申领" in listing and "不在终端办理的事项" not in listing

    url = f"/kiosk/{session.pk}/apply/{matter.code}/"
    page = client.get(url).content.decode()
    assert "陈志明" in page and person.id_number not in page  # filled, the number masked
    assert "中国工商银行" in page and "申请人居民身份证" in page and 'id="apply-submit"' in page

    refused = client.post(url, {"card_bank": "某某银行"})
    assert refused.status_code == 400 and "请从给定选项中选择" in refused.content.decode()
    assert not Application.objects.exists()

    done = client.post(url, {"card_bank": "中国农业银行", "applicant_name": "别人", "id_number": "x"})
    assert done.status_code == 200 and "申请已提交:社会保障卡申领" in done.content.decode()
    application = Application.objects.get()
    assert application.applicant == person and application.channel == "online"
    assert application.form_data["card_bank"] == "中国农业银行"
    assert application.form_data["applicant_name"] == "陈志明"  # the account's, not what was posted
    assert application.state == Application.State.SUBMITTED
    assert application.log.filter(action="workflow.application.submitted").exists()
    receipt = KioskReceipt.objects.get(kind=KioskReceipt.Kind.APPLY)
    assert [application.number] == [v for k, v in receipt.lines if k == "办件编号"]

    client.post(url, {"card_bank": "中国农业银行"})  # pressed twice: the same application
    assert Application.objects.count() == 1


def test_a_matter_that_needs_typing_or_an_upload_is_not_submitted_at_the_kiosk():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    session = signed_in(client, terminal, resident())
    needs_upload = MatterFactory(self_service=True)  # the factory's 申请表 is the applicant's upload
    needs_typing = MatterFactory(self_service=True, materials=[],
                                 fields=[{"key": "business_scope", "label": "经营范围"}])
    page = client.get(f"/kiosk/{session.pk}/apply/{needs_upload.code}/").content.decode()
    assert "本事项暂不能在自助终端为您申请" in page and "申请表" in page and 'id="apply-submit"' not in page
    page = client.get(f"/kiosk/{session.pk}/apply/{needs_typing.code}/").content.decode()
    assert "需要填写“经营范围”" in page
    for matter in (needs_upload, needs_typing):
        client.post(f"/kiosk/{session.pk}/apply/{matter.code}/", {})
    assert not Application.objects.exists()
    unflagged = MatterFactory(materials=[], fields=[])
    assert client.get(f"/kiosk/{session.pk}/apply/{unflagged.code}/").status_code == 404


def test_a_supplement_owed_is_shown_with_its_items_and_its_notice_printed_for_its_owner_only():
    terminal = make_terminal()
    client = enrolled_client(terminal)
    person = resident()
    application = submitted_application(applicant=person)
    workflow.application_request_supplement(application=application, clerk=ClerkFactory(),
                                            items=[{"material": "申请表", "reason": "未签字"}])
    someone = submitted_application(applicant=UserFactory())
    workflow.application_request_supplement(application=someone, clerk=ClerkFactory(),
                                            items=[{"material": "申请表", "reason": "模糊"}])
    session = signed_in(client, terminal, person)
    page = client.get(f"/kiosk/{session.pk}/apply/").content.decode()
    assert application.number in page and "未签字" in page and "手机补正二维码" in page
    assert someone.number not in page
    printed = client.post(f"/kiosk/{session.pk}/supplement/{application.number}/print/")
    assert "补正告知已打印" in printed.content.decode()
    receipt = KioskReceipt.objects.get(kind=KioskReceipt.Kind.SUPPLEMENT)
    assert ["申请表", "未签字"] in receipt.lines
    assert client.post(f"/kiosk/{session.pk}/supplement/{someone.number}/print/").status_code == 404
