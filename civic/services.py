"""Writes of 政民互动: ask, answer, publish (after a check, personal data removed), promote to
the matter's FAQ; comment on a consultation inside its period and publish the summary.

Who may do what:
- anyone asks a question (咨询), anonymously too; a suggestion (建议) needs a signed-in person;
- a reviewer of the question's department answers it;
- another reviewer of that department (not the one who answered) or a supervisor checks and
  publishes it, and may put a published question in the matter's FAQ;
- signed-in people comment on a consultation from its first to its last day;
  the drafting department's reviewers or a supervisor publish the summary after the last day.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.identity import IdentityError, mask_name, mask_value, validate_phone
from accounts.models import Department
from core.errors import Conflict, DomainError, Forbidden, Invalid
from core.numbers import is_small_int
from core.throttle import FailureThrottle
from matters.models import Matter
from workflow.calendar_store import load_calendar

from .models import Comment, Consultation, Question, QuestionEcho

SUBJECT_MAX = 80
CONTENT_MAX = 2000
ANSWER_MAX = 3000
S = Question.State
ASK_LIMIT = 5  # anonymous questions per address and hour
ask_throttle = FailureThrottle("civic-ask", limit=ASK_LIMIT, window=3600)
TOO_MANY_ASKS = _lazy("提交过于频繁,请一小时后再试,或拨打12345热线。")


class TooMany(DomainError):
    """Too many anonymous questions from one address (429)."""

    status = 429
    default_code = "too_many_requests"


# 18-digit resident ID (last may be X) and 11-digit mainland mobile, not inside a longer number.
ID_NUMBER_RE = re.compile(r"(?<![0-9])[1-9]\d{16}[\dXx](?![0-9Xx])")
MOBILE_RE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")


def answer_days() -> int:
    """Working days for the department's answer (settings.CIVIC_ANSWER_DAYS, 5 by default)."""
    return int(getattr(settings, "CIVIC_ANSWER_DAYS", 5))


def due_after(day):
    return load_calendar().add_workdays(day, answer_days())


def scrub(text: str, *, names=()) -> str:
    """`text` with ID numbers, mobile numbers and the given names masked by the project's rule."""
    text = ID_NUMBER_RE.sub(lambda m: mask_value("id_number", m.group(0)), text or "")
    text = MOBILE_RE.sub(lambda m: mask_value("phone", m.group(0)), text)
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text


def leftover_personal_data(text: str) -> list[str]:
    """What in `text` must not be published: whole ID or mobile numbers."""
    found = []
    if ID_NUMBER_RE.search(text or ""):
        found.append(_("身份证号码"))
    if MOBILE_RE.search(text or ""):
        found.append(_("手机号码"))
    return found


@transaction.atomic
def question_ask(
    *,
    user=None,
    kind=Question.Kind.QUESTION,
    matter_id=None,
    department_id=None,
    subject: str,
    content: str,
    contact_name: str = "",
    contact_phone: str = "",
    today=None,
) -> Question:
    """A question or suggestion, routed to the matter's department (or the one chosen)."""
    user = user if getattr(user, "is_authenticated", False) else None
    errors = {}
    if kind not in Question.Kind.values:
        errors["kind"] = [_("请选择咨询或建议。")]
    elif kind == Question.Kind.SUGGESTION and user is None:
        errors["kind"] = [_("提建议请先登录;匿名只能咨询。")]
    subject, content = (subject or "").strip(), (content or "").strip()
    if not subject:
        errors["subject"] = [_("请填写标题。")]
    elif len(subject) > SUBJECT_MAX:
        errors["subject"] = [_("标题不超过 %(n)s 个字。") % {"n": SUBJECT_MAX}]
    if len(content) < 5:
        errors["content"] = [_("请把问题说清楚(至少5个字)。")]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [_("内容不超过 %(n)s 个字。") % {"n": CONTENT_MAX}]
    matter = department = None
    if matter_id not in (None, ""):
        matter = Matter.objects.filter(pk=matter_id).first() if is_small_int(str(matter_id)) else None
        if matter is None:
            errors["matter"] = [_("请从列表中选择事项。")]
    if department_id not in (None, ""):
        department = Department.objects.filter(pk=department_id).first() if is_small_int(str(department_id)) else None
        if department is None:
            errors["department"] = [_("请从列表中选择部门。")]
    if matter is not None:
        department = matter.department
    elif department is None and "matter" not in errors and "department" not in errors:
        errors["matter"] = [_("请选择所咨询的事项或部门。")]
    contact_name = (contact_name or "").strip()[:32]
    contact_phone = (contact_phone or "").strip()
    if contact_phone:
        try:
            contact_phone = validate_phone(contact_phone)
        except IdentityError as exc:
            errors["contact_phone"] = [str(exc)]
    elif user is None:
        errors["contact_phone"] = [_("匿名咨询请留下联系电话(不公开),以便部门联系。")]
    if errors:
        raise Invalid(_("有 %(n)s 处需要修改。") % {"n": len(errors)}, code="invalid_question", fields=errors)
    today = today or timezone.localdate()
    return Question.objects.create(
        kind=kind,
        matter=matter,
        department=department,
        asker=user,
        contact_name=contact_name,
        contact_phone=contact_phone,
        subject=subject,
        content=content,
        submitted_on=today,
        due=due_after(today),
    )


