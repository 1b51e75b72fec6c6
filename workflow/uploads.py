"""Checks on uploaded material files: size, and type by content (magic bytes), never by name."""

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import Invalid

# Signatures of the file types a hall accepts as scanned or electronic materials.
SIGNATURES = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
]


def inspect_upload(upload, *, field: str) -> dict:
    """Return {"content_type", "extension", "size", "sha256"} or raise Invalid naming the field."""
    size = upload.size or 0
    if size == 0:
        raise Invalid(_("上传的文件是空的。"), code="empty_file", fields={field: [_("文件为空。")]})
    limit = settings.MATERIAL_MAX_BYTES
    if size > limit:
        message = _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)}
        raise Invalid(message, code="file_too_large", fields={field: [message]})
    upload.seek(0)
    head = upload.read(16)
    match = next(((t, ext) for signature, t, ext in SIGNATURES if head.startswith(signature)), None)
    if match is None:
        message = _("只接受 PDF、JPG、PNG 格式的文件(按文件内容识别)。")
        raise Invalid(message, code="file_type_not_allowed", fields={field: [message]})
    content_type, extension = match
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return {"content_type": content_type, "extension": extension, "size": size, "sha256": digest.hexdigest()}
