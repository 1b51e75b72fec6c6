"""Queries of a person's or an enterprise's data at a data source under the matter's policy, each
one logged (`DataQuery`, append-only) whatever the outcome; the person sees them on 数据使用记录,
an enterprise's staff on the enterprise's 数据使用记录."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from accounts.models import Enterprise
from core.digests import content_digest

from .datasources import SOURCES, DataSourceError, Record, client_from_settings, takes_enterprise
from .models import DataQuery, DataSourcePolicy


class NotPermitted(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def subject_key(subject) -> str:
    """The number a source knows the subject by: an enterprise's credit code, a person's ID number."""
    if isinstance(subject, Enterprise):
        return subject.credit_code or ""
    return subject.id_number or ""


def query_for(*, matter, subject, asked_by, source: str, fields: list[str], case_ref: str = "") -> Record:
    """The subject's record at `source`, limited to what the matter's policy allows. The subject
    is a person (a User, by ID number) or an enterprise (an `Enterprise`, by its unified social
    credit code); a source asks for one kind only (企业登记: enterprises). Raises NotPermitted
    (nothing sent, nothing logged) or DataSourceError (logged as failed). The record's `query_id`
    is its log row, which keeps the answer (the policy's fields only)."""
    label = SOURCES.get(source, source)
    policy = DataSourcePolicy.objects.filter(matter=matter, source=source).first()
    if policy is None or not fields or set(fields) - set(policy.fields):
        raise NotPermitted(_("该事项未获授权查询%(source)s的这些信息。") % {"source": label})
    enterprise = isinstance(subject, Enterprise)
    if enterprise != takes_enterprise(source):
        raise NotPermitted(_("%(source)s数据只能按统一社会信用代码查询企业。") % {"source": label} if takes_enterprise(source)
                           else _("%(source)s数据只能按身份证号码查询个人。") % {"source": label})
    key = subject_key(subject)
    client = client_from_settings()
    who = {"subject_enterprise": subject} if enterprise else {"subject": subject}

    def log(outcome, answer=None):
        return DataQuery.objects.create(
            **who, asked_by=asked_by, matter=matter, case_ref=case_ref, source=source, fields=list(fields),
            purpose=policy.purpose, outcome=outcome, answer=answer or {},
            answer_digest=content_digest(answer) if answer else "")

    if client is None or not key:
        log(DataQuery.Outcome.FAILED)
        raise DataSourceError(source, "not_configured", _("%(source)s数据暂时无法获取,请您自行上传该材料。")
                              % {"source": label})
    try:
        record = client.query(source, key, list(fields), purpose=policy.purpose, case_ref=case_ref)
    except DataSourceError:
        log(DataQuery.Outcome.FAILED)
        raise
    logged = log(DataQuery.Outcome.FOUND if record.found else DataQuery.Outcome.NOT_FOUND,
                 record.fields if record.found else None)
    return replace(record, query_id=logged.pk)
