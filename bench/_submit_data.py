"""The submission benchmarks' catalog and people (a helper module of bench_submit.py and
bench_load.py, not a benchmark: the runner runs only bench_*.py). Import after django.setup().

A natural-person theme of three matters of three departments (个体工商户开业一件事): each matter
asks three uploads and one licence that the e-licence store can supply (免提交), so one
submission carries 9 PDFs and 3 licence names; each citizen holds a 户口簿 there."""

from exchange.models import ElectronicLicence
from matters.models import MaterialRequirement
from matters.versioning import current_versions
from tests.factories import DepartmentFactory, MatterFactory, theme_with

UPLOAD, LICENCE = MaterialRequirement.Source.APPLICANT, MaterialRequirement.Source.LICENCE
THEME_CODE = "bench-submit"
DEPARTMENTS = ("清远市清新区市场监督管理局", "清远市清新区税务局", "清远市清新区人力资源和社会保障局")


def build_theme():
    """(theme, [matter, matter, matter])."""
    matters = []
    for department, licence, uploads in zip(
        DEPARTMENTS,
        ("居民身份证", "户口簿", "结婚证"),
        (["设立登记申请书", "公司章程", "住所使用证明"], ["涉税信息确认表", "财务负责人信息", "银行开户证明"],
         ["参保登记表", "职工名册", "劳动合同"]),
        strict=True,
    ):
        materials = [{"name": name, "source": UPLOAD} for name in uploads] + [{"name": licence, "source": LICENCE}]
        matters.append(
            MatterFactory(department=DepartmentFactory(name=department), target="natural", materials=materials)
        )
    current_versions(matters)
    return theme_with(matters, code=THEME_CODE, name="个体工商户开业一件事", target="natural"), matters


def give_household_register(citizen, matters):
    """The citizen's 户口簿 in the e-licence store (referenced, not uploaded, by a submission)."""
    ElectronicLicence.objects.create(
        number=f"441803-HK-{citizen.pk:06d}",
        case_ref=f"HK{citizen.pk}",
        application_number=f"HK{citizen.pk}",
        matter=matters[1],
        name="户口簿",
        department=matters[1].department,
        holder_name=citizen.real_name,
        holder_id_number=citizen.id_number,
        holder_id_masked="x",
        holder_user=citizen,
        issued_on="2020-01-01",
        valid_from="2020-01-01",
        sha256="a" * 64,
        digest="b" * 64,
    )


def form_fields(matters):
    """[(key, value template)] of the one form: '{n}' is replaced per submission."""
    return [(field.key, "13912345678" if field.type == "phone" else "陈志明{n}")
            for matter in matters for field in matter.fields.all()]


def upload_requirements(matters):
    """[(requirement id, file name)] of the nine uploads."""
    return [(r.pk, f"{r.name}.pdf") for m in matters for r in m.materials.all() if r.source == UPLOAD]
