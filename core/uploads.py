"""One check for every uploaded file and one way to send a stored file back (issue 12 A).

`inspect(upload, field=..., kinds=...)` decides the kind **by content**, never by the name or
the type the browser claimed: the whole signature of the format (PDF header and end marker, PNG
signature and IEND chunk, JPEG start and end markers, an Office Open XML package's own parts,
an OLE2 compound file), and refuses a file whose first kilobyte looks like HTML, SVG or script
(a "polyglot" that starts with `%PDF-` but is a web page). It returns the checked kind with its
content type and extension, the size and the SHA-256.

`file_response(stored, filename=..., inline=...)` sends a stored file back with the content
type of the kind found in its content (so a file stored before this check is sniffed again),
`Content-Disposition: attachment` unless it is a PDF or an image meant to be shown inline, and
`nosniff`. Nothing is ever served as HTML or SVG: an unknown content goes out as
`application/octet-stream`, as an attachment.

`check_zip_bounds(file)` refuses a ZIP (XLSX) archive whose expanded size, entry count or
compression ratio is out of bounds before any parser expands it.
"""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from django.core.files import File
from django.http import FileResponse
from django.utils.translation import gettext as _

from .errors import Invalid


@dataclass(frozen=True)
class Kind:
    name: str
    content_type: str
    extension: str
    label: str
    may_inline: bool


KINDS = {
    "pdf": Kind("pdf", "application/pdf", ".pdf", "PDF", True),
    "jpeg": Kind("jpeg", "image/jpeg", ".jpg", "JPG", True),
    "png": Kind("png", "image/png", ".png", "PNG", True),
    "xlsx": Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX", False),
    "docx": Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", "DOCX",
                 False),
    "ole": Kind("ole", "application/octet-stream", "", "DOC/XLS", False),
}
MATERIAL_KINDS = ("pdf", "jpeg", "png")  # scans and electronic materials
DOCUMENT_KINDS = ("pdf", "jpeg", "png", "docx", "xlsx", "ole")  # blank forms and samples of the guide
OCTET = "application/octet-stream"

# Markers that make a browser (or a sniffer) take the bytes as a web page or an image with script.
ACTIVE_MARKERS = (b"<script", b"<html", b"<svg", b"<!doctype", b"<body", b"<iframe", b"<?xml-stylesheet",
                  b"<object", b"<embed", b"javascript:")

# ZIP archives (XLSX imports): what a real workbook never exceeds.
ZIP_MAX_EXPANDED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 2000


def _head_tail(stream, size: int) -> tuple[bytes, bytes]:
    stream.seek(0)
    head = stream.read(1024)
    stream.seek(max(0, size - 1024))
    tail = stream.read(1024)
    stream.seek(0)
    return head, tail


def detect(stream, size: int) -> str | None:
    """The kind of a seekable binary stream of `size` bytes, from its content; None if unknown
    or if it carries HTML/script markers."""
    head, tail = _head_tail(stream, size)
    if any(marker in head.lower() for marker in ACTIVE_MARKERS):
        return None
    if head.startswith(b"%PDF-") and b"%%EOF" in tail:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" in tail[-16:]:
        return "png"
    if head.startswith(b"\xff\xd8\xff") and b"\xff\xd9" in tail:
        return "jpeg"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(stream) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            stream.seek(0)
        if "[Content_Types].xml" in names:
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
    return None


def inspect(upload, *, field: str, kinds=MATERIAL_KINDS, max_bytes: int | None = None, what: str = "",
            digest: bool = True) -> dict:
    """{"kind", "content_type", "extension", "size", "sha256"} of an upload, or Invalid naming
    `field` (in Chinese: which kinds are accepted, by content). `digest` False: no SHA-256 here
    ("" — the caller stores the file with `save_streamed`, which computes it on the way)."""
    from django.conf import settings

    limit = max_bytes or settings.MATERIAL_MAX_BYTES
    size = upload.size or 0
    if size == 0:
        raise Invalid(_("上传的文件是空的。"), code="empty_file", fields={field: [_("文件为空。")]})
    if size > limit:
        message = _("文件不能超过 %(mb)s MB。") % {"mb": limit // (1024 * 1024)}
        raise Invalid(message, code="file_too_large", fields={field: [message]})
    kind = detect(upload, size)
    if kind not in kinds:
        labels = "、".join(KINDS[k].label for k in kinds)
        message = _("%(what)s只接受 %(labels)s 格式的文件(按文件内容识别)。") % {"what": what, "labels": labels}
        raise Invalid(message, code="file_type_not_allowed", fields={field: [message]})
    sha256 = ""
    if digest:
        hashed = hashlib.sha256()
        upload.seek(0)
        for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
            hashed.update(chunk)
        upload.seek(0)
        sha256 = hashed.hexdigest()
    found = KINDS[kind]
    return {"kind": kind, "content_type": found.content_type, "extension": found.extension, "size": size,
            "sha256": sha256}


def file_response(stored, *, filename: str, inline: bool = False) -> FileResponse:
    """A stored file (a FieldFile) sent back with the content type of the kind in its content;
    inline only for a PDF or an image and only when asked, an attachment otherwise."""
    stream = stored.open("rb")
    kind = KINDS.get(detect(stream, stored.size) or "")
    content_type = kind.content_type if kind else OCTET
    show_inline = inline and kind is not None and kind.may_inline
    ascii_name = "file" + (kind.extension if kind else "")
    response = FileResponse(stream, content_type=content_type)
    disposition = "inline" if show_inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def check_zip_bounds(stream, *, field: str = "file") -> None:
    """Refuse an archive that would expand beyond ZIP_MAX_EXPANDED bytes in total, has more
    than ZIP_MAX_ENTRIES entries, or any entry compressed more than ZIP_MAX_RATIO times."""
    message = _("文件解压后过大或压缩比异常,已拒绝(可能是压缩炸弹)。请上传由 Excel 或 WPS 正常保存的 .xlsx 文件。")
    try:
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a ZIP at all: the parser reports it as an unreadable file
    finally:
        stream.seek(0)
    total = sum(info.file_size for info in infos)
    too_compressed = any(info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)
                         for info in infos)
    if len(infos) > ZIP_MAX_ENTRIES or total > ZIP_MAX_EXPANDED or too_compressed:
        raise Invalid(message, code="archive_out_of_bounds", fields={field: [message]})


