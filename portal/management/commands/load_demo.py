"""Load the demo district (Qingxin District of Qingyuan): regions, departments, halls, windows,
the catalog, enterprises, demo users and a few applications in every state; and a second district
of the city, 清城区, with a hall, a department, two matters and their staff (portal/demo/districts.py).

Idempotent: everything is keyed by its code or username, so a second run keeps what is there
(passwords included) and adds only what is missing. Demo applications are made once, through
the same services the pages use, then some clocks are moved back so that the supervisor's
dashboard has yellow and red cards to show.
"""

import datetime as dt

import pgtrigger
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Department, Enterprise, EnterpriseMembership, Hall, Region, User
from core import audit
from core.clock import law
from market.demo import load_market_demo
from matters.models import (
    ConditionalMaterial,
    FormField,
    MaterialRequirement,
    Matter,
    OptionMaterial,
    SituationOption,
    SituationQuestion,
    Theme,
    ThemeMatter,
)
from portal.demo import catalog, districts, people, totp
from portal.demo.civic import load_civic
from portal.demo.delivery import load_delivery
from portal.demo.districts import home_matters
from portal.demo.exchange_sources import load_exchange_sources
from portal.demo.feedback import load_feedback, load_intermediary_complaint
from portal.demo.fees import load_fees
from portal.demo.history import load_history
from portal.demo.home_visits import load_home_visits
from portal.demo.kiosk import load_kiosk
from portal.demo.licence_types import licence_type_for
from portal.demo.queue import load_queue
from portal.demo.reminders import load_reminders
from portal.personal import ensure_query_matter
from supervision.cards.services import sweep_deadlines
from supervision.figures.services import refresh_all as refresh_all_figures
from windows import services as window_services
from windows.models import Consultation, ConsultationEvent, Seat, Window
from workflow import services as workflow
from workflow.calendar_store import load_calendar, seed_calendar
from workflow.models import Application, SubCase

SEATS_FROM = dt.date(2026, 1, 1)
# A one-page PDF, standing in for the scans a citizen would upload.
def _mapped(requirement) -> bool:
    """A material taken from a data source or licence (免提交) when its source answers; the demo's
    loaders ask no source, so they hand it in like any other."""
    from exchange.models import MaterialSource

    return MaterialSource.objects.filter(requirement=requirement).exists()


DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


