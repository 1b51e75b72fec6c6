"""Issue 12 A: one upload check by content for every path, files served back with the checked
kind's type (never HTML or SVG), attachments unless a PDF or image is meant inline, and XLSX
imports that refuse archives expanding out of bounds."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import MembershipRequest
from core.errors import Invalid
from core.uploads import ZIP_MAX_RATIO, check_zip_bounds, detect, inspect
from tests.factories import PDF_BYTES, EnterpriseFactory, UserFactory

pytestmark = pytest.mark.django_db

POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40 + b"IEND\xaeB`\x82"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize("data,kind", [
    (PDF_BYTES, "pdf"), (PNG, "png"), (b"\xff\xd8\xff\xe0" + b"\x00" * 30 + b"\xff\xd9", "jpeg"),
    (POLYGLOT, None), (SVG, None), (b"<html><script>x</script></html>", None), (b"%PDF-1.4 no end marker", None),
    (b"\x89PNG\r\n\x1a\n truncated", None), (b"GIF89a", None),
])
def test_the_kind_is_decided_by_the_whole_content(data, kind):
    assert detect(io.BytesIO(data), len(data)) == kind


def test_inspect_names_the_field_and_the_kinds_in_chinese():
    with pytest.raises(Invalid) as refused:
        inspect(upload("letter.pdf", POLYGLOT), field="letter", what="授权书")
    assert refused.value.fields["letter"] == ["授权书只接受 PDF、JPG、PNG 格式的文件(按文件内容识别)。"]


def test_the_authorisation_letter_cannot_be_a_web_page(client):
    enterprise = EnterpriseFactory()
    staff = UserFactory()
    client.force_login(staff)
    response = client.post("/me/enterprises/", {
        "credit_code": enterprise.credit_code, "note": "经办", "letter": upload("授权书.html", POLYGLOT, "text/html")})
    assert response.status_code == 400
    assert "按文件内容识别" in response.content.decode()
    assert not MembershipRequest.objects.exists()


def test_a_letter_is_served_as_its_checked_kind_never_as_html(client):
    enterprise = EnterpriseFactory()
    staff = UserFactory()
    client.force_login(staff)
    client.post("/me/enterprises/", {"credit_code": enterprise.credit_code, "note": "经办",
                                     "letter": upload("授权书.html", PDF_BYTES, "text/html")})
    request = MembershipRequest.objects.get()
    served = client.get(f"/me/enterprises/requests/{request.pk}/letter/")
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("inline;")
    assert served["X-Content-Type-Options"] == "nosniff"

    # a file stored before the check (or changed on disk) is sniffed again when served
    request.letter.save("old.html", ContentFile(POLYGLOT), save=True)
    served = client.get(f"/me/enterprises/requests/{request.pk}/letter/")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment;")


def test_guide_files_are_always_downloads_of_their_checked_kind(client):
    from tests.factories import MatterFactory

    matter = MatterFactory()
    requirement = matter.materials.first()
    requirement.blank_form.save("form.svg", ContentFile(SVG), save=True)
    served = client.get(f"/guide/matters/{matter.code}/materials/{requirement.pk}/form/")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment;")


def _bomb(expanded: int) -> io.BytesIO:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook>" + b" " * expanded + b"</workbook>")
    stream.seek(0)
    return stream


def test_xlsx_archives_expanding_out_of_bounds_are_refused():
    bomb = _bomb(30 * 1024 * 1024)  # 30 MB of spaces: about 30 KB compressed
    info = zipfile.ZipFile(bomb).getinfo("xl/workbook.xml")
    assert info.file_size > ZIP_MAX_RATIO * info.compress_size
    with pytest.raises(Invalid) as refused:
        check_zip_bounds(bomb)
    assert refused.value.code == "archive_out_of_bounds"
    check_zip_bounds(_bomb(1000))  # a normal archive passes


def test_the_catalog_import_page_refuses_a_zip_bomb(client):
    client.force_login(UserFactory(role="administrator"))
    bomb = _bomb(30 * 1024 * 1024)
    bomb.name = "目录.xlsx"
    response = client.post("/catalog/import/", {"file": bomb})
    assert response.status_code == 400
    assert "压缩炸弹" in response.content.decode()
