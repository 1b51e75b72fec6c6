"""The demo's 政民互动 and 免申即享 (issue 16): questions (published in the FAQ, waiting for the
check, open and anonymous), a consultation open today, and a benefit granted from the 社保 data
source (`python -m refsys --records var/datasources.json`): demo citizens whose records show
at least 180 months of contributions are eligible (`manage.py civic_benefit_run`)."""

import datetime as dt

from django.utils import timezone

from accounts.models import User
from civic import services
from civic.models import Benefit, Consultation, Question
from matters.models import Matter


def load_civic() -> int:
    """Idempotent (nothing is added when the demo's questions exist); returns questions made."""
    pension = Matter.objects.filter(name="城乡居民基本养老保险参保登记").order_by("code").first()
    retire = Matter.objects.filter(name="职工基本养老保险退休待遇核定").order_by("code").first()
    citizen = User.objects.filter(username="citizen").first()
    reviewer = User.objects.filter(username="reviewer_rs").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if None in (pension, citizen, reviewer, supervisor):
        return 0
    today = timezone.localdate()
    if retire is not None:
        Benefit.objects.get_or_create(
            code="changjiao-duode",
            defaults={
                "name": "养老保险长缴多得补贴",
                "matter": retire,
                "source": "shebao",
                "field": "months",
                "field_label": "养老保险累计缴费月数",
                "op": Benefit.Op.GTE,
                "value": "180",
                "grant_text": "每月基础养老金增发30元",
                "description": "累计缴费满15年(180个月)的参保人,无需申请,确认后次月起增发。",
            },
        )
    Consultation.objects.get_or_create(
        title="城乡居民基本养老保险参保登记服务标准(征求意见稿)",
        defaults={
            "matter": pension,
            "department": pension.department,
            "draft": "一、办理时限由3个工作日压缩为即办。\n二、身份证明、户口簿通过数据共享获取,申请人免予提交。",
            "opens_on": today - dt.timedelta(days=3),
            "closes_on": today + dt.timedelta(days=11),
        },
    )
    if Question.objects.filter(matter=pension).exists():
        return 0
    faq = services.question_ask(
        user=citizen,
        matter_id=pension.pk,
        subject="灵活就业可以参加城乡居民养老保险吗",
        content="我是灵活就业人员,电话13800138000,能不能在户籍地参加城乡居民养老保险?",
    )
    services.question_answer(
        question=faq,
        user=reviewer,
        answer="未参加职工基本养老保险的灵活就业人员,可在户籍地参加城乡居民基本养老保险,可网上办理。",
    )
    services.question_publish(question=faq, user=supervisor)
    services.question_set_faq(question=faq, user=supervisor)
    waiting = services.question_ask(
        user=citizen,
        matter_id=pension.pk,
        subject="缴费档次可以调整吗",
        content="今年已按最低档缴费,年内还能改成更高档次吗?",
    )
    services.question_answer(
        question=waiting, user=reviewer, answer="每年可调整一次缴费档次,请在当年缴费前到窗口或网上申报。"
    )
    services.question_ask(
        matter_id=pension.pk,
        subject="参保登记需要本人到场吗",
        content="老人行动不便,家属能否代办参保登记?",
        contact_name="陈女士",
        contact_phone="13912345678",
    )
    return 3
