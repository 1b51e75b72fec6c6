"""证照到期提醒 and 一键续办: the holder is reminded on the day the licence enters its type's notice
window (30 days, or the type's setting), once, with a text too; the reminder's link opens the
renewal matter's apply page pre-filled from the licence and the application that produced it;
nobody else can open someone's renewal."""

import datetime as dt

import pytest
from django.utils import timezone

from exchange import tasks as exchange_tasks
from exchange.models import ElectronicLicence, LicenceType
from notifications.models import Kind, Message, SmsMessage
from tests.exchange.test_licences import approve_all, licence_matter
from tests.factories import ClerkFactory, MatterFactory, UserFactory, files_for, form_for
from workflow import services
from workflow import tasks as workflow_tasks
from workflow.calendar_store import seed_calendar

pytestmark = pytest.mark.django_db
ADDRESS = "清新区太和镇洲心街道12号"
FIELDS = [{"key": "applicant_name", "label": "申请人姓名"},
          {"key": "applicant_id_number", "label": "身份证号码", "type": "id_number"},
          {"key": "residence_address", "label": "居住地址"},
          {"key": "contact_phone", "label": "联系电话", "type": "phone"}]


@pytest.fixture(autouse=True)
def calendar(settings):
    seed_calendar(years=[2026])
    settings.SMS_GATEWAY_URL, settings.SMS_SECRET = "http://127.0.0.1:9", "sandbox-sms-secret"


def issued(citizen, matter, *, valid_until):
    data = form_for([matter], citizen) | {"residence_address": ADDRESS, "applicant_name": citizen.real_name}
    application = services.application_submit(submission=services.Submission(
        applicant=citizen, matters=[matter], form_data=data, files=files_for([matter])))
    services.application_accept(application=application, clerk=ClerkFactory())
    workflow_tasks.issue_licence(approve_all(application).get().pk)
    licence = ElectronicLicence.objects.get(application_number=application.number)
    ElectronicLicence.objects.filter(pk=licence.pk).update(valid_until=valid_until)
    licence.refresh_from_db()
    return licence


@pytest.fixture
def permits():
    """A 居住证 (its type reminded 45 days ahead and renewed by 居住证签注) and a 食品经营许可证 (no
    setting: 30 days), both expiring on 2 March 2027 — across the end of January and February."""
    citizen = UserFactory(real_name="黄丽芳", phone="13912345678")
    residence = licence_matter(result_name="广东省居住证", fields=FIELDS)
    endorsement = MatterFactory(name="居住证签注", fields=[
        *FIELDS[:3], {"key": "residence_permit_number", "label": "居住证编号"}])
    LicenceType.objects.filter(name="广东省居住证").update(days_ahead=45, renewal_matter=endorsement,
                                                       number_field="residence_permit_number")
    expiry = dt.date(2027, 3, 2)
    permit = issued(citizen, residence, valid_until=expiry)
    food = issued(citizen, licence_matter(result_name="食品经营许可证", fields=FIELDS), valid_until=expiry)
    return citizen, permit, food, endorsement


def sweep_on(time_machine, day):
    time_machine.move_to(dt.datetime.combine(day, dt.time(8, 0), tzinfo=timezone.get_current_timezone()), tick=False)
    return exchange_tasks.send_reminders()


def reminded(licence):
    return list(Message.objects.filter(kind=Kind.LICENCE_EXPIRY, dedupe_key__startswith=f"licence:{licence.pk}:"))


def test_each_type_is_reminded_on_its_own_day_once(permits, time_machine):
    citizen, permit, food, _ = permits
    assert dt.date(2027, 3, 2) - dt.timedelta(days=45) == dt.date(2027, 1, 16)
    assert dt.date(2027, 3, 2) - dt.timedelta(days=30) == dt.date(2027, 1, 31)
    sweep_on(time_machine, dt.date(2027, 1, 15))
    assert reminded(permit) == [] and reminded(food) == []
    sweep_on(time_machine, dt.date(2027, 1, 16))
    assert len(reminded(permit)) == 1 and reminded(food) == []
    for day in (dt.date(2027, 1, 17), dt.date(2027, 1, 30)):
        sweep_on(time_machine, day)
    assert reminded(food) == []
    sweep_on(time_machine, dt.date(2027, 1, 31))
    sweep_on(time_machine, dt.date(2027, 2, 1))
    assert len(reminded(permit)) == 1 and len(reminded(food)) == 1

    message = reminded(permit)[0]
    assert message.title == "《广东省居住证》将于 2027-03-02 到期" and "还有 45 天" in message.body
    assert message.link == f"/licences/{permit.number}/renew/"
    text = SmsMessage.objects.get(recipient=citizen, dedupe_key=message.dedupe_key)
    assert permit.number in text.text and "一键续办" in text.text and text.phone_masked == "139****5678"

    ElectronicLicence.objects.filter(pk=permit.pk).update(revoked_at=timezone.now())  # revoked: no reminder
    ElectronicLicence.objects.filter(pk=permit.pk).update(valid_until=dt.date(2027, 3, 3))
    sweep_on(time_machine, dt.date(2027, 2, 1))
    assert len(reminded(permit)) == 1


def test_the_reminder_opens_the_renewal_pre_filled_from_the_licence(permits, client, time_machine):
    citizen, permit, food, endorsement = permits
    sweep_on(time_machine, dt.date(2027, 1, 20))  # 41 days left: in the 居住证's window, not yet in the other's
    client.force_login(citizen)
    wallet = client.get("/licences/").content.decode()
    assert f'href="/licences/{permit.number}/renew/" data-renew' in wallet and "一键续办(41 天后到期)" in wallet
    assert f"/licences/{food.number}/renew/" not in wallet
    opened = client.get(f"/licences/{permit.number}/renew/")
    assert opened.status_code == 302
    assert opened["Location"] == f"/apply/matter/{endorsement.code}/?renew={permit.number}"
    page = client.get(opened["Location"]).content.decode()
    assert "一键续办:《广东省居住证》" in page
    for value in (permit.number, ADDRESS, "黄丽芳", citizen.id_number):
        assert f'value="{value}"' in page, value


def test_nobody_else_opens_someones_renewal(permits, client):
    _, permit, _, endorsement = permits
    other = UserFactory()
    client.force_login(other)
    refused = client.get(f"/licences/{permit.number}/renew/", follow=True)
    assert "未找到该电子证照,或您无权查看" in refused.content.decode()
    page = client.get(f"/apply/matter/{endorsement.code}/?renew={permit.number}").content.decode()
    assert f'value="{permit.number}"' not in page and ADDRESS not in page and "一键续办" not in page
    client.force_login(ClerkFactory())
    assert client.get(f"/licences/{permit.number}/renew/").status_code in (302, 403)
    assert ADDRESS not in client.get(f"/licences/{permit.number}/renew/", follow=True).content.decode()
