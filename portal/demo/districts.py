"""The demo's second district (issue 15): 清城区 (GB/T 2260 441802) of the same city, run by the
same deployment. Its region rows, one hall with a comprehensive window and its clerk, and its
market regulation department with two matters and a reviewer. Loaded with the 清新区 rows by
`load_demo` (the same idempotent code: everything keyed by its code or username).

The district of every row is derived from its region's code (docs/decisions.md, issue 15): the
department's matters number their applications 441802-… and their licences DZZZ-441802-…, wherever
they are received (同城通办). The 清新区 demo cases pick 清新区 matters only (`home_matters`), so
the second district changes none of them. One 清城区 case shows 同城通办 across the districts (`load_cases`)."""

from matters.models import Matter

from .catalog import CITY, DISTRICT, _f, _id_card, _m, _matter, _user

QINGCHENG = "441802000000"
FENGCHENG = "441802001000"

REGIONS = [
    {"code": QINGCHENG, "name": "清城区", "level": "district", "parent": CITY},
    {"code": FENGCHENG, "name": "凤城街道", "level": "town", "parent": QINGCHENG},
    {"code": "441802002000", "name": "东城街道", "level": "town", "parent": QINGCHENG},
    {"code": "441802003000", "name": "洲心街道", "level": "town", "parent": QINGCHENG},
]

DEPARTMENTS = [
    {"code": "QC-SCJG", "name": "清远市清城区市场监督管理局", "short_name": "清城区市场监管局", "region": QINGCHENG,
     "phone": "0763-3362315"},
]

HALLS = [
    {"code": "QC-ZWZX", "name": "清城区政务服务中心", "region": QINGCHENG,
     "address": "清远市清城区凤城街道北江路28号", "phone": "0763-3368345",
     "opening_hours": "周一至周五 8:30-12:00,14:30-17:30"},
]

WINDOWS = [
    {"hall": "QC-ZWZX", "number": "A01", "name": "综合受理窗口", "category": "natural", "department": None},
]


def _qingcheng(**kwargs) -> dict:
    """A matter of the 清城区 department: built like a 清新区 one, then its code (实施编码) takes
    the district's code and the department's, and its phone is the department's."""
    row = _matter(department="QX-SCJG", **kwargs)
    department = DEPARTMENTS[0]
    row.update(code=f"{kwargs['basic_code']}-4-{QINGCHENG[:6]}-{department['code'].removeprefix('QC-')}",
               department=department["code"], phone=department["phone"])
    return row


MATTERS = [
    _qingcheng(
        basic_code="XK00206000", name="食品摊贩登记", kind="licensing", target="natural",
        legal_basis="《中华人民共和国食品安全法》第三十六条;《广东省食品生产加工小作坊和食品摊贩管理条例》第二十六条",
        conditions="在县级人民政府划定的区域和时段内经营;有符合食品安全要求的经营设施;从业人员持有有效健康证明。",
        legal_days=10, promised_days=3, visits=1, online_depth=3, issues_licence=True, result_name="食品摊贩登记卡",
        materials=[
            _m("食品摊贩登记申请表", form="electronic"),
            _id_card("经营者"),
            _m("从业人员健康证明", source="licence", note="由电子证照库调取健康证明,免提交"),
        ],
        fields=[_f("applicant_name"), _f("applicant_id_number"), _f("business_address"), _f("business_scope"),
                _f("contact_phone")],
    ),
    _qingcheng(
        basic_code="XK00401000", name="广告发布登记", kind="licensing", target="legal",
        legal_basis="《中华人民共和国广告法》第二十九条;《广告发布登记管理规定》(国家市场监督管理总局令第21号)第四条",
        conditions="广播电台、电视台、报刊出版单位从事广告发布业务;有专门从事广告业务的机构和人员、场所和设备。",
        legal_days=20, promised_days=5, visits=0, online_depth=4, issues_licence=True, result_name="广告发布登记证",
        materials=[
            _m("广告发布登记申请表", form="electronic"),
            _m("营业执照", source="licence", note="由电子证照库调取,免提交"),
            _m("广告业务机构和广告经营设备情况说明", form="copy"),
        ],
        fields=[_f("company_name"), _f("credit_code", required=False), _f("legal_representative"),
                _f("business_address"), _f("contact_phone")],
    ),
]

USERS = [
    # a resident of 凤城街道, whose 食品摊贩登记 was accepted at the 清新区 centre (同城通办)
    _user("citizen_qingcheng", "public", "冼丽华", "44180219890521028", "13826370154"),
    _user("clerk_qingcheng", "clerk", "邝嘉怡", "44180219950316024", "13902637418", seats=[("QC-ZWZX", "A01")]),
    _user("reviewer_qc_scjg", "reviewer", "江伟成", "44180219820729013", "13729856104", department="QC-SCJG"),
    # 清城区's supervisor: the dashboard, cards, complaints and evaluation of 清城区 alone (issue 15)
    _user("supervisor_qingcheng", "supervisor", "温丽萍", "44180219800612027", "13826439175", district=QINGCHENG),
]


CASE_KEY = "qingcheng-tanfan"


def load_cases(command) -> int:
    """Once: 冼丽华 of 清城区 applies online for the 清城区 食品摊贩登记; `clerk` accepts it at the
    清新区 centre (同城通办), the 清城区 reviewer approves it and its licence is delivered
    electronically. Its number is 441802-…, its licence DZZZ-441802-…."""
    from accounts.models import User
    from workflow.models import Application

    from .delivery import KEY, _ready

    if Application.objects.filter(idempotency_key=f"{KEY}{CASE_KEY}").exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["citizen_qingcheng", "clerk"])}
    if len(users) < 2:
        return 0
    _ready(command, applicant=users["citizen_qingcheng"], matter_name="食品摊贩登记", key=CASE_KEY,
           clerk=users["clerk"], delivery={"method": "electronic"})
    return 1


def home_matters():
    """The active, in-hall matters of the demo's own district (清新区), by code: the 清新区 demo
    cases pick from these by position, so that another district's matters move none of them."""
    return Matter.objects.filter(is_active=True, in_hall=True, department__region__code__startswith=DISTRICT[:6])
