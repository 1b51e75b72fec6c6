"""Demo of proactive service (主动服务, issue 16): reminder settings on licence types, and a 居住证
issued last year to citizen2 that expires in 20 days, so that her message centre (and the SMS
sandbox's page) shows the expiry reminder whose link opens the 居住证签注 application pre-filled.

Made through the same services as the pages: the application, acceptance and approval as usual;
the licence as the department's system dated it (issued 345 days ago). Once: keyed by the
application's idempotency key; the settings are kept as an administrator may have changed them.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from exchange.messaging import remind_licence_expiry
from exchange.models import LicenceType
from exchange.services import licence_issue
from matters.models import Matter
from workflow import services as workflow
from workflow.models import Application

KEY = "demo-renewal-residence"
POLICIES = [  # (licence type, days ahead, renewal matter, the renewal form's number field)
    ("广东省居住证", 30, "居住证签注", "residence_permit_number"),
    ("食品经营许可证", 60, "", ""),  # a business asks in good time: two months ahead, renewed by the same matter
]


def load_reminders(command) -> int:
    for name, days, renewal, field in POLICIES:  # on the licence type, unless an administrator set it
        matter = Matter.objects.filter(name=renewal).first() if renewal else None
        LicenceType.objects.filter(name=name, days_ahead=30, renewal_matter__isnull=True, number_field="").update(
            days_ahead=days, renewal_matter=matter, number_field=field)
    if Application.objects.filter(idempotency_key=KEY).exists():
        return 0
    citizen = User.objects.filter(username="citizen2").first()
    clerk = User.objects.filter(username="clerk").first()
    matter = Matter.objects.filter(name="居住证申领").first()
    if citizen is None or clerk is None or matter is None:
        return 0
    today = timezone.localdate()
    form = command._form([matter], citizen) | {"residence_address": "清远市清新区太和镇洲心街道金港花园3栋502"}
    application = workflow.application_submit(
        submission=workflow.Submission(
            applicant=citizen, matters=[matter], form_data=form, files=command._files([matter]), idempotency_key=KEY
        )
    )
    application = workflow.application_accept(application=application, clerk=clerk)
    workflow.dispatch_subcases(application_id=application.pk)
    subcase = application.subcases.get()
    reviewer = User.objects.filter(role=User.Role.REVIEWER, department=subcase.department).first()
    workflow.subcase_decide(subcase=subcase, reviewer=reviewer, approve=True, reason="")
    licence_issue(
        case_ref=subcase.number,
        application_number=application.number,
        matter=matter,
        department=subcase.department,
        name=matter.result_name,
        holder_name=citizen.real_name,
        holder_id_number=citizen.id_number,
        holder_user=citizen,
        issued_on=today - dt.timedelta(days=345),
        valid_until=today + dt.timedelta(days=20),
        form_data=application.form_data,
    )
    remind_licence_expiry(today)  # what the beat does each morning
    return 1
