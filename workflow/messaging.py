"""What the applicant is told in the message centre (notifications.notify) about their case:
acceptance, a supplement notice, a refusal and a result ready — sent when the application's
state machine takes that transition (django-fsm's post_transition, inside the service's
transaction: a rolled-back change leaves no message) — and the sweep's reminders: 容缺 materials
due in 3 days, a supplement notice still unanswered after 3 and after 10 days, a result waiting
at the hall after 3 and after 10 days. Each reminder once per object and step (its dedupe key)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Kind
from notifications.services import notify

from .models import Application, DeliveryMethod, Material, SupplementRequest

DEFERRED_NOTICE_DAYS = 3
SUPPLEMENT_REMIND_AFTER_DAYS = (3, 10)  # days after the one-time notice, still unanswered
COLLECT_REMIND_AFTER_DAYS = (3, 10)  # days after the result was ready at the hall, not collected


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


def _start_of(day: dt.date) -> dt.datetime:
    """00:00 Beijing time of `day` (the sweeps count days as Beijing dates)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _step(since: dt.date, today: dt.date, steps) -> int | None:
    """The last of `steps` (days) reached from `since` to `today`, or None."""
    reached = [n for n in steps if (today - since).days >= n]
    return reached[-1] if reached else None


def remind_supplements_waiting(today: dt.date) -> int:
    """补正 still owed: the applicant of a case waiting for its supplement is reminded 3 and 10 days
    after the one-time notice (the notice itself is the required message at the time)."""
    waiting = (SupplementRequest.objects
               .filter(resolved_at__isnull=True, application__state=Application.State.SUPPLEMENT_REQUESTED,
                       requested_at__lt=_start_of(today - dt.timedelta(days=SUPPLEMENT_REMIND_AFTER_DAYS[0] - 1)))
               .select_related("application__applicant"))
    sent = 0
    for request in waiting:
        since = timezone.localtime(request.requested_at).date()
        step = _step(since, today, SUPPLEMENT_REMIND_AFTER_DAYS)
        if step is None:
            continue
        application = request.application
        sent += notify(recipient=application.applicant, kind=Kind.SUPPLEMENT_DUE,
                       title=_("办件 %(n)s 仍在等待您补正材料") % {"n": application.number},
                       body=_("窗口于 %(d)s 一次性告知了需要补正的内容,补正后办件才能继续办理。请在办件页面查看并补正。") % {
                           "d": since},
                       link=_link(application), dedupe_key=f"supplement-waiting:{request.pk}:{step}") is not None
    return sent


def remind_results_to_collect(today: dt.date) -> int:
    """办理结果待领取: a result waiting at the hall (not posted, not electronic) 3 and 10 days after it
    became ready; the day it became ready is the case log's."""
    ready = (Application.objects.filter(state=Application.State.RESULT_READY, delivery_method=DeliveryMethod.HALL)
             .annotate(ready_at=Max("log__created_at", filter=Q(log__to_state=Application.State.RESULT_READY)))
             .filter(ready_at__lt=_start_of(today - dt.timedelta(days=COLLECT_REMIND_AFTER_DAYS[0] - 1)))
             .select_related("applicant", "pickup_hall"))
    sent = 0
    for application in ready:
        since = timezone.localtime(application.ready_at).date()
        step = _step(since, today, COLLECT_REMIND_AFTER_DAYS)
        if step is None:
            continue
        hall = application.pickup_hall.name if application.pickup_hall_id else _("受理大厅")
        sent += notify(recipient=application.applicant, kind=Kind.COLLECT_DUE,
                       title=_("办件 %(n)s 的办理结果尚未领取") % {"n": application.number},
                       body=_("结果自 %(d)s 起可领取。请携带身份证到%(hall)s综合出件窗口领取。") % {"d": since, "hall": hall},
                       link=_link(application), dedupe_key=f"collect:{application.pk}:{step}") is not None
    return sent


def connect() -> None:
    from django_fsm.signals import post_transition

    post_transition.connect(_on_transition, sender=Application, dispatch_uid="workflow.messaging")
