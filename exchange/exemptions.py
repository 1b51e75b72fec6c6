"""免提交 and 免填 (issue 10 B step 3): materials the government already holds, and form fields
it already knows, taken from a data source answer or a valid e-licence instead of the applicant.

Two halves, so that no query is sent inside the submission's transaction (a rollback would drop
its log row, and the citizen must see every query made about them):

- `fetch` (pages and the API, before submitting): queries the data sources the matters'
  `MaterialSource`/`FieldSource` rows name, at most once per matter and source, each query
  logged (`exchange.data_access.query_for`); looks licences up in the store.
- `recorded` (the submission itself, in its transaction): the same outcome read back from the
  query log (a found answer of the last `REUSE_MINUTES`) and the licence store, nothing sent.

A requirement with no `MaterialSource` is not this module's: the catalog's description
(`MaterialRequirement.source`) stays what the workflow records. A mapped one whose source fails
or finds nothing is handed in by the applicant like any other material, with the reason shown.
`record` writes the `Exemption` ledger that `exchange.selectors.exemption_counts` counts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .data_access import NotPermitted, query_for
from .datasources import SOURCES, DataSourceError, takes_enterprise
from .models import DataQuery, ElectronicLicence, Exemption, FieldSource, MaterialSource

REUSE_MINUTES = 60


@dataclass(frozen=True)
class MaterialOutcome:
    """Whether one mapped material requirement was obtained, from where, or why not."""

    requirement_id: int
    obtained: bool
    kind: str  # MaterialSource.Kind
    source: str  # data-source code, or "licence"
    label: str  # "户籍数据", "电子证照:结婚证"
    reference: str = ""  # the licence number, or "数据查询 #<id>"
    sha256: str = ""  # the licence file's or the answer's digest
    query_id: int | None = None
    message: str = ""  # why not, for the applicant (Chinese)


@dataclass(frozen=True)
class FieldOutcome:
    key: str
    value: str
    source: str
    label: str  # "户籍数据"
    query_id: int | None = None


@dataclass
class Outcomes:
    materials: dict[int, MaterialOutcome] = field(default_factory=dict)
    fields: dict[str, FieldOutcome] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [o.message for o in self.materials.values() if not o.obtained and o.message]


def _source_label(source: str) -> str:
    return _("%(source)s数据") % {"source": SOURCES.get(source, source)}


def _mappings(requirements, matters):
    """The data sources of these requirements and matters' fields. Kept on the first matter
    object for its lifetime (one request): the apply page's preview and the submission then read
    the catalog's mappings once."""
    ids = [r.pk for r in requirements]
    matters = list(matters)
    key = (tuple(ids), tuple(m.pk for m in matters))
    memo = getattr(matters[0], "_exchange_mappings", None) if matters else None
    if memo is not None and memo[0] == key:
        return memo[1]
    material_sources = {m.requirement_id: m for m in MaterialSource.objects.filter(requirement_id__in=ids)}
    field_sources = list(FieldSource.objects.filter(matter__in=matters).order_by("matter_id", "pk"))
    if matters:
        matters[0]._exchange_mappings = (key, (material_sources, field_sources))
    return material_sources, field_sources


def _licence(mapping, requirement_id, holder_id_number, day) -> MaterialOutcome:
    name = mapping.licence_name
    label = _("电子证照:%(name)s") % {"name": name}
    held = ElectronicLicence.objects.filter(ElectronicLicence.held_by(holder_id_number), name=name) if holder_id_number \
        else ElectronicLicence.objects.none()
    valid = held.filter(revoked_at__isnull=True).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day)) \
        .order_by("-issued_on", "-pk").first()
    if valid is not None:
        return MaterialOutcome(requirement_id, True, mapping.kind, "licence", label, reference=valid.number,
                               sha256=valid.sha256)
    latest = held.order_by("-issued_on", "-pk").first()
    if latest is not None and latest.revoked_at is not None:
        message = _("您的“%(name)s”电子证照已注销,请上传该材料。") % {"name": name}
    elif latest is not None:
        message = _("您的“%(name)s”电子证照已过期,请上传该材料。") % {"name": name}
    else:
        message = _("电子证照库中没有您有效的“%(name)s”,请上传该材料。") % {"name": name}
    return MaterialOutcome(requirement_id, False, mapping.kind, "licence", label, message=message)


def _from_answer(mapping, requirement_id, answer: dict, query_id, digest) -> MaterialOutcome:
    label = _source_label(mapping.source)
    if all(answer.get(f) not in (None, "") for f in mapping.fields):
        return MaterialOutcome(requirement_id, True, mapping.kind, mapping.source, label,
                               reference=_("数据查询 #%(id)s") % {"id": query_id}, sha256=digest, query_id=query_id)
    return MaterialOutcome(requirement_id, False, mapping.kind, mapping.source, label,
                           message=_("%(label)s中没有您的相关记录,请上传该材料。") % {"label": label})