def _locked(question):
    return Question.objects.select_for_update().get(pk=question.pk)


def may_answer(user, question) -> bool:
    return bool(getattr(user, "is_reviewer", False) and user.department_id == question.department_id)


def may_publish(user, question) -> bool:
    if getattr(user, "is_supervisor", False):
        return True
    return may_answer(user, question) and user.pk != question.answered_by_id


@transaction.atomic
def question_answer(*, question: Question, user, answer: str) -> Question:
    question = _locked(question)
    if not may_answer(user, question):
        raise Forbidden(_("只有承办部门的工作人员可以答复。"), code="not_responsible")
    if question.state != S.OPEN:
        raise Conflict(_("该咨询已答复。"), code="already_answered")
    answer = (answer or "").strip()
    if not answer:
        raise Invalid(_("请填写答复。"), code="answer_required", fields={"answer": [_("请填写答复。")]})
    if len(answer) > ANSWER_MAX:
        raise Invalid(
            _("答复不超过 %(n)s 个字。") % {"n": ANSWER_MAX},
            code="answer_too_long",
            fields={"answer": [_("内容过长。")]},
        )
    question.answer, question.answered_by, question.answered_at = answer, user, timezone.now()
    question.state = S.ANSWERED
    question.save()
    return question


def public_draft(question: Question) -> dict:
    """The texts to publish, personal data masked: what the reviewer starts from."""
    names = [question.contact_name, getattr(question.asker, "real_name", "")]
    return {
        "public_subject": scrub(question.subject, names=names),
        "public_content": scrub(question.content, names=names),
        "public_answer": scrub(question.answer, names=names),
    }


@transaction.atomic
def question_publish(
    *, question: Question, user, public_subject=None, public_content=None, public_answer=None
) -> Question:
    """The check before publishing: the texts as the reviewer left them (the masked draft when
    not given); refused while any still holds a whole ID or mobile number."""
    question = _locked(question)
    if not may_publish(user, question):
        raise Forbidden(_("只有承办部门的其他审核人员或督查人员可以审核公开(答复人不能自审)。"), code="not_a_checker")
    if question.state != S.ANSWERED:
        raise Conflict(_("只有已答复待审核的咨询可以公开。"), code="not_answered")
    draft = public_draft(question)
    texts = {
        "public_subject": draft["public_subject"] if public_subject is None else public_subject.strip(),
        "public_content": draft["public_content"] if public_content is None else public_content.strip(),
        "public_answer": draft["public_answer"] if public_answer is None else public_answer.strip(),
    }
    errors = {}
    for field, text in texts.items():
        if not text:
            errors[field] = [_("不能为空。")]
        elif leftover := leftover_personal_data(text):
            errors[field] = [_("仍含有完整的%(what)s,请删除或遮盖后再公开。") % {"what": "、".join(leftover)}]
    if len(texts["public_subject"]) > SUBJECT_MAX:
        errors["public_subject"] = [_("标题不超过 %(n)s 个字。") % {"n": SUBJECT_MAX}]
    if errors:
        raise Invalid(_("公开内容有 %(n)s 处需要修改。") % {"n": len(errors)}, code="personal_data_left", fields=errors)
    for field, text in texts.items():
        setattr(question, field, text)
    question.state, question.published_by, question.published_at = S.PUBLISHED, user, timezone.now()
    question.save()
    return question


@transaction.atomic
def question_set_faq(*, question: Question, user, in_faq: bool = True) -> Question:
    """Put a published question about a matter in (or take it out of) the matter's FAQ."""
    question = _locked(question)
    if not may_publish(user, question) and not may_answer(user, question):
        raise Forbidden(_("只有承办部门审核人员或督查人员可以设置常见问题。"), code="not_a_checker")
    if question.state != S.PUBLISHED or question.matter_id is None:
        raise Conflict(_("只有已公开且关联事项的咨询可以列入常见问题。"), code="not_published")
    question.in_faq = bool(in_faq)
    question.save(update_fields=["in_faq"])
    return question


def question_echo(*, question: Question, user) -> bool:
    """同问: `user` has the same question as a published one; counted once per person (True when
    counted now, False when they had said so before). The asker's own question is not counted."""
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("请先登录后再点“我也想问”。"), code="login_required")
    if question.state != S.PUBLISHED:
        raise Conflict(_("只有已公开的咨询可以同问。"), code="not_published")
    if question.asker_id == user.pk:
        raise Conflict(_("这是您本人提出的问题。"), code="own_question")
    try:
        with transaction.atomic():
            QuestionEcho.objects.create(question=question, user=user)
            Question.objects.filter(pk=question.pk).update(echo_count=F("echo_count") + 1)
    except IntegrityError:
        return False
    return True


