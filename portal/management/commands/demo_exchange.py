"""The exchange demo: one application of a matter of the department that decides in its own
system goes out to the reference department system and comes back decided."""

import json
import time
import urllib.request

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from accounts.models import User
from exchange import reconcile, relay
from exchange.models import DepartmentSystem, InboundMessage, OutboxMessage
from matters.models import Matter
from workflow import services as workflow
from workflow.models import Application, SubCase

KEY = "demo-exchange"


class Command(BaseCommand):
    help = "演示:一个子件推送至部门自建审批系统,在那里审批后结果回传,申请人看到结果"

    def add_arguments(self, parser):
        parser.add_argument("--department", default="QX-WJJ")
        parser.add_argument("--wait", type=float, default=20.0, help="等待回传的秒数,之后由对账拉取")
        parser.add_argument("--operator", action="store_true",
                            help="不自动审批:等部门审批员在参考系统页面上作出决定")

    def handle(self, *args, department, wait, operator, **options):
        from portal.management.commands.load_demo import Command as LoadDemo

        system = DepartmentSystem.objects.filter(department__code=department, active=True).first()
        if system is None:
            raise CommandError("该部门未设定在自建系统审批:先运行 manage.py demo_department_system。")
        matter = Matter.objects.filter(department=system.department, target="natural", is_active=True).order_by("code").first()
        citizen, clerk = User.objects.get(username="citizen"), User.objects.get(username="clerk")
        application = Application.objects.filter(idempotency_key=KEY).first()
        if application is None:
            loader = LoadDemo()
            application = workflow.application_submit(submission=workflow.Submission(
                applicant=citizen, matters=[matter], form_data=loader._form([matter], citizen),
                files=loader._files([matter]), idempotency_key=KEY,
            ))
            application = workflow.application_accept(application=application, clerk=clerk)
            self.stdout.write(f"1. {citizen.real_name} 申请“{matter.name}”,窗口 {clerk.real_name} 受理:{application.number}")
        else:
            self.stdout.write(f"1. 演示办件已存在:{application.number}")
        workflow.dispatch_subcases(application_id=application.pk)  # what the worker does on commit
        subcase = application.subcases.get()
        outbox = OutboxMessage.objects.filter(case_ref=subcase.number).first()
        started = time.monotonic()
        while outbox is not None and outbox.status == OutboxMessage.Status.PENDING and time.monotonic() - started < wait:
            relay.deliver(outbox.pk)
            outbox.refresh_from_db()
            if outbox.status == OutboxMessage.Status.PENDING:
                time.sleep(0.5)
        if outbox is None or outbox.status != OutboxMessage.Status.DELIVERED:
            raise CommandError(f"子件 {subcase.number} 未能送达 {system.base_url}:{outbox and outbox.last_error}")
        self.stdout.write(f"2. 子件 {subcase.number} 已签名推送至 {system.name}({system.base_url}),"
                          f"第 {outbox.attempts} 次送达,消息编号 {outbox.message_id.hex}")
        subcase.refresh_from_db()
        if subcase.state in SubCase.OPEN_STATES and not InboundMessage.objects.filter(case_ref=subcase.number).exists():
            if operator:
                self.stdout.write(f"3. 请在 {system.base_url}/ 上作出审批决定……")
            else:
                self._approve(system, subcase, matter)
                self.stdout.write("3. 部门审批员在自建系统中作出准予许可决定,系统签名回传")
        started = time.monotonic()
        while time.monotonic() - started < wait and not InboundMessage.objects.filter(case_ref=subcase.number).exists():
            time.sleep(0.5)
        inbound = InboundMessage.objects.filter(case_ref=subcase.number).order_by("received_at").first()
        if inbound is None:
            run = reconcile.reconcile_system(system)
            self.stdout.write(f"4. 推送未到(门户未运行?),对账拉取补办 {len(run.applied)} 条")
        else:
            self.stdout.write(f"4. 门户收到回传({inbound.get_outcome_display()},来源 {inbound.source}),"
                              "经本平台审批服务办理")
        subcase.refresh_from_db()
        application.refresh_from_db()
        self.stdout.write(f"5. 子件状态:{subcase.get_state_display()};办件状态:{application.get_state_display()};"
                          f"决定:{subcase.decision_reason}")
        self.stdout.write(f"   申请人 citizen 登录后查看:{reverse('portal:application', args=[application.number])}")

    def _approve(self, system, subcase, matter):
        body = {"kind": "approve", "reason": "经审查,符合法定条件,准予办理。", "decided_by": "演示审批员",
                "licence": {"name": matter.result_name or matter.name}}
        request = urllib.request.Request(f"{system.base_url}/_operator/decide/{subcase.number}/", method="POST",
                                         data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