def _wanted(requirements, material_sources, field_sources):
    """{(matter_id, source): set of fields} for every data-source mapping of these matters."""
    wanted: dict[tuple[int, str], set] = {}
    by_id = {r.pk: r for r in requirements}
    for requirement_id, mapping in material_sources.items():
        if mapping.kind == MaterialSource.Kind.DATA_SOURCE:
            wanted.setdefault((by_id[requirement_id].matter_id, mapping.source), set()).update(mapping.fields)
    for mapping in field_sources:
        wanted.setdefault((mapping.matter_id, mapping.source), set()).add(mapping.source_field)
    return wanted


def _resolve(requirements, matters, *, holder_id_number, answers) -> Outcomes:
    """`answers(matter_id, source, fields)` → (found, answer, query_id, digest, failure message)."""
    material_sources, field_sources = _mappings(requirements, matters)
    wanted = _wanted(requirements, material_sources, field_sources)
    results = {key: answers(key[0], key[1], sorted(fields)) for key, fields in wanted.items()}
    day = timezone.localdate()
    outcomes = Outcomes()
    for requirement in requirements:
        mapping = material_sources.get(requirement.pk)
        if mapping is None:
            continue
        if mapping.kind == MaterialSource.Kind.LICENCE:
            outcomes.materials[requirement.pk] = _licence(mapping, requirement.pk, holder_id_number, day)
            continue
        found, answer, query_id, digest, failure = results[(requirement.matter_id, mapping.source)]
        if found:
            outcomes.materials[requirement.pk] = _from_answer(mapping, requirement.pk, answer, query_id, digest)
        else:
            outcomes.materials[requirement.pk] = MaterialOutcome(
                requirement.pk, False, mapping.kind, mapping.source, _source_label(mapping.source), message=failure)
    for mapping in field_sources:
        if mapping.field_key in outcomes.fields:
            continue  # a theme's matters share a key: the first mapping fills it
        found, answer, query_id, _digest, _failure = results[(mapping.matter_id, mapping.source)]
        value = answer.get(mapping.source_field) if found else None
        if value not in (None, ""):
            outcomes.fields[mapping.field_key] = FieldOutcome(mapping.field_key, str(value), mapping.source,
                                                              _source_label(mapping.source), query_id)
    return outcomes


def _not_found(source):
    return _("%(label)s中没有您的记录,请上传该材料。") % {"label": _source_label(source)}


@dataclass(frozen=True)
class Subjects:
    """Whose data an application may draw on: the applicant (a person) and, on an enterprise's
    application, the enterprise. A source that knows enterprises (企业登记) is asked about the
    enterprise, every other source about the person."""

    person: object = None
    enterprise: object = None

    def for_source(self, source: str):
        return self.enterprise if takes_enterprise(source) else self.person


def _missing_subject(source):
    if takes_enterprise(source):
        return _("未选定申请单位,无法查询%(label)s,请上传该材料。") % {"label": _source_label(source)}
    return _("申请人尚未登记,无法查询共享数据,请上传该材料。")


def _who(subject) -> Q:
    from accounts.models import Enterprise

    return Q(subject_enterprise=subject) if isinstance(subject, Enterprise) else Q(subject=subject)


def _ask(matters, subjects: Subjects, asked_by, case_ref):
    """Answers by querying the source now (each query logged)."""

    def answers(matter_id, source, fields):
        subject = subjects.for_source(source)
        if subject is None:
            return False, {}, None, "", _missing_subject(source)
        try:
            record = query_for(matter=matters[matter_id], subject=subject, asked_by=asked_by, source=source,
                               fields=fields, case_ref=case_ref)
        except (DataSourceError, NotPermitted) as error:
            return False, {}, None, "", error.message
        if not record.found:
            return False, {}, record.query_id, "", _not_found(source)
        digest = DataQuery.objects.filter(pk=record.query_id).values_list("answer_digest", flat=True).first() or ""
        return True, record.fields, record.query_id, digest, ""

    return answers


