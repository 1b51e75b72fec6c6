"""帮办 (issue 13): a help-desk clerk fills an online application with the citizen present; it is
submitted as the citizen's online application only after they confirm with the code sent to
them (5 minutes, a few tries), and the case log names the clerk who helped."""

import re

import pytest

from core.errors import Conflict, Forbidden, Invalid
from notifications.models import Message
from tests.factories import ClerkFactory, MatterFactory, UserFactory, WindowFactory, pdf_upload
from windows import help_desk
from windows.models import HelpDeskDraft, Window
from workflow.calendar_store import seed_calendar
from workflow.models import Application, Channel, Source


@pytest.fixture
def world(db, at):
    seed_calendar(years=[2026])
    at("2026-11-23 09:00")
    matter = MatterFactory(name="城乡居民基本医疗保险参保登记")
    clerk = ClerkFactory(real_name="梁淑贞", window=WindowFactory(category=Window.Category.ASSIST, name="帮办窗口"))
    return {"matter": matter, "clerk": clerk, "citizen": UserFactory(real_name="黄伯元")}


def start(world, client, **extra):
    client.force_login(world["clerk"])
    upload = world["matter"].materials.get(name="申请表")
    data = {
        "id_number": world["citizen"].id_number,
        "field_applicant_name": "黄伯元",
        "field_contact_phone": "13912345678",
        f"material_{upload.pk}": pdf_upload("申请表.pdf"),
        **extra,
    }
    return client.post(f"/hall/help-desk/?matter={world['matter'].code}", data)


def sent_code(world) -> str:
    message = Message.objects.filter(recipient=world["citizen"], kind="confirmation_code").first()
    return re.search(r"确认码 (\d{6})", message.body).group(1)


def test_a_help_desk_application_confirmed_by_the_citizen(world, client):
    response = start(world, client)
    draft = HelpDeskDraft.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/hall/help-desk/{draft.pk}/"
    assert not Application.objects.exists()  # nothing submitted before the citizen confirms
    code = sent_code(world)
    assert code not in draft.code_hash
    client.force_login(world["citizen"])
    assert code in client.get("/me/messages/").content.decode()  # what the citizen reads on the phone
    client.force_login(world["clerk"])
    response = client.post(f"/hall/help-desk/{draft.pk}/", {"action": "confirm", "code": code})
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.applicant, application.created_by) == (world["citizen"], world["citizen"])
    assert (application.channel, application.source, application.state) == (
        Channel.ONLINE,
        Source.HELP_DESK,
        Application.State.SUBMITTED,
    )
    assert application.materials.get(name="申请表").file
    row = application.log.get(action="workflow.application.submitted")
    assert "帮办:由窗口人员 梁淑贞 协助填报" in row.note and row.data["helped_by"] == world["clerk"].pk
    assert HelpDeskDraft.objects.get().state == HelpDeskDraft.State.SUBMITTED
    client.force_login(world["citizen"])
    assert application.number in client.get("/applications/").content.decode()


def test_a_wrong_code_is_refused_and_counted_and_five_void_it(world, client):
    start(world, client)
    draft = HelpDeskDraft.objects.get()
    code = sent_code(world)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(f"/hall/help-desk/{draft.pk}/", {"action": "confirm", "code": wrong})
    assert response.status_code == 400 and "确认码不正确,还可再试 4 次" in response.content.decode()
    for _ in range(4):
        client.post(f"/hall/help-desk/{draft.pk}/", {"action": "confirm", "code": wrong})
    assert HelpDeskDraft.objects.get().tries == 5
    with pytest.raises(Conflict) as refused:
        help_desk.help_desk_confirm(clerk=world["clerk"], draft=draft, code=code)
    assert refused.value.code == "too_many_tries"
    assert not Application.objects.exists()
    help_desk.help_desk_resend(clerk=world["clerk"], draft=draft)  # a new code, new tries
    assert (
        help_desk.help_desk_confirm(clerk=world["clerk"], draft=draft, code=sent_code(world)).applicant
        == world["citizen"]
    )


def test_the_code_expires_after_five_minutes(world, client, at):
    start(world, client)
    draft = HelpDeskDraft.objects.get()
    at("2026-11-23 09:05")
    with pytest.raises(Conflict) as refused:
        help_desk.help_desk_confirm(clerk=world["clerk"], draft=draft, code=sent_code(world))
    assert refused.value.code == "code_expired" and not Application.objects.exists()


def test_without_confirmation_nothing_is_submitted_and_others_cannot_confirm(world, client):
    start(world, client)
    draft = HelpDeskDraft.objects.get()
    code = sent_code(world)
    colleague = ClerkFactory(window=WindowFactory(category=Window.Category.ASSIST))
    client.force_login(colleague)
    assert client.post(f"/hall/help-desk/{draft.pk}/", {"action": "confirm", "code": code}).status_code == 404
    client.force_login(world["citizen"])
    assert client.post(f"/hall/help-desk/{draft.pk}/", {"action": "confirm", "code": code}).status_code == 403
    help_desk.help_desk_cancel(clerk=world["clerk"], draft=draft)
    with pytest.raises(Conflict):
        help_desk.help_desk_confirm(clerk=world["clerk"], draft=draft, code=code)
    assert not Application.objects.exists()


def test_only_a_clerk_at_a_help_desk_window_helps_and_only_a_registered_citizen(world, client):
    natural = ClerkFactory()
    client.force_login(natural)
    assert client.get("/hall/help-desk/").status_code == 403
    with pytest.raises(Forbidden):
        help_desk.help_desk_start(
            clerk=natural, id_number=world["citizen"].id_number, matter=world["matter"], form_data={}, files={}
        )
    response = start(world, client, id_number="441803194203150000")
    assert response.status_code == 400 and "未找到该身份证号码的群众账号" in response.content.decode()
    response = start(world, client, **{f"material_{world['matter'].materials.get(name='申请表').pk}": ""})
    assert response.status_code == 400 and not HelpDeskDraft.objects.exists()
    with pytest.raises(Invalid):
        help_desk.help_desk_start(
            clerk=world["clerk"],
            id_number=world["citizen"].id_number,
            matter=world["matter"],
            form_data={"applicant_name": "黄伯元", "contact_phone": "12"},
            files={},
        )
