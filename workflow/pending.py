"""Files already chosen on a form that came back with errors (issue 17): nothing accepted is lost.

A view that re-renders a form with errors calls `keep` with the files of the request; each file
that passes the upload check is stored as a `PendingUpload` of the user and the form carries its
token in `pending_<field>` (shown as "已选择:name", with a "移除" box `drop_<field>`). On the
next post `chosen` turns the tokens back into files, a new file of the same field winning; after
success `discard` removes them. A token is honoured only for its owner and its field.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from core.errors import Invalid

from .models import PendingUpload
from .uploads import inspect_upload

KEEP_FOR = dt.timedelta(days=1)


def _tokens(post, fields) -> dict[str, str]:
    return {
        field: post.get(f"pending_{field}", "")
        for field in fields
        if post.get(f"pending_{field}") and not post.get(f"drop_{field}")
    }


def pending_for(*, owner, post, fields) -> dict[str, PendingUpload]:
    """The owner's kept files named by the posted form for these fields (not the removed ones)."""
    tokens = _tokens(post, fields)
    if not tokens or not getattr(owner, "is_authenticated", False):
        return {}
    found = {p.token: p for p in PendingUpload.objects.filter(owner=owner, token__in=tokens.values())}
    return {field: found[token] for field, token in tokens.items() if token in found and found[token].field == field}


def chosen(*, owner, post, files, fields) -> tuple[dict, dict[str, PendingUpload]]:
    """(files to submit, kept files still in play): the posted files plus the kept files of the
    fields for which no new file was posted."""
    kept = {f: p for f, p in pending_for(owner=owner, post=post, fields=fields).items() if f not in files}
    merged = dict(files)
    for field, pending in kept.items():
        merged[field] = File(pending.file.open("rb"), name=pending.original_name)
    return merged, kept


@transaction.atomic
def keep(*, owner, files, kept=None) -> dict[str, PendingUpload]:
    """Store the newly posted files that pass the check (a failing one is not kept: its field
    shows the error) and return every kept file by field, the earlier kept ones included (`kept`,
    from `chosen`: those of fields without a new file)."""
    result = dict(kept or {})
    purge(owner=owner)
    for field, upload in files.items():
        try:
            info = inspect_upload(upload, field=field)
        except Invalid:
            continue
        pending = PendingUpload(owner=owner, token=secrets.token_urlsafe(24), field=field,
                                original_name=(upload.name or "")[:255], size=info["size"])
        upload.seek(0)
        pending.file.save(f"{info['sha256'][:16]}{info['extension']}", upload, save=False)
        pending.save()
        result[field] = pending
    return result


def discard(*, kept) -> None:
    """Remove kept files once the form they belong to was accepted."""
    for pending in kept.values():
        pending.file.delete(save=False)
        pending.delete()


def purge(*, owner=None, now=None) -> int:
    """Remove kept files older than a day (of one owner, or of everyone)."""
    stale = PendingUpload.objects.filter(created_at__lt=(now or timezone.now()) - KEEP_FOR)
    if owner is not None:
        stale = stale.filter(owner=owner)
    count = 0
    for pending in stale:
        pending.file.delete(save=False)
        pending.delete()
        count += 1
    return count