class _Hashing(File):
    """An upload read once: each chunk goes to the storage and into the digest on its way."""

    def __init__(self, upload, digest):
        super().__init__(upload, name=getattr(upload, "name", None))
        self._digest = digest

    def chunks(self, chunk_size=None):
        self.file.seek(0)
        source = self.file.chunks(chunk_size) if hasattr(self.file, "chunks") else \
            iter(lambda: self.file.read(chunk_size or 65536), b"")
        for chunk in source:
            self._digest.update(chunk)
            yield chunk


def save_streamed(field_file, upload, *, extension: str) -> str:
    """Store `upload` in `field_file` (not saving its model) reading it once, the SHA-256 computed
    while it streams to the storage; returns the hex digest. The stored name is random (the
    digest is not known before the write); `inspect(…, digest=False)` has checked the content."""
    digest = hashlib.sha256()
    field_file.save(f"{uuid.uuid4().hex[:16]}{extension}", _Hashing(upload, digest), save=False)
    return digest.hexdigest()


class StreamedFiles:
    """Many uploads stored in one FileField's storage for one request (a submission's materials):
    the same names and paths `save_streamed` gives (the field's `upload_to` directory, a random
    16-hex name with the kind's extension), each SHA-256 computed while it is written, but the
    directory worked out and made once, and on the file system storage each file written with
    one exclusive create (`O_CREAT | O_EXCL`, another random name if it exists) and plain
    writes, without Django's per-file name checks and lock (nobody else can hold a file just
    created exclusively). Any other storage: `save_streamed`."""

    def __init__(self, field):
        from django.core.files.storage import FileSystemStorage

        self.field = field
        self.storage = field.storage
        self.direct = self.storage.__class__ is FileSystemStorage  # default_storage: the class it wraps
        self._directory = None  # (name prefix, absolute directory), on the first file

    def _where(self, instance):
        if self._directory is None:
            prefix = os.path.dirname(self.field.generate_filename(instance, "x"))
            directory = self.storage.path(prefix)
            mode = self.storage.directory_permissions_mode
            if mode is not None:
                from django.core.files.storage.filesystem import safe_makedirs

                safe_makedirs(directory, mode, exist_ok=True)
            else:
                os.makedirs(directory, exist_ok=True)
            self._directory = (f"{prefix}/" if prefix else "", directory)
        return self._directory

    def save(self, field_file, upload, *, extension: str) -> str:
        """Store `upload` in `field_file` (its model not saved); returns the hex SHA-256."""
        if not self.direct:
            return save_streamed(field_file, upload, extension=extension)
        prefix, directory = self._where(field_file.instance)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        while True:
            base = f"{uuid.uuid4().hex[:16]}{extension}"
            path = os.path.join(directory, base)
            try:
                fd = os.open(path, flags, 0o666)
            except FileExistsError:
                continue
            break
        digest = hashlib.sha256()
        try:
            upload.seek(0)
            chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
            for chunk in chunks:
                digest.update(chunk)
                view = memoryview(chunk)
                while view:
                    view = view[os.write(fd, view):]
        except BaseException:
            os.close(fd)
            os.unlink(path)
            raise
        os.close(fd)
        if self.storage.file_permissions_mode is not None:
            os.chmod(path, self.storage.file_permissions_mode)
        name = prefix + base
        field_file.name = name
        setattr(field_file.instance, self.field.attname, name)
        field_file._committed = True
        return digest.hexdigest()
