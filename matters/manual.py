"""The business manual (业务手册) of a matter, for clerks and reviewers: the guide plus what staff
need and citizens do not read. Nothing here is typed by hand: each step and check is derived from
the matter's standard (its limits, materials and their trust levels, entry mode, fees, result).

- How to check each material, by its trust level (A issued by an authority: fetched from the
  licence store or the data source, or the original checked for the issuer's seal; B the clerk
  checks the original against the copy; C the applicant's upload is examined; D made and vouched
  for by the applicant: signed promise, spot checks afterwards).
- The internal steps from receipt to delivery with the clock of each: pre-review within 5
  working days (online), acceptance, the department's examination within the promised limit
  (yellow card at `core.clock.law.yellow_line`), the one extension of the legal limit,
  the decision, the licence within 10 working days, delivery.
- Audit notes: what the catalog audit (`matters.audit`) finds wrong in this guide.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.clock.law import LICENCE_DAYS, MAX_EXTENSION_DAYS, PRE_REVIEW_DAYS, yellow_line

from . import audit
from .models import MaterialRequirement, Matter

TRUST_CHECKS = {
    MaterialRequirement.TrustLevel.A: gettext_lazy("权威部门核发:通过电子证照库或数据共享调取核验;无电子证照的核验原件及发证机关印章,无需申请人另行证明。"),
    MaterialRequirement.TrustLevel.B: gettext_lazy("窗口人员核验:当场比对原件与复印件,在复印件上签注“与原件一致”及核验人、日期。"),
    MaterialRequirement.TrustLevel.C: gettext_lazy("申请人上传:审查扫描件清晰、完整、与申请事项一致;存疑的通知申请人提交原件核验。"),
    MaterialRequirement.TrustLevel.D: gettext_lazy("申请人自制并承诺:核对已签名(盖章)承诺其真实性;不作实质审查,办结后按比例抽查,虚假承诺记入信用记录。"),
}

SHARED_CHECKS = {  # 免提交: nobody brings these
    MaterialRequirement.Source.LICENCE: gettext_lazy(
        "免提交:由电子证照库调取,核对证照状态有效、持证主体与申请人一致;库中无此证照的,请申请人出示原件核验。"),
    MaterialRequirement.Source.DATA_SOURCE: gettext_lazy(
        "免提交:经共享交换平台向数源部门查询,核对返回结果并留存查询记录;查询无结果的,一次性告知申请人提交。"),
}


@dataclass(frozen=True)
class Step:
    who: str
    what: str
    limit: str = ""


def material_checks(requirements) -> list[dict]:
    rows = []
    for r in requirements:
        how = str(SHARED_CHECKS.get(r.source) or TRUST_CHECKS.get(r.trust_level, ""))
        rows.append({
            "requirement": r,
            "check": how,
            "deferrable": r.deferrable,
        })
    return rows


def _days(n: int) -> str:
    return _("当日") if n == 0 else _("%(n)s 个工作日") % {"n": n}


def internal_steps(matter: Matter, requirements) -> list[Step]:
    window = (_("%(dept)s进驻大厅的部门窗口") % {"dept": matter.department.name}
              if matter.entry_mode == Matter.EntryMode.DEPARTMENT else _("综合窗口"))
    deferrable = [r.name for r in requirements if r.deferrable]
    steps = [
        Step(_("申请人"), _("网上申报或到大厅%(w)s递交;网办深度:%(d)s。") % {"w": window, "d": matter.get_online_depth_display()}),
        Step(window, _("网上申请的预审:材料齐全、符合法定形式的受理;不齐全的一次性告知须补正的全部内容;"
                       "逾期未作决定的,自收到申请之日起视为受理。"), _days(PRE_REVIEW_DAYS)),
        Step(window, _("窗口收件:核验申请人(经办人)身份及授权委托,逐项按“材料核验要点”核验,材料齐全的当场受理,"
                       "出具受理通知书。")
             + (_("可容缺受理的材料:%(m)s,限期补交。") % {"m": "、".join(deferrable)} if deferrable else ""), _("当场")),
    ]
    if matter.promised_days == 0:
        steps.append(Step(matter.department.name, _("即办件:受理当日审查并作出决定。"), _days(0)))
    else:
        warn = yellow_line(matter.promised_days)
        steps.append(Step(matter.department.name, _(
            "审查:受理次日起算(受理当日不计),剩余不超过 %(w)s 个工作日时亮黄牌,逾期亮红牌;"
            "听证、检验、检测、鉴定、专家评审及受理后补正的时间不计入。") % {"w": warn}, _days(matter.promised_days)))
        if matter.kind == Matter.Kind.LICENSING and matter.legal_days:
            steps.append(Step(_("部门负责人"), _(
                "法定时限内不能作出决定的,经本部门负责人批准可延长一次,最多 %(n)s 个工作日,并告知申请人理由。")
                % {"n": MAX_EXTENSION_DAYS}, _("法定 %(n)s") % {"n": _days(matter.legal_days)}))
    steps.append(Step(matter.department.name, _(
        "作出准予或不予的决定;不予的须说明理由,并告知申请行政复议或提起行政诉讼的权利。")))
    if matter.issues_licence:
        steps.append(Step(matter.department.name, _("准予的,颁发《%(r)s》并同步生成电子证照。") % {
            "r": matter.result_name or matter.name}, _days(LICENCE_DAYS)))
    if matter.fee_fen:
        steps.append(Step(window, _("按“%(b)s”收费,出具财政票据。") % {"b": matter.fee_basis}))
    steps.append(Step(_("综合出件窗口"), _("凭申请人身份证件发放办理结果;可邮寄送达。")))
    return steps


def audit_notes(matter: Matter) -> list[str]:
    """The catalog audit's findings for this one guide (an empty list: nothing found)."""
    return [f"{p.label}{':' + p.detail if p.detail else ''}" for p in audit._problems_of(matter)]
