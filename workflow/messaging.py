"""What the applicant is told in the message centre (notifications.notify) about their case:
acceptance, a supplement notice, a refusal and a result ready — sent when the application's
state machine takes that transition (django-fsm's post_transition, inside the service's
transaction: a rolled-back change leaves no message) — and 容缺 materials due in 3 days (the
daily sweep)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import notify

from .models import Application, DeliveryMethod, Material

DEFERRED_NOTICE_DAYS = 3


def _link(application) -> str:
    return f"/applications/{application.number}/"


def _on_transition(sender, instance, name, source, target, **kwargs):
    if not isinstance(instance, Application) or not instance.number:
        return
    S = Application.State
    number = instance.number
    texts = {
        S.ACCEPTED: (Kind.ACCEPTED, _("办件 %(n)s 已受理") % {"n": number},
                     _("您的申请已受理,办结期限以办件页面所示为准。")),
        S.SUPPLEMENT_REQUESTED: (Kind.SUPPLEMENT, _("办件 %(n)s 需要补正材料") % {"n": number},
                                 _("请在办件页面查看一次性告知的补正内容,并按要求补正后重新提交。")),
        S.NOT_ACCEPTED: (Kind.NOT_ACCEPTED, _("办件 %(n)s 不予受理") % {"n": number},
                         _("请在办件页面查看不予受理的理由和救济途径。")),
        S.RESULT_READY: (Kind.RESULT_READY, _("办件 %(n)s 办理结果可领取") % {"n": number},
                         _("结果将通过邮寄送达,请留意快递。") if instance.delivery_method == DeliveryMethod.POST
                         else _("请携带身份证到综合出件窗口领取,或在办件页面查看电子结果。")),
    }
    if target not in texts:
        return
    kind, title, body = texts[target]
    notify(recipient=instance.applicant, kind=kind, title=title, body=body, link=_link(instance),
           dedupe_key=f"application:{instance.pk}:{target}:{source}:{_count_of(instance, target)}")


def _count_of(application, target) -> int:
    """How many times the application reached `target` before: a second supplement notice is a
    new message, a task retried is not."""
    from .models import CaseLog

    return CaseLog.objects.filter(application=application, to_state=target).count()


def remind_deferred_due(today: dt.date) -> int:
    """容缺 materials still owed and due within DEFERRED_NOTICE_DAYS: one message per material."""
    owed = (Material.objects.filter(source=Material.Source.DEFERRED, fulfilled_at__isnull=True,
                                    due_on__gte=today, due_on__lte=today + dt.timedelta(days=DEFERRED_NOTICE_DAYS))
            .select_related("application__applicant"))
    sent = 0
    for material in owed:
        application = material.application
        if application.state not in Application.OPEN_STATES:
            continue
        sent += notify(recipient=application.applicant, kind=Kind.DEFERRED_DUE,
                       title=_("容缺材料“%(m)s”请于 %(d)s 前补交") % {"m": material.name, "d": material.due_on},
                       body=_("办件 %(n)s 容缺受理的材料尚未补交,逾期可能影响办理。") % {"n": application.number},
                       link=_link(application), dedupe_key=f"deferred:{material.pk}:{material.due_on}") is not None
    return sent


def connect() -> None:
    from django_fsm.signals import post_transition

    post_transition.connect(_on_transition, sender=Application, dispatch_uid="workflow.messaging")
