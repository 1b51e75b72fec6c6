"""Every notice (文书) as a PDF whose text is correct, once per key, with a verification code that
the public verification page finds; the page refuses anything else in Chinese, never with a 500,
and slows down guessing."""

import datetime as dt
import io
import re

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from core.digests import content_digest, format_code, normalise_code
from tests.factories import (
    ClerkFactory,
    EnterpriseFactory,
    MatterFactory,
    ReviewerFactory,
    UserFactory,
    accepted_application,
    submitted_application,
)
from workflow import documents, services, tasks
from workflow.calendar_store import seed_calendar
from workflow.models import Notice
from workflow.verification import VERIFY_LIMIT

pytestmark = pytest.mark.django_db

CODE = re.compile(r"文书核验码:([0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4})")
REMEDIES = ("六十日内", "申请行政复议", "六个月内", "提起行政诉讼")


@pytest.fixture(autouse=True)
def calendar():
    seed_calendar(years=[2026])
    cache.clear()  # the verification and progress pages count failures in the cache


def pdf_text(notice: Notice) -> str:
    """The PDF's text with line breaks removed (long sentences wrap anywhere in Chinese)."""
    with notice.file.open("rb") as fh:
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(fh.read())).pages)
    return text.replace("\n", "")


def assert_common(notice: Notice, text: str, title: str):
    application = notice.application
    assert text.startswith(title), text[:40]
    assert f"办件编号:{application.number}" in text
    if notice.subcase_id:
        assert f"子件编号:{notice.subcase.number}" in text
    id_number = application.applicant.id_number
    assert id_number not in text  # never the full ID number …
    assert f"{id_number[:4]}{'*' * 10}{id_number[-4:]}" in text  # … only its masked form
    assert f"/progress/?number={application.number}" in text
    code = CODE.search(text).group(1)
    assert code == format_code(notice.digest)
    assert f"/verify/?code={code}" in text
    assert len(notice.digest) == 64 and len(notice.sha256) == 64
    return code


@pytest.fixture
def decided():
    """Two sub-cases: the food licence through a special procedure, an extension and approval;
    the seal filing denied; the notices made by the tasks the services queue."""
    food = MatterFactory(name="食品经营许可", legal_basis="《中华人民共和国食品安全法》第三十五条",
                         issues_licence=True, result_name="食品经营许可证")
    seal = MatterFactory(name="公章刻制备案", legal_basis="《印章业治安管理办法》第九条")
    application = accepted_application(matters=[food, seal])
    food_case, seal_case = application.subcases.get(matter=food), application.subcases.get(matter=seal)
    reviewer = ReviewerFactory(department=food.department)
    pause = services.subcase_suspend(subcase=food_case, reviewer=reviewer, kind="expert_review",
                                     reason="需组织专家对经营场所布局进行评审")
    tasks.generate_notice(application.pk, "special_procedure", food_case.pk, str(pause.pk))
    services.subcase_resume(subcase=food_case, reviewer=reviewer, result="评审通过")
    extension = services.subcase_request_extension(subcase=food_case, reviewer=reviewer, days=5,
                                                   reason="现场核查需协调多个部门")
    extension = services.subcase_decide_extension(
        extension=extension, approve=True, leader=ReviewerFactory(department=food.department, is_department_leader=True)
    )
    tasks.generate_notice(application.pk, "extension", food_case.pk, str(extension.pk))
    services.subcase_decide(subcase=food_case, reviewer=reviewer, approve=True, reason="")
    services.subcase_decide(subcase=seal_case, reviewer=ReviewerFactory(department=seal.department), approve=False,
                            reason="印章印模不符合公安机关规定的规格式样")
    tasks.generate_notice(application.pk, "approval", food_case.pk)
    tasks.generate_notice(application.pk, "denial", seal_case.pk)
    tasks.prepare_result(application.pk)
    food_case.refresh_from_db()
    extension.refresh_from_db()
    return {"application": application, "food": food_case, "seal": seal_case, "extension": extension}


