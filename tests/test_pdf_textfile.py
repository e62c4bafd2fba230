"""Plain-text contracts: one page, same normalization, clear errors."""

from __future__ import annotations

import pytest

from pipeline.reading.pdf import EmptyDocument, EmptyFile
from pipeline.store.states import Reason
from pipeline.reading.textfile import UndecodableText, read_text_file


def test_utf8_text_is_one_page_nfkc(tmp_path):
    p = tmp_path / "nda.txt"
    p.write_bytes("\ufeffCon\ufb01dential Information\r\n\r\n\r\n\r\nshall survive for five (5) years.  \r\n".encode())
    read = read_text_file(p)
    assert read.info.page_count == 1 and read.info.metadata["encoding"] == "utf-8-sig"
    (page,) = read.pages
    assert page.text == "Confidential Information\n\nshall survive for five (5) years."
    assert page.words == [] and page.quality == "ok"


def test_cp1252_fallback_keeps_smart_quotes(tmp_path):
    p = tmp_path / "w.txt"
    p.write_bytes("the \u201cSupplier\u201d \u2013 Acme".encode("cp1252"))
    read = read_text_file(p)
    assert read.pages[0].text == "the \u201cSupplier\u201d \u2013 Acme"
    assert read.info.metadata["encoding"] == "cp1252" and read.info.warnings


def test_empty_binary_and_blank(tmp_path):
    (tmp_path / "e.txt").write_bytes(b"")
    with pytest.raises(EmptyFile):
        read_text_file(tmp_path / "e.txt")
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(UndecodableText) as err:
        read_text_file(tmp_path / "b.txt")
    assert err.value.reason is Reason.UNREADABLE and "b.txt" in str(err.value)
    (tmp_path / "w.txt").write_text(" \n\t\n")
    with pytest.raises(EmptyDocument):
        read_text_file(tmp_path / "w.txt")
