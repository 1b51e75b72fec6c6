"""factory_boy factories that build whole aggregates: a district with a hall and departments,
clerks seated at windows, matters with materials and fields, and applications brought into a
state through the same services the portal uses."""

import datetime as dt
import itertools

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.identity import credit_check_char, id_check_char
from accounts.models import AgentAuthorisation, Department, Enterprise, EnterpriseMembership, Hall, Region, User
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
from windows import queue_services
from windows.models import AppointmentSlot, ClerkAuthorisation, Seat, Ticket, Window
from workflow import services

PASSWORD = "Demo#7Kq2m"


def password_sign_in(client, username, password=PASSWORD) -> bool:
    """Sign in through the sign-in page (django-axes needs the request, which
    `client.login` does not pass); True when the page let the person in."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_serial = itertools.count(1)


def valid_id_number(birth="19900307", region="441803") -> str:
    first17 = f"{region}{birth}{next(_serial) % 1000:03d}"
    return first17 + id_check_char(first17)


def valid_credit_code() -> str:
    first17 = f"91441803MA{next(_serial):07d}"[:17]
    return first17 + credit_check_char(first17)


def pdf_upload(name="材料.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "441803000000"
    name = "清新区"
    level = Region.Level.DISTRICT


def qingcheng_district():
    """清城区 (441802), the second district of the tests that need two (issue 15), under 清远市."""
    city = RegionFactory(code="441800000000", name="清远市", level=Region.Level.CITY)
    return RegionFactory(code="441802000000", name="清城区", parent=city)


def qingcheng_town():
    """凤城街道, a town of 清城区: a department's or hall's region below its district."""
    return RegionFactory(code="441802001000", name="凤城街道", level=Region.Level.TOWN, parent=qingcheng_district())


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"QX-D{n:03d}")
    name = factory.Sequence(lambda n: f"清远市清新区第{n}局")
    short_name = factory.Sequence(lambda n: f"区第{n}局")
    region = factory.SubFactory(RegionFactory)


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hall

    code = factory.Sequence(lambda n: f"HALL-{n:03d}")
    name = factory.Sequence(lambda n: f"清新区第{n}政务服务中心")
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"李{'明华伟芳'[n % 4]}{'军丽强静'[n % 4]}")
    id_number = factory.LazyFunction(valid_id_number)
    phone = "13800138000"
    role = User.Role.PUBLIC
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ReviewerFactory(UserFactory):
    role = User.Role.REVIEWER
    department = factory.SubFactory(DepartmentFactory)


class SupervisorFactory(UserFactory):
    role = User.Role.SUPERVISOR


class WindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Window

    hall = factory.SubFactory(HallFactory)
    number = factory.Sequence(lambda n: f"A{n:02d}")
    name = "自然人综合窗口"
    category = Window.Category.NATURAL


class ClerkFactory(UserFactory):
    """A clerk seated since 2026-01-01 at a window (natural-person by default), authorised (授权)
    for every matter unless `authorised=[matter, …]` names the only matters they may accept."""

    role = User.Role.CLERK

    @factory.post_generation
    def window(obj, create, extracted, **kwargs):
        if create:
            window = extracted or WindowFactory(**kwargs)
            Seat.objects.create(clerk=obj, window=window, starts_on=dt.date(2026, 1, 1))

    @factory.post_generation
    def authorised(obj, create, extracted, **kwargs):
        if not create:
            return
        grant = ClerkAuthorisation.objects.create(clerk=obj, starts_on=dt.date(2026, 1, 1),
                                                  all_matters=extracted is None)
        if extracted is not None:
            grant.matters.set(extracted)


def agent_for(principal, matters, *, agent=None, enterprise=None, starts_on=dt.date(2026, 1, 1),
              ends_on=dt.date(2026, 12, 31), **kwargs) -> AgentAuthorisation:
    """A 委托代办 authorisation recorded online by `principal` (created directly, any dates)."""
    authorisation = AgentAuthorisation.objects.create(
        principal=principal, enterprise=enterprise, agent=agent or UserFactory(), starts_on=starts_on,
        ends_on=ends_on, recorded_by=principal, **kwargs,
    )
    authorisation.matters.set(matters)
    return authorisation


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        skip_postgeneration_save = True

    credit_code = factory.LazyFunction(valid_credit_code)
    name = factory.Sequence(lambda n: f"清远市清新区第{n}贸易有限公司")
    legal_representative = "陈志强"

    @factory.post_generation
    def staff(obj, create, extracted, **kwargs):
        for user in extracted or []:
            EnterpriseMembership.objects.create(enterprise=obj, user=user)


class LicenceTypeFactory(factory.django.DjangoModelFactory):
    """A licence type (exchange.LicenceType): a person's, 长期, no data items, a local code."""

    class Meta:
        model = "exchange.LicenceType"
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试证照{n}")
    code = factory.Sequence(lambda n: f"LOCAL-T{n:04d}")


