"""Issue 15: a submission's material files are written by `core.uploads.StreamedFiles` (one
exclusive create each, the directory made once) where Django's storage would have put them:
`materials/<year>/<month>/<16 hex>.pdf` under MEDIA_ROOT, the same bytes, the SHA-256 of what was
written, the storage's file mode, never over an existing file; another storage gets
`save_streamed`."""

import hashlib
import os
import re
import stat

import pytest
from django.core.files.storage import InMemoryStorage
from django.utils import timezone

from core.uploads import StreamedFiles
from tests.factories import PDF_BYTES, pdf_upload
from workflow.models import Material


@pytest.fixture
def field():
    return Material._meta.get_field("file")


def test_files_land_where_the_storage_would_put_them(field, settings, time_machine):
    time_machine.move_to("2026-11-10 10:00 +08:00")
    settings.FILE_UPLOAD_PERMISSIONS = 0o640
    files = StreamedFiles(field)
    assert files.direct
    written = []
    for _i in range(3):
        material = Material()
        digest = files.save(material.file, pdf_upload(), extension=".pdf")
        written.append(material)
        assert digest == hashlib.sha256(PDF_BYTES).hexdigest()
        assert re.fullmatch(rf"materials/{timezone.localdate():%Y/%m}/[0-9a-f]{{16}}\.pdf", material.file.name)
        assert material.file._committed
        path = os.path.join(settings.MEDIA_ROOT, material.file.name)
        assert material.file.path == path
        assert open(path, "rb").read() == PDF_BYTES
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
        assert material.file.storage.exists(material.file.name)
    assert len({m.file.name for m in written}) == 3


def test_an_existing_name_is_never_overwritten(field, settings, monkeypatch):
    import uuid

    files = StreamedFiles(field)
    first = Material()
    files.save(first.file, pdf_upload(), extension=".pdf")
    taken = os.path.basename(first.file.name)[:16]
    fresh = uuid.uuid4()
    ids = iter([uuid.UUID(taken + "0" * 16), fresh])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(ids))
    second = Material()
    files.save(second.file, pdf_upload(), extension=".pdf")
    assert os.path.basename(second.file.name) == f"{fresh.hex[:16]}.pdf"
    assert open(first.file.path, "rb").read() == PDF_BYTES


def test_another_storage_is_used_through_django(field, monkeypatch):
    memory = InMemoryStorage()
    monkeypatch.setattr(field, "storage", memory)
    files = StreamedFiles(field)
    assert not files.direct
    material = Material()
    digest = files.save(material.file, pdf_upload(), extension=".pdf")
    assert digest == hashlib.sha256(PDF_BYTES).hexdigest()
    assert memory.exists(material.file.name)