def test_acceptance_notice():
    application = accepted_application(matters=[MatterFactory(name="食品经营许可", promised_days=10)])
    tasks.generate_notice(application.pk, "acceptance")
    notice = Notice.objects.get(application=application, kind="acceptance")
    text = pdf_text(notice)
    assert_common(notice, text, "受理通知书")
    assert "决定予以受理" in text and "食品经营许可" in text
    subcase = application.subcases.get()
    assert subcase.number in text
    assert f"{subcase.deadline.year}年{subcase.deadline.month}月{subcase.deadline.day}日" in text
    assert application.accepted_hall.name in text  # issued by the accepting hall
    assert notice.key == f"{application.pk}:acceptance"


def test_deemed_acceptance_notice_says_so_and_is_issued_by_the_centre():
    application = submitted_application()
    services.deem_overdue_applications_accepted(today=application.pre_review_due + dt.timedelta(days=1))
    application.refresh_from_db()
    notice = documents.generate_notice(application=application, kind="acceptance")
    text = pdf_text(notice)
    assert_common(notice, text, "受理通知书")
    assert "自收到申请之日起即为受理" in text and "决定予以受理" not in text
    assert "清新区综合政务服务中心" in text  # the application district's centre


def test_refusal_notice_gives_the_reason_and_the_remedies():
    application = submitted_application()
    clerk = ClerkFactory()
    services.application_refuse(application=application, clerk=clerk, reason="申请事项不属于本机关职权范围")
    tasks.generate_notice(application.pk, "refusal")
    notice = Notice.objects.get(application=application, kind="refusal")
    text = pdf_text(notice)
    assert_common(notice, text, "不予受理决定书")
    assert "申请事项不属于本机关职权范围" in text and "决定不予受理" in text
    assert all(remedy in text for remedy in REMEDIES), text
    assert "清新区人民政府或者上一级主管部门" in text
    assert clerk.seats.get().window.hall.name in text  # issued by the hall of the clerk who refused


def test_supplement_notice_lists_every_item_and_each_request_has_its_own():
    application = submitted_application()
    clerk = ClerkFactory()
    first = services.application_request_supplement(
        application=application, clerk=clerk, note="请一次补齐",
        items=[{"material": "申请表", "reason": "未签名"}, {"material": "场地证明", "reason": "缺少产权证明"}],
    )
    tasks.generate_notice(application.pk, "supplement", None, str(first.pk))
    notice = Notice.objects.get(application=application, kind="supplement")
    text = pdf_text(notice)
    assert_common(notice, text, "补正材料通知书")
    for fragment in ("申请表", "未签名", "场地证明", "缺少产权证明", "请一次补齐", "一次性告知", "同城通办",
                     f"/applications/{application.number}/"):
        assert fragment in text, fragment
    assert re.search(r"请于\d{4}年\d{1,2}月\d{1,2}日前补正", text)
    assert notice.key == f"{application.pk}:supplement:{first.pk}"

    services.application_resubmit(application=application, applicant=application.applicant)
    second = services.application_request_supplement(
        application=application, clerk=clerk, items=[{"material": "营业执照", "reason": "已过期"}],
    )
    latest = documents.generate_notice(application=application, kind="supplement")  # the latest request
    assert latest.key == f"{application.pk}:supplement:{second.pk}"
    assert Notice.objects.filter(application=application, kind="supplement").count() == 2
    assert "营业执照" in pdf_text(latest) and "申请表" not in pdf_text(latest)
    assert latest.digest != notice.digest


def test_special_procedure_notice(decided):
    notice = Notice.objects.get(kind="special_procedure")
    assert notice.subcase == decided["food"]
    text = pdf_text(notice)
    assert_common(notice, text, "特别程序告知书")
    for fragment in ("专家评审", "需组织专家对经营场所布局进行评审", "第四十五条", "不计算在办理期限内",
                     "剩余办理期限为10个工作日", decided["food"].department.name):
        assert fragment in text, fragment
    pause = decided["food"].pauses.get()
    assert notice.key == f"{decided['application'].pk}:special_procedure:{decided['food'].pk}:{pause.pk}"


def test_extension_notice_states_the_new_deadline(decided):
    notice = Notice.objects.get(kind="extension")
    text = pdf_text(notice)
    assert_common(notice, text, "延期决定书")
    new = decided["extension"].new_deadline
    for fragment in ("延长5个工作日", f"延长后的办结期限为{new.year}年{new.month}月{new.day}日", "现场核查需协调多个部门",
                     "第四十二条", "负责人批准"):
        assert fragment in text, fragment


