"""Reads of the electronic-licence store shared by pages and API: whose licences a user may see,
and the public verification by number and printed code."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.digests import code_matches, normalise_code
from core.errors import NotFound

from .models import ElectronicLicence, LicenceStatus


def licences_for(user):
    """A citizen: the licences they hold, hold as a guardian (a newborn's 出生医学证明), or that
    an enterprise they act for holds; a reviewer:
    the ones their department issued; a supervisor: all. Clerks check licences on the public
    verification page like anyone else."""
    qs = ElectronicLicence.objects.select_related("department", "matter")
    if not user.is_authenticated:
        return qs.none()
    if user.is_supervisor or user.is_superuser:
        return qs
    if user.is_reviewer:
        return qs.filter(department_id=user.department_id)
    if user.is_public:
        return qs.filter(Q(holder_user=user) | Q(guardian_user=user) | Q(holder_enterprise__members=user)).distinct()
    return qs.none()


def access_licence(user, number: str) -> ElectronicLicence:
    licence = licences_for(user).filter(number=number).first()
    if licence is None:
        raise NotFound(_("未找到该电子证照,或您无权查看。"), code="licence_not_found")
    return licence


def data_queries_about(user):
    """数据使用记录: the queries of a person's data at the data sources, for that person only
    (the reviewer reads a case's record through the case, not this list)."""
    from .models import DataQuery

    if not getattr(user, "is_authenticated", False) or not user.is_public:
        return DataQuery.objects.none()
    return DataQuery.objects.filter(subject=user).select_related("matter", "asked_by").order_by("-asked_at", "-pk")


def data_use_enterprises(user):
    """The enterprises whose 数据使用记录 a citizen may read: those they act for (经办人)."""
    from accounts.models import Enterprise

    if not getattr(user, "is_authenticated", False) or not user.is_public:
        return Enterprise.objects.none()
    return Enterprise.objects.filter(enterprisemembership__user=user).order_by("name")


def access_enterprise_data_use(user, credit_code: str):
    """(enterprise, its queries) for a member of the enterprise; NotFound for anyone else."""
    from .models import DataQuery

    enterprise = data_use_enterprises(user).filter(credit_code=(credit_code or "").strip().upper()).first()
    if enterprise is None:
        raise NotFound(_("未找到该企业,或您不是该企业的经办人。"), code="enterprise_not_found")
    rows = DataQuery.objects.filter(subject_enterprise=enterprise).select_related("matter", "asked_by") \
        .order_by("-asked_at", "-pk")
    return enterprise, rows


def verify_licence(number: str, code: str) -> ElectronicLicence | None:
    """The licence with this number whose digest starts with the printed code; the same None
    for an unknown number and a wrong code."""
    licence = ElectronicLicence.objects.select_related("department", "matter").filter(
        number=(number or "").strip().upper()).first()
    if licence is None or not code_matches(licence.digest, normalise_code(code)):
        return None
    return licence


def public_facts(licence: ElectronicLicence, day) -> dict:
    """What the public verification shows: what the licence states, the holder masked, and
    whether it is valid today."""
    from accounts.districts import district_name
    from accounts.identity import mask_enterprise, mask_name

    status = licence.status_on(day)
    return {
        "number": licence.number,
        "name": licence.name,
        "holder": mask_enterprise(licence.holder_name) if licence.holder_enterprise_id else mask_name(licence.holder_name),
        "holder_id": licence.holder_id_masked,
        "holder_birth_date": licence.holder_birth_date,
        "guardian": mask_name(licence.guardian_name),
        "department": licence.department.name,
        "area": district_name(licence.department.region.district_code),  # the issuer's district
        "issued_on": licence.issued_on,
        "valid_from": licence.valid_from,
        "valid_until": licence.valid_until,
        "status": status,
        "status_display": LicenceStatus(status).label,
        "revoked_at": licence.revoked_at,
        "revocation_reason": licence.revocation_reason,
        "verification_code": licence.verification_code,
    }


def exemption_counts(matters, since, until=None) -> dict[int, dict[str, int]]:
    """免提交 and 免填 per matter from `since` (a datetime) to before `until` (None: now):
    {matter_id: {"materials": n, "fields": m}} — materials not handed in, and pre-filled fields
    the applicant kept (a corrected one was typed after all). Matters with neither are absent.
    `matters`: None for every matter, or the matters (a queryset stays a subquery: the dashboard's
    1,000 matters are not loaded to be sent back as 1,000 parameters)."""
    from django.db.models import Count

    from .models import Exemption

    counts: dict[int, dict[str, int]] = {}
    rows = Exemption.objects.filter(at__gte=since)
    if matters is not None:
        rows = rows.filter(matter__in=matters)
    if until is not None:
        rows = rows.filter(at__lt=until)
    rows = (rows
            .exclude(kind=Exemption.Kind.FIELD, corrected=True)
            .values("matter_id", "kind").annotate(n=Count("pk")))
    for row in rows:
        entry = counts.setdefault(row["matter_id"], {"materials": 0, "fields": 0})
        entry["materials" if row["kind"] == Exemption.Kind.MATERIAL else "fields"] += row["n"]
    return counts


FIELD_LABELS = {  # lazily translated: read at import
    "name": _l("姓名"), "address": _l("住址"), "household_no": _l("户号"), "relation": _l("与户主关系"),
    "insured": _l("参保状态"), "months": _l("累计缴费月数"), "account_open": _l("账户状态"), "balance": _l("账户余额(元)"),
    "properties": _l("名下不动产(处)"), "certificate_no": _l("不动产权证号"), "status": _l("状态"), "account": _l("户号"),
    "arrears": _l("欠费(元)"), "unpaid_violations": _l("未处理违章(起)"), "legal_representative": _l("法定代表人"),
}


def fetched_record(query_id: int) -> dict:
    """A logged data-source answer as a page shows it: source, when, by whom, why, each field with
    its Chinese label, and the answer's digest."""
    from .datasources import SOURCES
    from .models import DataQuery

    query = DataQuery.objects.select_related("asked_by", "matter").get(pk=query_id)

    def shown(value):
        if value is True:
            return _("是")
        if value is False:
            return _("否")
        return value

    return {
        "source": SOURCES.get(query.source, query.source), "asked_at": query.asked_at, "purpose": query.purpose,
        "matter": query.matter.name, "outcome": query.get_outcome_display(), "digest": query.answer_digest,
        "rows": [(FIELD_LABELS.get(name, name), shown(value)) for name, value in query.answer.items()],
    }


def _valid_licences_query(holder_id_number, names, day):
    return (ElectronicLicence.objects.filter(ElectronicLicence.held_by(holder_id_number), name__in=names,
                                             revoked_at__isnull=True)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .order_by("name", "-issued_on", "-pk")
            .only("pk", "number", "name", "sha256", "issued_on"))


# (database alias, number of names): (SQL, what each parameter is), compiled once by the ORM: the
# submission path asks on every request (the ID number goes in as its blind index, core.pii)
_VALID_LICENCES_SQL: dict[tuple[str, int], tuple[str, list]] = {}
_HOLDER_MARK, _DAY_MARK = "\x00HOLDER", dt.date(1901, 2, 3)


def _valid_licences_rows(holder_id_number, names, day):
    from django.db import connections, router

    from core.pii import blind_index

    alias = router.db_for_read(ElectronicLicence)
    adapt = connections[alias].ops.adapt_datefield_value
    kind = ElectronicLicence._meta.get_field("holder_id_number").index_kind
    cached = _VALID_LICENCES_SQL.get((alias, len(names)))
    if cached is None:
        marks = [f"\x00name{i}" for i in range(len(names))]
        sql, compiled = _valid_licences_query(_HOLDER_MARK, marks, _DAY_MARK).query.get_compiler(alias).as_sql()
        known = {_HOLDER_MARK: "holder", blind_index(_HOLDER_MARK, kind): "holder_index", _DAY_MARK: "day",
                 adapt(_DAY_MARK): "day_text", **{m: i for i, m in enumerate(marks)}}
        roles = [known.get(p) if isinstance(p, (str, type(_DAY_MARK))) else None for p in compiled]
        if None in roles or sorted(r for r in roles if isinstance(r, int)) != list(range(len(names))):
            return _valid_licences_query(holder_id_number, names, day)  # not the statement expected: the ORM's
        cached = _VALID_LICENCES_SQL[(alias, len(names))] = (sql, roles)
    sql, roles = cached
    values = {"holder": holder_id_number, "holder_index": blind_index(holder_id_number, kind), "day": day,
              "day_text": adapt(day)}
    return ElectronicLicence.objects.db_manager(alias).raw(
        sql, [names[r] if isinstance(r, int) else values[r] for r in roles])


def valid_licences_for(*, holder_id_number: str, names, day=None) -> dict[str, ElectronicLicence]:
    """{name: licence} for every name in `names` of which the holder (ID number or credit code)
    holds, or holds as a guardian, a licence valid on `day` (not revoked, not expired): the newest
    one of each name, all read in one query (its SQL compiled once per number of names). For the
    免提交 materials of one submission, however many matters and licence names it has."""
    from django.utils import timezone

    names = sorted({n for n in names if n})
    if not holder_id_number or not names:
        return {}
    day = day or timezone.localdate()
    found: dict[str, ElectronicLicence] = {}
    for licence in _valid_licences_rows(holder_id_number, names, day):
        found.setdefault(licence.name, licence)  # the newest of each name comes first
    return found


def licence_type_gaps() -> list:
    """目录审计 (matters.hooks.licence_type_gaps): the licence types still on a placeholder code or
    without an issuer credit code, with how many matters issue them."""
    from types import SimpleNamespace

    from django.db.models import Count
    from django.urls import reverse

    from .models import LicenceType

    rows = (LicenceType.objects.filter(LicenceType.on_local_codes()).annotate(
        matter_count=Count("matters", filter=Q(matters__is_active=True)))
            .order_by("code"))
    return [SimpleNamespace(name=t.name, code=t.code, issuer_code=t.issuer_code, missing=t.missing_codes,
                            matters=t.matter_count, admin_url=reverse("admin:exchange_licencetype_change", args=[t.pk]))
            for t in rows]