class MatterFactory(factory.django.DjangoModelFactory):
    """A matter with one required upload, one 免提交 material and two form fields."""

    class Meta:
        model = Matter
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"441803-XK-{n:04d}")
    name = factory.Sequence(lambda n: f"测试许可事项{n}")
    department = factory.SubFactory(DepartmentFactory)
    target = "natural"
    legal_days = 20
    promised_days = 10

    @factory.post_generation
    def materials(obj, create, extracted, **kwargs):
        if not create:
            return
        for spec in extracted if extracted is not None else [
            {"name": "申请表", "source": MaterialRequirement.Source.APPLICANT},
            {"name": "居民身份证", "source": MaterialRequirement.Source.LICENCE},
        ]:
            MaterialRequirement.objects.create(matter=obj, **spec)

    @factory.post_generation
    def fields(obj, create, extracted, **kwargs):
        if not create:
            return
        for order, spec in enumerate(extracted if extracted is not None else [
            {"key": "applicant_name", "label": "申请人姓名"},
            {"key": "contact_phone", "label": "联系电话", "type": "phone"},
        ]):
            FormField.objects.create(matter=obj, order=order, **spec)


def theme_with(matters, *, code="kaiban-qiye", name="开办企业", target="legal") -> Theme:
    theme = Theme.objects.create(code=code, name=name, target=target)
    for order, matter in enumerate(matters):
        ThemeMatter.objects.create(theme=theme, matter=matter, order=order)
    return theme


SUBMISSION_THEME_DEPARTMENTS = (  # (department, the licence its matter takes from the e-licence store)
    ("清远市清新区市场监督管理局", "居民身份证"),
    ("清远市清新区税务局", "户口簿"),
    ("清远市清新区人力资源和社会保障局", "结婚证"),
)


def three_department_theme(uploads, *, code, name):
    """(theme, [matter ×3]): a natural person's theme of three departments' matters, each asking
    its uploads (`uploads`: one list of names per matter) and one licence the e-licence store can
    supply (免提交): the submission path's query-count tests and benchmarks (bench/_submit_data.py)."""
    from matters.versioning import current_versions

    matters = []
    for (department, licence), names in zip(SUBMISSION_THEME_DEPARTMENTS, uploads, strict=True):
        materials = [{"name": n, "source": MaterialRequirement.Source.APPLICANT} for n in names]
        materials.append({"name": licence, "source": MaterialRequirement.Source.LICENCE})
        matters.append(MatterFactory(department=DepartmentFactory(name=department), target="natural",
                                     materials=materials))
    current_versions(matters)  # published guides, as the catalog has them before anyone applies
    return theme_with(matters, code=code, name=name, target="natural"), matters


def held_licence(holder, matter, *, name, number):
    """A valid licence of `name` held by `holder` in the e-licence store (issued 2020, no expiry)."""
    from exchange.models import ElectronicLicence

    return ElectronicLicence.objects.create(
        number=number, case_ref=f"S-{number}", application_number=f"A-{number}", matter=matter, name=name,
        department=matter.department, holder_name=holder.real_name, holder_id_number=holder.id_number,
        holder_id_masked="x", holder_user=holder, issued_on="2020-01-01", valid_from="2020-01-01",
        sha256="a" * 64, digest="b" * 64,
    )