def test_approval_notice(decided):
    notice = Notice.objects.get(kind="approval")
    text = pdf_text(notice)
    assert_common(notice, text, "准予行政许可决定书")
    due = decided["food"].licence_due
    for fragment in ("决定准予行政许可", "《中华人民共和国食品安全法》第三十五条", "经审查,符合法定条件和标准,准予许可。",
                     "食品经营许可证", f"{due.year}年{due.month}月{due.day}日", decided["food"].department.name):
        assert fragment in text, fragment


def test_denial_notice_gives_the_reason_the_basis_and_the_remedies(decided):
    notice = Notice.objects.get(kind="denial")
    assert notice.subcase == decided["seal"]
    text = pdf_text(notice)
    assert_common(notice, text, "不予行政许可决定书")
    assert "印章印模不符合公安机关规定的规格式样" in text and "《印章业治安管理办法》第九条" in text
    assert "决定不予行政许可" in text
    assert all(remedy in text for remedy in REMEDIES), text
    assert decided["seal"].department.name in text


def test_conclusion_notice_lists_each_result(decided):
    notice = Notice.objects.get(kind="conclusion")
    text = pdf_text(notice)
    assert_common(notice, text, "办结通知书")
    assert "准予许可" in text and "不予许可" in text and "印章印模不符合公安机关规定的规格式样" in text
    assert all(remedy in text for remedy in REMEDIES)


def test_enterprise_notice_masks_the_credit_code():
    staff = UserFactory()
    company = EnterpriseFactory(staff=[staff])
    matter = MatterFactory(target="legal")
    application = accepted_application(applicant=staff, enterprise=company, matters=[matter],
                                       clerk=ClerkFactory(window__category="legal"))
    notice = documents.generate_notice(application=application, kind="acceptance")
    text = pdf_text(notice)
    assert company.name in text and company.credit_code not in text
    assert format_code(notice.digest) in text


def test_generating_twice_returns_the_same_notice():
    application = accepted_application()
    first = documents.generate_notice(application=application, kind="acceptance")
    again = documents.generate_notice(application=application, kind="acceptance")
    tasks.generate_notice(application.pk, "acceptance")
    assert again.pk == first.pk
    assert Notice.objects.filter(application=application).count() == 1


def test_a_notice_is_issued_on_what_it_belongs_to():
    application = accepted_application()
    subcase = application.subcases.get()
    with pytest.raises(ValueError):
        documents.generate_notice(application=application, kind="approval")  # needs a sub-case
    with pytest.raises(ValueError):
        documents.generate_notice(application=application, kind="approval", subcase=subcase)  # not approved
    with pytest.raises(ValueError):
        documents.generate_notice(application=application, kind="acceptance", subcase=subcase)
    with pytest.raises(ValueError):
        documents.generate_notice(application=application, kind="extension", subcase=subcase,
                                  context_extra={"days": 5})  # no reason, no new deadline
    with pytest.raises(ValueError):
        documents.generate_notice(application=application, kind="supplement")  # no request
    with pytest.raises(ValueError):
        documents.generate_notice(application=application, kind="licence")
    assert not Notice.objects.exists()


def test_the_digest_covers_the_content():
    application = accepted_application()
    subcase = application.subcases.get()
    extra = {"procedure": "检测", "reason": "需对样品进行检测", "started_on": "2026-10-09", "key_suffix": "7"}
    one = documents.build_notice(application=application, kind="special_procedure", subcase=subcase, context_extra=extra)
    same = documents.build_notice(application=application, kind="special_procedure", subcase=subcase,
                                  context_extra={**extra, "started_on": subcase.started_on.replace(2026, 10, 9)})
    other = documents.build_notice(application=application, kind="special_procedure", subcase=subcase,
                                   context_extra={**extra, "reason": "需对样品进行检验"})
    assert one.context["digest"] == same.context["digest"] == content_digest(one.content)
    assert other.context["digest"] != one.context["digest"]
    assert one.content["applicant"]["id"] != application.applicant.id_number
    assert "*" in one.content["applicant"]["name"]


# --- the verification page -----------------------------------------------------------------------