def _logged(subjects: Subjects, since, *, not_found_counts: bool):
    """Answers read back from the query log: the newest answer about the source's subject since
    `since` for the matter and source holding the fields (found), or saying there is no record;
    else None."""

    def answers(matter_id, source, fields):
        subject = subjects.for_source(source)
        if subject is None:
            return None
        rows = DataQuery.objects.filter(_who(subject), matter_id=matter_id, source=source, asked_at__gte=since,
                                        outcome__in=[DataQuery.Outcome.FOUND, DataQuery.Outcome.NOT_FOUND]) \
            .order_by("-asked_at", "-pk")
        for row in rows[:10]:
            if row.outcome == DataQuery.Outcome.NOT_FOUND and set(fields) <= set(row.fields):
                return (False, {}, row.pk, "", _not_found(source)) if not_found_counts else None
            if row.outcome == DataQuery.Outcome.FOUND and set(fields) <= set(row.answer):
                return True, row.answer, row.pk, row.answer_digest, ""
        return None

    return answers


def fetch(*, requirements, matters, subject, holder_id_number: str, asked_by, case_ref: str = "",
          enterprise=None) -> Outcomes:
    """Query the sources now (each query logged) and look licences up. Never raises for a source
    that fails: the outcome says why. `subject` is the applicant (a person, or None when not
    registered); `enterprise` the enterprise applying, asked about at the enterprise sources."""
    matters = {m.pk: m for m in matters}
    answers = _ask(matters, Subjects(subject, enterprise), asked_by, case_ref)
    return _resolve(requirements, matters.values(), holder_id_number=holder_id_number, answers=answers)


def current(*, requirements, matters, subject, holder_id_number: str, asked_by, case_ref: str = "",
            enterprise=None) -> Outcomes:
    """What a page shows, before submitting: per matter and source, the answer logged in the last
    `REUSE_MINUTES` (found, or no record) when there is one — a reload sends nothing — else a
    query now (a source that failed is asked again)."""
    matters = {m.pk: m for m in matters}
    subjects = Subjects(subject, enterprise)
    logged = _logged(subjects, timezone.now() - dt.timedelta(minutes=REUSE_MINUTES), not_found_counts=True)
    ask = _ask(matters, subjects, asked_by, case_ref)

    def answers(matter_id, source, fields):
        return logged(matter_id, source, fields) or ask(matter_id, source, fields)

    return _resolve(requirements, matters.values(), holder_id_number=holder_id_number, answers=answers)


def recorded(*, requirements, matters, subject, holder_id_number: str, now: dt.datetime | None = None,
             enterprise=None) -> Outcomes:
    """The outcome `current` found, read back without sending anything (the submission, in its
    transaction): a material whose source was not answered recently is handed in."""
    since = (now or timezone.now()) - dt.timedelta(minutes=REUSE_MINUTES)
    logged = _logged(Subjects(subject, enterprise), since, not_found_counts=True)

    def answers(matter_id, source, fields):
        answer = logged(matter_id, source, fields)
        return answer or (False, {}, None, "", _("未能从%(label)s获取,请上传该材料。") % {"label": _source_label(source)})

    return _resolve(requirements, list(matters), holder_id_number=holder_id_number, answers=answers)


def record(*, case_ref: str, matters, requirements, outcomes: Outcomes, used_materials, form_data: dict) -> None:
    """Write the ledger for a submitted application (in its transaction): each material taken
    from a source (`used_materials`: requirement ids recorded as 免提交) and each pre-filled field,
    marked `corrected` when the submitted value differs from the one fetched."""
    by_id = {r.pk: r for r in requirements}
    rows = []
    for requirement_id in used_materials:
        outcome = outcomes.materials.get(requirement_id)
        if outcome is None or not outcome.obtained:
            continue
        rows.append(Exemption(kind=Exemption.Kind.MATERIAL, case_ref=case_ref, matter_id=by_id[requirement_id].matter_id,
                              name=by_id[requirement_id].name[:128], source=outcome.source,
                              reference=outcome.reference[:64], query_id=outcome.query_id))
    if outcomes.fields:
        keys = _field_matters([m.pk for m in matters], outcomes)
        for key, outcome in outcomes.fields.items():
            if key not in form_data or key not in keys:
                continue
            rows.append(Exemption(kind=Exemption.Kind.FIELD, case_ref=case_ref, matter_id=keys[key], name=key,
                                  source=outcome.source, query_id=outcome.query_id, fetched=outcome.value[:255],
                                  corrected=str(form_data.get(key) or "").strip() != outcome.value.strip()))
    if rows:
        Exemption.objects.bulk_create(rows)


def _field_matters(matter_ids, outcomes) -> dict[str, int]:
    keys: dict[str, int] = {}
    for mapping in FieldSource.objects.filter(field_key__in=list(outcomes.fields), matter_id__in=matter_ids) \
            .order_by("matter_id", "pk"):
        keys.setdefault(mapping.field_key, mapping.matter_id)
    return keys