def newborn_theme():
    """A natural-person theme of three matters of three departments (新生儿出生一件事) with two
    situation questions: "落户清新区?" (否 leaves out the household registration) and "由谁申报?"
    (委托他人 adds the conditional power of attorney). One material is deferrable (容缺)."""
    A = MaterialRequirement.Source.APPLICANT
    hukou = MatterFactory(name="出生登记", department=DepartmentFactory(name="清远市公安局清新分局"), promised_days=5,
                          materials=[{"name": "出生医学证明", "source": A}, {"name": "父母户口簿", "source": A},
                                     {"name": "授权委托书", "source": A},
                                     {"name": "结婚证", "source": MaterialRequirement.Source.LICENCE}],
                          fields=[{"key": "newborn_name", "label": "新生儿姓名"},
                                  {"key": "newborn_birth_date", "label": "出生日期", "type": "date"},
                                  {"key": "applicant_name", "label": "申报人姓名"},
                                  {"key": "contact_phone", "label": "联系电话", "type": "phone"}])
    insurance = MatterFactory(name="城乡居民医保参保登记", department=DepartmentFactory(name="清远市清新区医疗保障局"),
                              promised_days=3, type_code="GF",
                              materials=[{"name": "参保登记表", "source": A, "deferrable": True}],
                              fields=[{"key": "newborn_name", "label": "新生儿姓名"},
                                      {"key": "applicant_name", "label": "申报人姓名"}])
    card = MatterFactory(name="社会保障卡申领", department=DepartmentFactory(name="清远市清新区人力资源和社会保障局"),
                         promised_days=10, type_code="GF",
                         materials=[{"name": "新生儿免冠照片", "source": A}],
                         fields=[{"key": "newborn_name", "label": "新生儿姓名"},
                                 {"key": "bank", "label": "社保卡开户银行", "type": "choice",
                                  "choices": ["中国工商银行", "中国农业银行", "清远农商银行"]}])
    theme = theme_with([hukou, insurance, card], code="xinshenger", name="新生儿出生一件事", target="natural")
    settle = SituationQuestion.objects.create(theme=theme, text="新生儿是否在清新区落户?", order=0)
    SituationOption.objects.create(question=settle, label="是", order=0)
    elsewhere = SituationOption.objects.create(question=settle, label="否,在外地落户", order=1)
    elsewhere.excluded_matters.add(hukou)
    who = SituationQuestion.objects.create(theme=theme, text="由谁申报?", order=1)
    SituationOption.objects.create(question=who, label="父母本人", order=0)
    agent = SituationOption.objects.create(question=who, label="委托他人", order=1)
    power = hukou.materials.get(name="授权委托书")
    ConditionalMaterial.objects.create(requirement=power, note="委托他人申报")
    OptionMaterial.objects.create(option=agent, requirement=power)
    return theme


def form_for(matters, applicant):
    data = {}
    for matter in matters:
        for field in matter.fields.all():
            data[field.key] = {"phone": "13912345678", "id_number": applicant.id_number, "date": "2026-10-09",
                               "number": "1", "choice": (field.choices or [""])[0]}.get(field.type, "清新区太和镇")
    return data


def files_for(matters):
    return {f"material_{r.pk}": pdf_upload(f"{r.name}.pdf")
            for m in matters for r in m.materials.all() if r.must_be_brought}


def submitted_application(*, applicant=None, matters=None, **kwargs):
    applicant = applicant or UserFactory()
    matters = matters or [MatterFactory()]
    return services.application_submit(submission=services.Submission(
        applicant=applicant, matters=matters, form_data=form_for(matters, applicant), files=files_for(matters),
        **kwargs,
    ))


def accepted_application(*, clerk=None, **kwargs):
    application = submitted_application(**kwargs)
    return services.application_accept(application=application, clerk=clerk or ClerkFactory())


# --- the queue and appointments ----------------------------------------------------------------


def ticket(*, hall, category=Window.Category.NATURAL, **kwargs) -> Ticket:
    """A ticket taken through the same service as the hall's terminal (numbered A001 …)."""
    return queue_services.ticket_take(hall=hall, category=category, **kwargs)


class AppointmentSlotFactory(factory.django.DjangoModelFactory):
    """A slot tomorrow at 09:00–10:00 Beijing time, with room for four."""

    class Meta:
        model = AppointmentSlot

    hall = factory.SubFactory(HallFactory)
    category = Window.Category.NATURAL
    date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1))
    starts_at = factory.LazyAttribute(lambda o: timezone.make_aware(dt.datetime.combine(o.date, dt.time(9, 0))))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=1))
    capacity = 4
def received_at_window(*, clerk, applicant=None, matters=None):
    """Registered at the clerk's window, not yet accepted (in her hands: 我经手的在办件)."""
    from workflow.rules import clerk_desk

    applicant = applicant or UserFactory()
    matters = matters or [MatterFactory()]
    desk = clerk_desk(clerk, category=matters[0].target)
    return services.application_receive_at_window(submission=services.Submission(
        applicant=applicant, matters=matters, form_data=form_for(matters, applicant), files=files_for(matters),
    ), clerk=clerk, hall_id=desk.hall_id)


def walk_in_application(*, clerk=None, applicant=None, matters=None):
    """Registered and accepted at the clerk's window (a window visit: 窗口受理)."""
    clerk = clerk or ClerkFactory()
    application = received_at_window(clerk=clerk, applicant=applicant, matters=matters)
    return services.application_accept(application=application, clerk=clerk)


def concluded_application(*, applicant=None, matters=None, clerk=None):
    """Online, accepted, dispatched and approved by each department: concluded (网上办件可评价)."""
    from workflow.models import Application

    application = accepted_application(applicant=applicant, matters=matters, clerk=clerk)
    services.dispatch_subcases(application_id=application.pk)
    for subcase in application.subcases.select_related("department"):
        reviewer = ReviewerFactory(department=subcase.department)
        services.subcase_decide(subcase=subcase, reviewer=reviewer, approve=True, reason="")
    return Application.objects.get(pk=application.pk)
