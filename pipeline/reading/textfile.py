"""Reading plain-text contracts (``.txt``): one page, no rectangles, same normalization as PDFs."""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.reading.pdf import (
    EmptyDocument,
    EmptyFile,
    FileUnreadable,
    PageText,
    PdfInfo,
    PdfRead,
    PdfReadError,
    TextTooLarge,
    is_gibberish,
)
from pipeline.store import Reason
from rules.text import nfkc

ENCODINGS = ("utf-8-sig", "utf-8", "cp1252")
"""Tried in order. ``utf-8-sig`` first so a byte-order mark is not kept as text; cp1252 covers the
Windows "smart quotes" files that are not UTF-8."""


class UndecodableText(PdfReadError):
    """The file is not text in UTF-8 or Windows-1252 (binary data, another encoding)."""

    reason = Reason.UNREADABLE


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:65536]:
        raise UndecodableText(path, "is not a text file (it contains NUL bytes)")
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise UndecodableText(path, f"cannot be decoded as any of {', '.join(ENCODINGS)}")


def read_text_file(path: str | os.PathLike[str], *, max_chars: int | None = None) -> PdfRead:
    """Read a text contract as a one-page :class:`PdfRead` (``words`` empty, width/height 0).

    Normalization: NFKC (as for PDFs), line endings to ``\\n``, trailing spaces removed, runs of
    more than one blank line reduced to one. ``info.metadata["encoding"]`` names the encoding used.
    ``max_chars``: the most characters of text allowed (``None``: no limit); a file of more than 4 bytes per
    allowed character (UTF-8's longest) is refused before it is read.

    Raises:
        EmptyFile: 0 bytes.  EmptyDocument: only whitespace.  UndecodableText: not decodable text.
        FileUnreadable: the operating system refused to read it.  TextTooLarge: over ``max_chars``.
    """
    p = Path(path)
    try:
        if max_chars is not None and p.stat().st_size > 4 * max_chars:
            raise TextTooLarge(p, f"has {p.stat().st_size} bytes, more than {max_chars} characters can take "
                                  "(setting max_text_chars)")
        data = p.read_bytes()
    except OSError as exc:
        raise FileUnreadable(p, f"cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise EmptyFile(p, "the file is empty (0 bytes)")
    raw, enc = _decode(p, data)
    text = nfkc(raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [ln.rstrip() for ln in text.split("\n")]
    out: list[str] = []
    for ln in lines:
        if not ln and out and not out[-1]:
            continue
        out.append(ln)
    text = "\n".join(out).strip("\n")
    if not text.strip():
        raise EmptyDocument(p, "contains no text")
    if max_chars is not None and len(text) > max_chars:
        raise TextTooLarge(p, f"has {len(text)} characters of text, more than the {max_chars} allowed "
                              "(setting max_text_chars)")
    page = PageText(
        number=1,
        text=text,
        words=[],
        width=0.0,
        height=0.0,
        hidden=[],
        quality="gibberish" if is_gibberish(text) else "ok",
    )
    info = PdfInfo(
        path=str(p),
        page_count=1,
        is_repaired=False,
        permissions={},
        encrypted_with_owner_password_only=False,
        metadata={"format": "text", "encoding": enc},
        warnings=[] if enc != "cp1252" else ["not UTF-8: decoded as Windows-1252"],
    )
    return PdfRead(info=info, pages=[page])