@pytest.fixture
def issued():
    application = accepted_application(matters=[MatterFactory(name="食品经营许可")])
    notice = documents.generate_notice(application=application, kind="acceptance")
    return notice, CODE.search(pdf_text(notice)).group(1)


@pytest.mark.parametrize("form", [
    lambda code: code,
    lambda code: code.lower(),
    lambda code: code.replace("-", ""),
    lambda code: " " + code.replace("-", " ").lower() + " ",
    lambda code: code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEF-"}),  # full-width
], ids=["printed", "lower", "no-dashes", "spaces", "full-width"])
def test_verification_finds_the_notice_by_its_printed_code(client, issued, form):
    notice, code = issued
    response = client.get("/verify/", {"code": form(code)})
    assert response.status_code == 200
    html = response.content.decode()
    application = notice.application
    assert "核验通过" in html and "受理通知书" in html and application.number in html
    assert application.accepted_hall.name in html
    name = application.applicant.real_name
    assert f"{name[0]}{'*' * (len(name) - 1)}" in html and name not in html
    assert application.applicant.id_number not in html


def test_verification_shows_the_sub_case_and_the_department(client, decided):
    notice = Notice.objects.get(kind="denial")
    response = client.get("/verify/", {"code": format_code(notice.digest)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "不予行政许可决定书" in html and decided["seal"].number in html and decided["seal"].department.name in html


def test_verification_page_without_a_code_is_a_form(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert "核验码" in response.content.decode()


@pytest.mark.parametrize("garbage", [
    "abc", "ZZZZ-ZZZZ-ZZZZ-ZZZZ", "1A2B-3C4D-5E6F-7A8B-9", "1A2B3C4D5E6F7A8", "<script>alert(1)</script>",
    "' OR 1=1 --", "\x00" * 16, "核验码一二三四五六七八九十", "1" * 5000, "%", "0x1A2B3C4D5E6F7A8B",
])
def test_verification_refuses_garbage_in_chinese(client, garbage):
    response = client.get("/verify/", {"code": garbage})
    assert response.status_code == 400
    html = response.content.decode()
    assert "核验码格式不正确" in html
    assert "<script>alert" not in html


def test_an_unknown_code_is_not_found_in_chinese(client, issued):
    notice, code = issued
    wrong = "0000-0000-0000-0000" if not notice.digest.startswith("0000") else "ffff-ffff-ffff-ffff"
    response = client.get("/verify/", {"code": wrong})
    assert response.status_code == 404
    assert "未查到该核验码对应的文书" in response.content.decode()


def test_failed_verifications_are_throttled_per_client(client, issued):
    notice, code = issued
    for n in range(VERIFY_LIMIT):
        assert client.get("/verify/", {"code": f"{n:016x}"}).status_code == 404
    blocked = client.get("/verify/", {"code": code})  # even the right code, for a while
    assert blocked.status_code == 429
    assert "次数过多" in blocked.content.decode()
    other = client.get("/verify/", {"code": code}, REMOTE_ADDR="10.0.0.9")  # another client is not affected
    assert other.status_code == 200


def test_normalise_code():
    assert normalise_code("1a2b-3C4D 5e6f–7A8B") == "1a2b3c4d5e6f7a8b"
    assert normalise_code("1a2b3c4d5e6f7a8") is None
    assert normalise_code("") is None and normalise_code(None) is None


def test_progress_lookup_is_throttled_by_the_shared_helper(client):
    application = submitted_application()
    last4 = application.applicant.id_number[-4:]
    wrong = "0000" if last4 != "0000" else "1111"
    for _ in range(10):
        assert client.get("/progress/", {"number": application.number, "id_last4": wrong}).status_code == 404
    response = client.get("/progress/", {"number": application.number, "id_last4": last4})
    assert response.status_code == 429
    assert "查询次数过多" in response.content.decode()


def test_the_qr_code_is_a_pixel_per_module_png_of_the_progress_url():
    import base64

    import qrcode
    from PIL import Image

    url = "http://127.0.0.1:8000/progress/?number=441803-2026-XK-000001"
    uri = documents.qr_png_data_uri(url, border=2)
    assert uri.startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(url)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    assert image.size == (len(matrix), len(matrix))
    assert all((image.getpixel((x, y)) == 0) == dark for y, row in enumerate(matrix) for x, dark in enumerate(row))
