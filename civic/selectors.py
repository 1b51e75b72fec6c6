"""Reads of 政民互动: what each person sees."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Consultation, Question

S = Question.State


def published_questions(*, matter=None, department=None):
    qs = Question.objects.filter(state=S.PUBLISHED).select_related("matter", "department")
    if matter is not None:
        qs = qs.filter(matter=matter)
    if department is not None:
        qs = qs.filter(department=department)
    return qs.order_by("-published_at", "-pk")


def my_questions(user):
    if not getattr(user, "is_authenticated", False):
        return Question.objects.none()
    return Question.objects.filter(asker=user).select_related("matter", "department")


def department_queue(user):
    """A reviewer's department: questions waiting for an answer or a check, oldest due first."""
    if not getattr(user, "is_reviewer", False) or not user.department_id:
        return Question.objects.none()
    return (
        Question.objects.filter(department_id=user.department_id, state__in=[S.OPEN, S.ANSWERED])
        .select_related("matter")
        .order_by("due", "pk")
    )


def faq_candidates(user, limit: int = 10):
    """A reviewer's department: published questions about a matter, not yet in its FAQ, that
    others asked too (同问), most asked first: the frequent questions to promote."""
    if not getattr(user, "is_reviewer", False) or not user.department_id:
        return Question.objects.none()
    return (
        Question.objects.filter(department_id=user.department_id, state=S.PUBLISHED, in_faq=False,
                                matter__isnull=False, echo_count__gt=0)
        .select_related("matter")
        .order_by("-echo_count", "-published_at", "-pk")[:limit]
    )


def question_visible_to(question, user) -> bool:
    """Published: everyone; otherwise the asker, the department's reviewers and supervisors."""
    if question.state == S.PUBLISHED:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.pk == question.asker_id
        or getattr(user, "is_supervisor", False)
        or (getattr(user, "is_reviewer", False) and user.department_id == question.department_id)
    )


def guide_faq(matter) -> list:
    """The matter's FAQ (published questions promoted to it), for its guide page."""
    return list(
        Question.objects.filter(matter=matter, state=S.PUBLISHED, in_faq=True)
        .only("public_subject", "public_content", "public_answer", "echo_count")
        .order_by("-echo_count", "-published_at", "-pk")[:20]
    )


def answered_by_department() -> list[dict]:
    """Per department: questions asked, answered (answered or published), published, late (answered after due)."""
    return list(
        Question.objects.values("department__name")
        .annotate(
            asked=Count("pk"),
            answered=Count("pk", filter=Q(state__in=[S.ANSWERED, S.PUBLISHED])),
            published=Count("pk", filter=Q(state=S.PUBLISHED)),
        )
        .order_by("department__name")
    )


def consultations():
    return Consultation.objects.select_related("department", "matter").annotate(comment_count=Count("comments"))
