"""core.digests: one digest and one verification code for notices and licences alike."""

import datetime as dt

import pytest

from core.digests import code_matches, content_digest, format_code, normalise_code


def test_the_digest_does_not_depend_on_key_order_or_spacing():
    one = content_digest({"b": "受理", "a": dt.date(2026, 3, 2), "n": 3})
    other = content_digest({"n": 3, "a": dt.date(2026, 3, 2), "b": "受理"})
    assert one == other and len(one) == 64
    assert content_digest({"a": "2026-03-02", "b": "受理", "n": 3}) == one  # dates as ISO 8601
    assert content_digest({"b": "不予受理", "a": dt.date(2026, 3, 2), "n": 3}) != one


def test_content_that_is_not_json_is_refused():
    with pytest.raises(TypeError):
        content_digest({"when": object()})


def test_the_printed_code_is_read_back_however_it_is_typed():
    digest = content_digest({"number": "441803-2026-XK-000001"})
    printed = format_code(digest)
    assert printed.count("-") == 3 and len(printed) == 19 and printed == printed.upper()
    for typed in (printed, printed.lower(), printed.replace("-", " "), printed.replace("-", "–"),
                  printed.translate(str.maketrans("0123456789ABCDEF-", "０１２３４５６７８９ＡＢＣＤＥＦ－"))):
        assert code_matches(digest, normalise_code(typed)), typed
    assert normalise_code(printed[:-1]) is None
    assert normalise_code("") is None and normalise_code(None) is None
    assert not code_matches(digest, normalise_code("0000-0000-0000-0000"))
    assert not code_matches(digest, None)


def test_notices_and_licences_share_the_one_implementation():
    import exchange.services
    import workflow.documents
    import workflow.verification

    assert workflow.documents.content_digest is exchange.services.content_digest is content_digest
    assert workflow.verification.normalise_code is normalise_code
