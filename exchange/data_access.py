"""Queries of a person's data at a data source under the matter's policy, each one logged
(`DataQuery`, append-only) whatever the outcome; the citizen sees them on 数据使用记录."""

from __future__ import annotations

from dataclasses import replace

from django.utils.translation import gettext as _

from core.digests import content_digest

from .datasources import SOURCES, DataSourceError, Record, client_from_settings
from .models import DataQuery, DataSourcePolicy


class NotPermitted(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def query_for(*, matter, subject, asked_by, source: str, fields: list[str], case_ref: str = "") -> Record:
    """The subject's record at `source`, limited to what the matter's policy allows. Raises
    NotPermitted (nothing sent, nothing logged) or DataSourceError (logged as failed). The
    record's `query_id` is its log row, which keeps the answer (the policy's fields only)."""
    policy = DataSourcePolicy.objects.filter(matter=matter, source=source).first()
    if policy is None or not fields or set(fields) - set(policy.fields):
        raise NotPermitted(_("该事项未获授权查询%(source)s的这些信息。") % {"source": SOURCES.get(source, source)})
    key = subject.id_number or ""
    client = client_from_settings()

    def log(outcome, answer=None):
        return DataQuery.objects.create(
            subject=subject, asked_by=asked_by, matter=matter, case_ref=case_ref, source=source, fields=list(fields),
            purpose=policy.purpose, outcome=outcome, answer=answer or {},
            answer_digest=content_digest(answer) if answer else "")

    if client is None or not key:
        log(DataQuery.Outcome.FAILED)
        raise DataSourceError(source, "not_configured", _("%(source)s数据暂时无法获取,请您自行上传该材料。")
                              % {"source": SOURCES.get(source, source)})
    try:
        record = client.query(source, key, list(fields), purpose=policy.purpose, case_ref=case_ref)
    except DataSourceError:
        log(DataQuery.Outcome.FAILED)
        raise
    logged = log(DataQuery.Outcome.FOUND if record.found else DataQuery.Outcome.NOT_FOUND,
                 record.fields if record.found else None)
    return replace(record, query_id=logged.pk)