class Command(BaseCommand):
    help = "载入清新区演示数据(可重复执行,不会覆盖已有数据)"

    def handle(self, *args, **options):
        years = seed_calendar()
        with transaction.atomic():
            self.load_organisations()
            self.load_catalog()
            load_fees()  # the demo's one fee (portal/demo/fees.py), before any application is accepted
            load_exchange_sources()  # 免提交/免填 from the demo data sources (portal/demo/exchange_sources.py)
            ensure_query_matter()  # 我的 / 企业主页's own queries (社保, 公积金, 水电燃气, 交通违章, 企业登记)
            load_kiosk()  # matters a resident applies for at a 市民之窗 terminal (portal/demo/kiosk.py)
            self.load_questions()
            self.load_people()
            people.load_people()
        made = self.load_applications()
        with transaction.atomic():
            made += people.load_people_cases(files=self._files, form=self._form)
        self.load_consultations()
        made += load_delivery(self)
        load_feedback(self)  # 好差评 and 投诉举报 (portal/demo/feedback.py)
        load_home_visits(self)  # 上门办理 and 帮办 (portal/demo/home_visits.py)
        with transaction.atomic():
            load_market_demo()  # 中介超市 (market/demo.py)
            load_intermediary_complaint()  # a complaint about one of its intermediaries (portal/demo/feedback.py)
        with transaction.atomic():
            load_civic()  # 政民互动 and 免申即享 (portal/demo/civic.py)
        made += load_reminders(self)  # 证照到期提醒 and 一键续办 (portal/demo/reminders.py)
        made += load_history()  # ninety days of past cases for the dashboard, once
        made += districts.load_cases(self)  # a 清城区 case accepted at a 清新区 hall (portal/demo/districts.py)
        queue = load_queue()
        sweep_deadlines()
        refresh_all_figures()  # the dashboard's rollups (cheap on demo data; beat keeps them fresh)
        self.load_evaluation_export()
        self.stdout.write(
            f"演示数据已就绪:日历 {len(years)} 个年度,事项 {Matter.objects.count()} 项,主题 {Theme.objects.count()} 个,"
            f"用户 {User.objects.count()} 个,办件 {Application.objects.count()} 件(本次新建 {made} 件);"
            f"预约时段新增 {queue['slots']} 个,今日排队号新增 {queue['tickets']} 个。"
        )

    def load_organisations(self):
        for row in [*catalog.REGIONS, *districts.REGIONS]:
            Region.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "level": row["level"],
                          "parent": Region.objects.get(code=row["parent"]) if row["parent"] else None},
            )
        for row in [*catalog.DEPARTMENTS, *districts.DEPARTMENTS]:
            Department.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "short_name": row["short_name"],
                          "region": Region.objects.get(code=row["region"]), "phone": row.get("phone", "")},
            )
        for row in [*catalog.HALLS, *districts.HALLS]:
            Hall.objects.update_or_create(
                code=row["code"],
                defaults={"name": row["name"], "region": Region.objects.get(code=row["region"]),
                          "address": row.get("address", ""), "phone": row.get("phone", ""),
                          "opening_hours": row.get("opening_hours", "")},
            )
        for row in [*catalog.WINDOWS, *districts.WINDOWS]:
            Window.objects.update_or_create(
                hall=Hall.objects.get(code=row["hall"]), number=row["number"],
                defaults={"name": row["name"], "category": row["category"],
                          "department": Department.objects.get(code=row["department"]) if row.get("department") else None},
            )

    def load_catalog(self):
        fields = [f.name for f in Matter._meta.concrete_fields if f.name not in ("id", "department", "version", "published_on")]
        for row in [*catalog.MATTERS, *districts.MATTERS]:
            defaults = {k: row[k] for k in fields if k in row and k != "code"}
            defaults["department"] = Department.objects.get(code=row["department"])
            defaults["licence_type"] = licence_type_for(row)
            matter, created = Matter.objects.get_or_create(code=row["code"], defaults={**defaults, "published_on": SEATS_FROM})
            if not created:
                continue  # keep what an administrator changed since
            for order, m in enumerate(row["materials"]):
                MaterialRequirement.objects.create(matter=matter, order=order, **m)
            for order, f in enumerate(row["fields"]):
                FormField.objects.create(matter=matter, order=order, **{"choices": [], "help_text": "", **f})
        for row in catalog.THEMES:
            theme, created = Theme.objects.get_or_create(
                code=row["code"], defaults={"name": row["name"], "target": row["target"], "description": row.get("description", "")}
            )
            if created:
                for order, code in enumerate(row["matters"]):
                    ThemeMatter.objects.create(theme=theme, matter=Matter.objects.get(code=code), order=order)

    def load_questions(self):
        """The themes' situation questions (catalog.QUESTIONS), for a theme that has none yet: what
        an administrator set up since is kept."""
        asked = set(SituationQuestion.objects.values_list("theme__code", flat=True))
        for order, row in enumerate(catalog.QUESTIONS):
            if row["theme"] in asked:
                continue
            theme = Theme.objects.get(code=row["theme"])
            question = SituationQuestion.objects.create(theme=theme, text=row["text"], help_text=row.get("help_text", ""),
                                                        order=order)
            for position, spec in enumerate(row["options"]):
                option = SituationOption.objects.create(question=question, label=spec["label"], order=position)
                option.excluded_matters.set(Matter.objects.filter(code__in=spec.get("skip", [])))
                for code, material in spec.get("needs", []):
                    matter = Matter.objects.get(code=code)
                    requirement = matter.materials.filter(name=material["name"]).first()
                    if requirement is None:
                        requirement = MaterialRequirement.objects.create(
                            matter=matter, order=matter.materials.count(), **{**material, "required": False})
                    ConditionalMaterial.objects.get_or_create(requirement=requirement, defaults={"note": spec["label"]})
                    OptionMaterial.objects.create(option=option, requirement=requirement,
                                                  effect=OptionMaterial.Effect.INCLUDE)
                for code, name in spec.get("drops", []):
                    OptionMaterial.objects.create(option=option, requirement=MaterialRequirement.objects.get(
                        matter__code=code, name=name), effect=OptionMaterial.Effect.EXCLUDE)

    def load_people(self):
        for row in catalog.ENTERPRISES:
            Enterprise.objects.get_or_create(credit_code=row["credit_code"], defaults={k: v for k, v in row.items() if k != "credit_code"})
        for row in [*catalog.USERS, *districts.USERS]:
            user = User.objects.filter(username=row["username"]).first()
            if user is None:
                user = User(
                    username=row["username"], role=row["role"], real_name=row["real_name"], id_number=row.get("id_number"),
                    phone=row.get("phone", ""),
                    department=Department.objects.get(code=row["department"]) if row.get("department") else None,
                    is_staff=row["role"] == User.Role.ADMINISTRATOR, is_superuser=row["role"] == User.Role.ADMINISTRATOR,
                    is_department_leader=bool(row.get("leader")),
                    district=Region.objects.get(code=row["district"]) if row.get("district") else None,
                )
                user.set_password(row["password"])
                user.save()
            if user.role != User.Role.PUBLIC:
                totp.enrol(user)  # the second factor staff need (portal/demo/totp.py)
            if row.get("enterprise"):
                EnterpriseMembership.objects.get_or_create(
                    enterprise=Enterprise.objects.get(credit_code=row["enterprise"]), user=user,
                    defaults={"title": row.get("title", "经办人")},
                )
            for hall_code, number in row.get("seats", []):
                Seat.objects.get_or_create(
                    clerk=user, window=Window.objects.get(hall__code=hall_code, number=number), defaults={"starts_on": SEATS_FROM}
                )

    # --- demo applications ---------------------------------------------------------------

    def _files(self, matters):
        return {
            f"material_{r.pk}": SimpleUploadedFile(f"{r.name}.pdf", DEMO_PDF, content_type="application/pdf")
            for m in matters for r in m.materials.all() if r.must_be_brought or _mapped(r)
        }

    def _form(self, matters, applicant, enterprise=None):
        sample = {
            "text": "清新区太和镇", "textarea": "按申请表所列情况填写。", "number": "100", "date": "2026-11-02",
            "phone": applicant.phone or "13800138000", "id_number": applicant.id_number,
            "credit_code": enterprise.credit_code if enterprise else "",
        }
        data = {}
        for m in matters:
            for f in m.fields.all():
                if f.type == "choice":
                    data[f.key] = f.choices[0]
                elif f.key in ("company_name",) and enterprise:
                    data[f.key] = enterprise.name
                elif f.key in ("applicant_name", "legal_representative"):
                    data[f.key] = enterprise.legal_representative if enterprise and f.key == "legal_representative" else applicant.real_name
                else:
                    data[f.key] = sample.get(f.type, "清新区")
        return data

    def load_evaluation_export(self):
        """One finished evaluation export of this month (PDF and XLSX), built here rather than
        by the worker so that the page shows it at once; the queued task then finds it done."""
        from supervision.evaluation import services as evaluation
        from supervision.models import ReportJob

        if ReportJob.objects.filter(kind=ReportJob.Kind.EVALUATION, state=ReportJob.State.DONE).exists():
            return
        supervisor = User.objects.filter(username="supervisor").first()
        if supervisor is None:
            return
        start, end = evaluation.default_period(timezone.localdate())
        job = evaluation.export_request(user=supervisor, start=start, end=end)
        evaluation.export_build(job_id=job.pk)

    def _submit(self, applicant, matters, theme=None, enterprise=None, key=""):
        return workflow.application_submit(submission=workflow.Submission(
            applicant=applicant, matters=matters, theme=theme, enterprise=enterprise,
            form_data=self._form(matters, applicant, enterprise), files=self._files(matters), idempotency_key=key,
        ))

    def load_applications(self):
        if Application.objects.exists():
            return 0
        citizen = User.objects.get(username="citizen")
        citizen2 = User.objects.get(username="citizen2")
        staff = User.objects.get(username="enterprise")
        enterprise = staff.enterprises.first()
        clerk = User.objects.get(username="clerk")
        clerk_legal = User.objects.get(username="clerk_legal")
        natural = list(home_matters().filter(target="natural").order_by("code"))
        legal_theme = Theme.objects.filter(target="legal").order_by("code").first()
        made = 0
        # Waiting at the windows.
        for i, (person, matter) in enumerate([(citizen, natural[0]), (citizen2, natural[1]), (citizen, natural[2])]):
            self._submit(person, [matter], key=f"demo-wait-{i}")
            made += 1
        # In review: one fresh, one near its deadline, one overdue.
        calendar = load_calendar()
        today = timezone.localdate()
        for i, (person, matter, back) in enumerate([(citizen2, natural[3], 0), (citizen, natural[4], None), (citizen2, natural[5], 40)]):
            app = self._submit(person, [matter], key=f"demo-review-{i}")
            app = workflow.application_accept(application=app, clerk=clerk)
            workflow.dispatch_subcases(application_id=app.pk)
            made += 1
            for sub in app.subcases.all():
                if back is None:  # nearly used up: move the start back so one working day is left
                    back = max(sub.promised_days - 1, 0)
                if back:
                    start = calendar.subtract_workdays(today, back) if calendar.is_workday(today) else today - dt.timedelta(days=back)
                    deadline = law.decision_deadline(calendar, accepted_on=start, limit_days=sub.promised_days)
                    SubCase.objects.filter(pk=sub.pk).update(
                        started_on=start, deadline=deadline.day, deadline_provisional=deadline.provisional,
                        yellow_from=law.yellow_from(calendar, start=start, deadline=deadline.day,
                                                    limit_days=sub.promised_days),
                    )
                back = 0
        # One waiting for supplements, one decided and waiting at the delivery window.
        app = self._submit(citizen2, [natural[6]], key="demo-supplement")
        first = natural[6].materials.filter(source="applicant").first()
        workflow.application_request_supplement(
            application=app, clerk=clerk, note="请补齐后在网上重新提交,或到任一综合窗口提交。",
            items=[{"material": first.name if first else "申请表", "reason": "扫描件不清晰,无法辨认签名"}],
        )
        app = workflow.application_accept(application=self._submit(citizen, [natural[7]], key="demo-ready"), clerk=clerk)
        workflow.dispatch_subcases(application_id=app.pk)
        for sub in app.subcases.all():
            reviewer = User.objects.filter(role=User.Role.REVIEWER, department=sub.department).first()
            workflow.subcase_decide(subcase=sub, reviewer=reviewer, approve=True, reason="")
        workflow.prepare_result(application_id=app.pk)
        made += 2
        # A three-department theme for an enterprise, accepted and partly decided.
        if legal_theme is not None and enterprise is not None:
            matters = list(Matter.objects.filter(theme_links__theme=legal_theme).order_by("theme_links__order"))
            app = self._submit(staff, matters, theme=legal_theme, enterprise=enterprise, key="demo-theme")
            app = workflow.application_accept(application=app, clerk=clerk_legal)
            workflow.dispatch_subcases(application_id=app.pk)
            made += 1
            first = app.subcases.order_by("number").first()
            reviewer = User.objects.filter(role=User.Role.REVIEWER, department=first.department).first()
            if reviewer is not None:
                workflow.subcase_start_examining(subcase=first, reviewer=reviewer)
                workflow.subcase_decide(subcase=first, reviewer=reviewer, approve=True, reason="")
        return made

    # --- 首问责任 consultations ----------------------------------------------------------------

    @transaction.atomic
    def load_consultations(self):
        """A few consultations in every state, each made once (keyed by asker and topic): open at
        the window, handed over to a department, answered, and one overdue for the red list."""
        users = {u.username: u for u in User.objects.filter(username__in=[
            "citizen", "citizen2", "enterprise", "clerk", "clerk_legal", "clerk_taihe", "reviewer_rs"])}
        if len(users) < 7:
            return
        birth = Matter.objects.filter(name="出生登记").first()
        calendar = load_calendar()
        today = timezone.localdate()
        specs = [
            # (recorder, channel, asker, topic, question, matter, then)
            ("clerk", "window", users["citizen"], "新生儿落户",
             "小孩在清远市人民医院出生,户口想落在太和镇父亲户籍下,需要带哪些材料?能不能和医保、社保卡一起办?",
             birth, None),
            ("clerk", "phone", users["citizen2"], "灵活就业人员社保缴费",
             "在山塘镇开网店,没有单位,想按灵活就业人员参加养老保险,缴费基数怎么选、每月什么时候扣款?", None,
             ("handover", "reviewer_rs", "涉及灵活就业人员缴费基数政策,请区人社局答复。")),
            ("clerk_taihe", "online", users["citizen"], "个体户营业执照",
             "在太和镇开一家早餐店,个体工商户营业执照可以全程网上办理吗?需要先办食品经营许可吗?", None,
             ("answer", None, "个体工商户登记可在“粤商通”或本平台全程网办,一般当场核发;早餐店须在取得营业执照后申请"
                              "食品经营许可(小型餐饮可告知承诺办理),两项可在“我要开餐饮店”一件事中一次申请。")),
            ("clerk_legal", "window", users["enterprise"], "食品经营许可证延续",
             "公司的食品经营许可证下个月到期,延续申请要提前多久提交?需要现场核查吗?", None, ("overdue", None, "")),
        ]
        for recorder, channel, asker, topic, question, matter, then in specs:
            if Consultation.objects.filter(asker=asker, topic=topic).exists():
                continue
            consultation = window_services.consultation_open(
                staff=users[recorder], channel=channel, topic=topic, question=question, asker_name=asker.real_name,
                asker_phone=asker.phone, asker_id_number=asker.id_number, matter=matter,
            )
            kind = then[0] if then else ""
            if kind == "handover":
                window_services.consultation_hand_over(consultation=consultation, staff=users[recorder],
                                                       to=users[then[1]], reason=then[2])
            elif kind == "answer":
                window_services.consultation_answer(consultation=consultation, staff=users[recorder], answer=then[2])
            elif kind == "overdue":  # asked four working days ago and still not answered
                asked = calendar.subtract_workdays(today, 4) if calendar.is_workday(today) else today - dt.timedelta(days=6)
                moment = timezone.now() - dt.timedelta(days=(today - asked).days)
                Consultation.objects.filter(pk=consultation.pk).update(
                    opened_at=moment, due_on=calendar.add_workdays(asked, window_services.CONSULTATION_ANSWER_DAYS[channel]))
                # Demo history only: the log is append-only for the portal (AppendOnlyModel refuses
                # this through `objects`, a trigger on PostgreSQL); the loader back-dates the rows it
                # has just written, with the trigger held off, and re-seals today's chain.
                with pgtrigger.ignore("windows.ConsultationEvent:append_only"):
                    ConsultationEvent._base_manager.filter(consultation=consultation).update(created_at=moment)
                    audit.reseal_day(ConsultationEvent, timezone.localdate())
