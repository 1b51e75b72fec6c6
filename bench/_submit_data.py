"""The submission benchmarks' catalog and people (a helper module of bench_submit.py and
bench_load.py, not a benchmark: the runner runs only bench_*.py). Import after django.setup().

A natural-person theme of three matters of three departments (个体工商户开业一件事): each matter
asks three uploads and one licence that the e-licence store can supply (免提交), so one
submission carries 9 PDFs and 3 licence names; each citizen holds a 户口簿 there."""

from matters.models import MaterialRequirement
from tests.factories import held_licence, three_department_theme

UPLOAD = MaterialRequirement.Source.APPLICANT
THEME_CODE = "bench-submit"


def build_theme():
    """(theme, [matter, matter, matter])."""
    return three_department_theme(
        [["设立登记申请书", "公司章程", "住所使用证明"], ["涉税信息确认表", "财务负责人信息", "银行开户证明"],
         ["参保登记表", "职工名册", "劳动合同"]],
        code=THEME_CODE, name="个体工商户开业一件事")


def give_household_register(citizen, matters):
    """The citizen's 户口簿 in the e-licence store (referenced, not uploaded, by a submission)."""
    held_licence(citizen, matters[1], name="户口簿", number=f"441803-HK-{citizen.pk:06d}")


def form_fields(matters):
    """[(key, value template)] of the one form: '{n}' is replaced per submission."""
    return [(field.key, "13912345678" if field.type == "phone" else "陈志明{n}")
            for matter in matters for field in matter.fields.all()]


def upload_requirements(matters):
    """[(requirement id, file name)] of the nine uploads."""
    return [(r.pk, f"{r.name}.pdf") for m in matters for r in m.materials.all() if r.source == UPLOAD]
