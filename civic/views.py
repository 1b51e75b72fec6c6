"""Pages of 政民互动: the public list of answered questions, asking, a question's page (answer,
check and publish, FAQ for the department), "我的咨询", the department's queue, consultations.

Every view: a Django form parses the POST → one service → redirect; a refusal is shown as the
service's Chinese message on the same page with its status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core.errors import DomainError, Invalid
from core.throttle import client_address
from core.web.access import not_found_page, role_required, show_domain_error
from matters.models import Matter

from . import benefits, selectors, services
from .forms import AnswerForm, AskForm, CommentForm, CommentHandlingForm, PublishForm, SummaryForm
from .models import Benefit, BenefitOffer, Comment, Consultation, Question


def index(request):
    return render(
        request,
        "civic/index.html",
        {
            "title": _("政民互动"),
            "questions": selectors.published_questions()[:50],
            "consultations": selectors.consultations()[:10],
            "today": timezone.localdate(),
        },
    )


def ask(request):
    status, errors, posted = 200, {}, {}
    if request.method == "POST":
        form = AskForm(request.POST)
        posted = request.POST
        if form.is_valid():
            data = form.cleaned_data
            anonymous, address = not request.user.is_authenticated, client_address(request)
            try:
                if anonymous and services.ask_throttle.blocked(ip=address):
                    raise services.TooMany(services.TOO_MANY_ASKS, code="too_many_questions")
                question = services.question_ask(
                    user=request.user,
                    kind=data["kind"],
                    matter_id=data["matter"],
                    department_id=data["department"],
                    subject=data["subject"],
                    content=data["content"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                )
            except DomainError as exc:
                show_domain_error(request, exc)
                status, errors = exc.status, exc.fields
            else:
                if anonymous:
                    services.ask_throttle.fail(ip=address)
                messages.success(
                    request,
                    _("已收到您的%(kind)s,承办部门将在 %(due)s 前答复。")
                    % {"kind": question.get_kind_display(), "due": question.due},
                )
                if request.user.is_authenticated:
                    return redirect("civic:question", pk=question.pk)
                return redirect("civic:index")
        else:
            status, errors = 400, form.errors
            messages.error(request, _("请检查填写的内容。"))
    return render(
        request,
        "civic/ask.html",
        {
            "title": _("我要咨询"),
            "errors": errors,
            "posted": posted,
            "kinds": Question.Kind.choices,
            "matters": Matter.objects.filter(is_active=True).order_by("code").only("pk", "name"),
            "departments": Department.objects.order_by("code"),
            "days": services.answer_days(),
            "prefill_matter": request.GET.get("matter", "")[:12],
        },
        status=status,
    )


def question(request, pk):
    found = Question.objects.select_related("matter", "department", "asker").filter(pk=pk).first()
    if found is None or not selectors.question_visible_to(found, request.user):
        return not_found_page(request, _("未找到该咨询,或尚未公开。"))
    status, errors = 200, {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "answer":
                form = AnswerForm(request.POST)
                if not form.is_valid():
                    raise Invalid(_("请填写答复。"), code="answer_required", fields=form.errors)
                services.question_answer(question=found, user=request.user, answer=form.cleaned_data["answer"])
                messages.success(request, _("已答复,待审核后公开。"))
            elif action == "publish":
                form = PublishForm(request.POST)
                if not form.is_valid():
                    raise Invalid(_("公开内容不能为空。"), code="publish_invalid", fields=form.errors)
                services.question_publish(question=found, user=request.user, **form.cleaned_data)
                messages.success(request, _("已审核公开。"))
            elif action == "echo":
                counted = services.question_echo(question=found, user=request.user)
                messages.success(request, _("已记录同问,承办部门会据此把常见问题列入办事指南。") if counted
                                 else _("您已同问过这个问题。"))
            elif action in ("faq", "unfaq"):
                services.question_set_faq(question=found, user=request.user, in_faq=action == "faq")
                messages.success(request, _("已更新常见问题。"))
            else:
                return not_found_page(request)
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, exc.fields
            found.refresh_from_db()
        else:
            return redirect("civic:question", pk=found.pk)
    user = request.user
    draft = services.public_draft(found) if found.state == Question.State.ANSWERED else {}
    if status != 200 and request.POST.get("action") == "publish":
        draft = {k: request.POST.get(k, "") for k in ("public_subject", "public_content", "public_answer")}
    return render(
        request,
        "civic/question.html",
        {
            "title": found.public_subject if found.is_published else found.subject,
            "q": found,
            "is_public_view": found.is_published
            and not (user.is_authenticated and (user.pk == found.asker_id or services.may_answer(user, found))),
            "may_answer": services.may_answer(user, found) and found.state == Question.State.OPEN,
            "may_publish": services.may_publish(user, found) and found.state == Question.State.ANSWERED,
            "may_echo": found.is_published and user.is_authenticated and user.pk != found.asker_id
            and not found.echoes.filter(user=user).exists(),
            "may_faq": found.is_published
            and found.matter_id
            and (services.may_publish(user, found) or services.may_answer(user, found)),
            "draft": draft,
            "errors": errors,
        },
        status=status,
    )


@login_required
def mine(request):
    return render(
        request, "civic/mine.html", {"title": _("我的咨询"), "questions": selectors.my_questions(request.user)}
    )


@role_required(User.Role.REVIEWER)
def desk(request):
    return render(
        request,
        "civic/desk.html",
        {
            "title": _("咨询建议办理"),
            "questions": selectors.department_queue(request.user),
            "candidates": selectors.faq_candidates(request.user),
            "today": timezone.localdate(),
        },
    )


def consultation(request, pk):
    found = Consultation.objects.select_related("department", "matter").filter(pk=pk).first()
    if found is None:
        return not_found_page(request, _("未找到该征求意见。"))
    status, errors = 200, {}
    if request.method == "POST":
        action = request.POST.get("action", "comment")
        try:
            if action == "handle":
                form = CommentHandlingForm(request.POST)
                if not form.is_valid():
                    raise Invalid(_("请选择处理结果。"), code="handling_required", fields=form.errors)
                target = found.comments.filter(pk=form.cleaned_data["comment"]).first()
                if target is None:
                    raise Invalid(_("未找到该意见。"), code="comment_not_found")
                services.comment_handle(comment=target, user=request.user, handling=form.cleaned_data["handling"],
                                        response=form.cleaned_data["response"])
                messages.success(request, _("已记录该条意见的处理结果。"))
            elif action == "summary":
                form = SummaryForm(request.POST)
                if not form.is_valid():
                    raise Invalid(_("请填写意见采纳情况。"), code="summary_required", fields=form.errors)
                services.consultation_publish_summary(
                    consultation=found, user=request.user, summary=form.cleaned_data["summary"]
                )
                messages.success(request, _("已公布意见采纳情况。"))
            else:
                form = CommentForm(request.POST)
                if not form.is_valid():
                    raise Invalid(_("请写明意见。"), code="comment_required", fields=form.errors)
                services.comment_add(consultation=found, user=request.user, content=form.cleaned_data["content"])
                messages.success(request, _("已收到您的意见,谢谢。"))
        except DomainError as exc:
            show_domain_error(request, exc)
            status, errors = exc.status, exc.fields
        else:
            return redirect("civic:consultation", pk=found.pk)
    today = timezone.localdate()
    return render(
        request,
        "civic/consultation.html",
        {
            "title": found.title,
            "c": found,
            "open": services.is_open(found, today),
            "today": today,
            "may_manage": services.may_manage(request.user, found),
            "errors": errors,
            "comment_count": found.comments.count(),
            "handled": [(m, services.public_comment_text(m)) for m in found.comments.select_related("author")]
            if found.summary_published_at else [],
            "to_handle": found.comments.all()
            if services.may_manage(request.user, found) and not found.summary_published_at and today > found.closes_on
            else [],
            "handlings": [c for c in Comment.Handling.choices if c[0]],
            "posted": request.POST if status != 200 else {},
        },
        status=status,
    )


def benefit(request, code):
    """免申即享: the policy, and for a signed-in citizen one button that grants it (once)."""
    found = Benefit.objects.filter(code=code[:40], is_active=True).select_related("matter__department").first()
    if found is None:
        return not_found_page(request, _("未找到该政策。"))
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?next={request.path}")
        try:
            benefits.accept(benefit=found, person=request.user)
        except DomainError as exc:
            show_domain_error(request, exc)
            status = exc.status
        else:
            messages.success(request, _("已确认享受:%(grant)s。") % {"grant": found.grant_text})
            return redirect("civic:benefit", code=found.code)
    offer = (
        BenefitOffer.objects.filter(benefit=found, person=request.user).first()
        if request.user.is_authenticated
        else None
    )
    return render(request, "civic/benefit.html", {"title": found.name, "b": found, "offer": offer}, status=status)