# --- consultations (征求意见) -------------------------------------------------------------------


def is_open(consultation: Consultation, today) -> bool:
    return consultation.opens_on <= today <= consultation.closes_on


@transaction.atomic
def comment_add(*, consultation: Consultation, user, content: str, today=None) -> Comment:
    if not getattr(user, "is_authenticated", False):
        raise Forbidden(_("请先登录再提出意见。"), code="login_required")
    today = today or timezone.localdate()
    if today < consultation.opens_on:
        raise Conflict(
            _("征求意见将于 %(d)s 开始,现在还不能提出意见。") % {"d": consultation.opens_on}, code="not_open_yet"
        )
    if today > consultation.closes_on:
        raise Conflict(_("征求意见已于 %(d)s 截止,不再接收意见。") % {"d": consultation.closes_on}, code="closed")
    content = (content or "").strip()
    if len(content) < 5:
        raise Invalid(_("请写明意见(至少5个字)。"), code="comment_required", fields={"content": [_("请写明意见。")]})
    if len(content) > CONTENT_MAX:
        raise Invalid(
            _("意见不超过 %(n)s 个字。") % {"n": CONTENT_MAX},
            code="comment_too_long",
            fields={"content": [_("内容过长。")]},
        )
    return Comment.objects.create(consultation=consultation, author=user, content=content)


def may_manage(user, consultation) -> bool:
    return bool(
        getattr(user, "is_supervisor", False)
        or (getattr(user, "is_reviewer", False) and user.department_id == consultation.department_id)
    )


RESPONSE_MAX = 1000


@transaction.atomic
def comment_handle(*, comment: Comment, user, handling: str, response: str, today=None) -> Comment:
    """The drafting department (or a supervisor) records how one comment was handled: adopted,
    partly adopted or not adopted; the reason is required unless adopted. Published with the
    summary (masked), so it is refused while a whole ID or mobile number is left in it, and it
    cannot change once the summary is published."""
    comment = Comment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    consultation = comment.consultation
    if not may_manage(user, consultation):
        raise Forbidden(_("只有起草部门审核人员或督查人员可以处理意见。"), code="not_responsible")
    if consultation.summary_published_at is not None:
        raise Conflict(_("采纳情况已公布,意见的处理不能再修改。"), code="summary_published")
    today = today or timezone.localdate()
    if today <= consultation.closes_on:
        raise Conflict(_("征求意见截止后才能处理意见。"), code="still_open")
    H = Comment.Handling
    if handling not in (H.ADOPTED, H.PARTLY, H.NOT_ADOPTED):
        raise Invalid(_("请选择采纳、部分采纳或未采纳。"), code="handling_required",
                      fields={"handling": [_("请选择处理结果。")]})
    response = (response or "").strip()
    if handling != H.ADOPTED and not response:
        raise Invalid(_("部分采纳或未采纳的意见须说明理由。"), code="reason_required",
                      fields={"response": [_("请说明理由。")]})
    if len(response) > RESPONSE_MAX:
        raise Invalid(_("处理说明不超过 %(n)s 个字。") % {"n": RESPONSE_MAX}, code="response_too_long",
                      fields={"response": [_("内容过长。")]})
    if leftover := leftover_personal_data(response):
        raise Invalid(_("仍含有完整的%(what)s,请删除后再保存。") % {"what": "、".join(leftover)},
                      code="personal_data_left", fields={"response": [_("含个人信息。")]})
    comment.handling, comment.response = handling, response
    comment.save(update_fields=["handling", "response"])
    return comment


def public_comment_text(comment: Comment) -> str:
    """A comment as the published summary shows it: ID and mobile numbers and the author's name masked."""
    return scrub(comment.content, names=[getattr(comment.author, "real_name", "")])


@transaction.atomic
def consultation_publish_summary(*, consultation: Consultation, user, summary: str, today=None) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not may_manage(user, consultation):
        raise Forbidden(_("只有起草部门审核人员或督查人员可以公布采纳情况。"), code="not_responsible")
    today = today or timezone.localdate()
    if today <= consultation.closes_on:
        raise Conflict(_("征求意见截止后才能公布采纳情况。"), code="still_open")
    pending = consultation.comments.filter(handling=Comment.Handling.PENDING).count()
    if pending:
        raise Conflict(_("还有 %(n)s 条意见未处理,逐条处理后才能公布采纳情况。") % {"n": pending},
                       code="comments_pending")
    summary = (summary or "").strip()
    if not summary:
        raise Invalid(_("请填写意见采纳情况。"), code="summary_required", fields={"summary": [_("请填写。")]})
    if leftover := leftover_personal_data(summary):
        raise Invalid(
            _("仍含有完整的%(what)s,请删除后再公布。") % {"what": "、".join(leftover)},
            code="personal_data_left",
            fields={"summary": [_("含个人信息。")]},
        )
    consultation.summary, consultation.summary_published_at = summary, timezone.now()
    consultation.save()
    return consultation
