"""Reading PDF contracts with PyMuPDF: page text in reading order, word boxes, quality checks.

Public API
----------
- :func:`open_pdf` → :class:`PdfInfo` (raises a :class:`PdfReadError` subclass per failure mode).
- :func:`iter_pages` → streams :class:`PageText` one page at a time (memory bounded by one page).
- :func:`read_pdf` → :class:`PdfRead` (info and all pages).
- :func:`join_pages` → one document text and the character offset where each page starts.
- :func:`layout_in_document` → page word boxes in document offsets (grounding maps spans to rectangles from them).

What a page's text is
---------------------
Text in reading order: lines sorted top to bottom; where consecutive rows share a gutter and the
text flows down each side (a line ending mid-sentence is followed by a lower-case line), the left
column is read before the right (plain ``get_text`` interleaves two columns line by line); otherwise
side-by-side pieces are read row by row (forms, signature blocks). MuPDF's ``TEXT_SEGMENT`` was tried
and dropped: on CUAD it split the last line of paragraphs into separate regions and put them out of
order. Lines of one paragraph are joined with a space, paragraphs and blocks are separated by ``"\\n"``.
Soft line-end hyphens are joined ("noti-"/"fication"), real compounds and numeric ranges keep their
hyphen ("third-party", "2021-2022"). Ligatures and compatibility characters are NFKC-normalized
(:func:`rules.text.nfkc`: the ligature U+FB01 becomes "fi"), so searches and quotes match. Ruled tables found by
``page.find_tables()`` come out one row per line, cells joined with `` | `` (a plain read may list a
table column by column and separate each date from its amount). Lines that repeat at the same height
on at least half of the pages in the top or bottom band (running headers, footers, page numbers) are
removed, so that they neither break a sentence at a page end nor offer a footer's revision date as a
contract date; this needs a first cheap pass over the document, so :func:`iter_pages` reads each page
twice but never holds more than one page. The first pass's text page (clipped to the mediabox, whitespace
made spaces) is not the second's (unclipped, whitespace kept): taking the first pass's words from the second's
text page changes them (their blocks, lines or text) on 297 of the 3,928 PDF pages under ../shared/corpus,
../shared/failcases and samples/, so each page's text page is built once per pass.

In the second pass each page's MuPDF text page is built once and read as spans (``extractDICT``:
font size, colour, render mode) and words (``extractWORDS``: a word's box is the union of its
characters' boxes); characters (``extractRAWDICT``) are read only for the lines that need a decision
per glyph (hidden text, glyphs outside the page, a word split MuPDF makes differently from
whitespace), and the text and boxes are the same either way.

Rotated pages are read as a person reads them once the page is turned upright: a page with a
``/Rotate`` (MuPDF gives its text unrotated), or whose text is drawn sideways or upside down, is read
in the frame where its main text direction runs left to right (MuPDF's text page is made in that frame,
and ``find_tables`` runs with the page turned), so a landscape fee table reads row by row, cells left
to right; word boxes are then given in the page as seen (``page.rect``, as the page image is rendered).
A page whose text runs in several directions, or slanted, gets the quality ``"unsure_order"``. An
unrotated page of left-to-right text is read exactly as before (one extra look at its line directions).

Text that is never painted is not contract text (a hidden clause can contradict a visible fee or carry
instructions to the model): render mode 3 (invisible), a fill colour equal to the background (white
on white) or fully transparent, glyphs outside the page's visible box, and fonts under
:data:`MIN_VISIBLE_FONT_SIZE`. It is dropped from the page text and listed in ``PageText.hidden`` with
its mechanism. Invisible text lying on an image is an OCR layer of a scan and is kept.

Pages without a text layer (a scanned image) are OCR'd with Tesseract through PyMuPDF when the
``tesseract`` binary is available (quality ``"ocr"``), else marked ``"no_text_layer"``.
"""

from __future__ import annotations

import functools
import math
import os
import re
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Literal

import pymupdf

from pipeline.store import Reason
from rules.text import nfkc
from schemas import ClausewiseError

# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class PdfReadError(ClausewiseError):
    """A document could not be read as a complete contract. ``reason`` is the status reason code."""

    reason: Reason = Reason.UNREADABLE

    def __init__(self, file: str | os.PathLike[str], problem: str) -> None:
        self.file = str(file)
        self.problem = problem
        super().__init__(f"{Path(self.file).name}: {problem}")


class EncryptedPdf(PdfReadError):
    """The PDF needs a user password, or the password given is wrong."""

    reason = Reason.ENCRYPTED


class CorruptPdf(PdfReadError):
    """The PDF cannot be opened, or MuPDF's repair leaves no pages."""

    reason = Reason.CORRUPT


class TruncatedPdf(PdfReadError):
    """MuPDF repaired the file but it is incomplete (cut off): the remainder is not the whole contract."""

    reason = Reason.TRUNCATED


class EmptyFile(PdfReadError):
    """The file has 0 bytes."""

    reason = Reason.EMPTY_FILE


class EmptyDocument(PdfReadError):
    """The PDF is well formed but has 0 pages."""

    reason = Reason.EMPTY_DOCUMENT


class NotAPdf(PdfReadError):
    """The file is not a PDF at all (text, an image, an archive named ``.pdf``)."""

    reason = Reason.NOT_PDF


class FileUnreadable(PdfReadError):
    """The operating system refused to read the file (no read permission, a symbolic link loop, a dangling
    link, an I/O error); the message gives its words."""

    reason = Reason.FILE_UNREADABLE


class TooManyPages(PdfReadError):
    """The PDF has more pages than :attr:`ReadLimits.max_pages` allows; nothing of it is read."""

    reason = Reason.TOO_MANY_PAGES


class OcrLimitReached(PdfReadError):
    """A scanned page is left when :attr:`ReadLimits.max_ocr_pages` pages or :attr:`ReadLimits.max_ocr_seconds`
    seconds of OCR were spent on the file."""

    reason = Reason.OCR_LIMIT


class TextTooLarge(PdfReadError):
    """The document's text has more characters than :attr:`ReadLimits.max_text_chars` allows."""

    reason = Reason.TEXT_TOO_LARGE


@dataclass(frozen=True)
class ReadLimits:
    """Limits that protect the machine from one file; ``None`` is no limit. Each one reached raises its error
    (:class:`TooManyPages`, :class:`OcrLimitReached`, :class:`TextTooLarge`), which the ingest stage stores as
    the document's ``failed`` status with that reason. The defaults in force are the settings
    ``max_pages_per_file``, ``max_ocr_pages_per_file``, ``max_ocr_seconds_per_file`` and ``max_text_chars``
    (:class:`pipeline.settings.Settings`).

    ``max_pages``: pages of one PDF. ``max_ocr_pages``: pages OCR'd in one file. ``max_ocr_seconds``: wall
    seconds of OCR in one file, checked before each scanned page (a page being read is finished; 0 allows no
    OCR). ``max_text_chars``: characters of the document text (a text file of more than 4 bytes per allowed
    character is refused before it is read)."""

    max_pages: int | None = None
    max_ocr_pages: int | None = None
    max_ocr_seconds: float | None = None
    max_text_chars: int | None = None


_NO_LIMITS = ReadLimits()

#: What MuPDF raises for a file it cannot interpret (a page tree that contains itself, a content stream nested
#: deeper than MuPDF's graphics-state stack): its own error classes, or ``RuntimeError("code=N: ...")``.
_MUPDF_ERRORS = (pymupdf.mupdf.FzErrorBase, RuntimeError)


# --------------------------------------------------------------------------------------------
# Constants (each with where it comes from)
# --------------------------------------------------------------------------------------------

MIN_VISIBLE_FONT_SIZE = 2.0
"""Text below 2 pt is not legible when printed; a prompt-injection sample hides an instruction to the
model in a 1 pt line. CUAD's smallest legitimate text (footnote markers, fine print) is 5-6 pt."""

RUNNING_BAND = 0.12
"""Share of the page height at the top and at the bottom searched for running headers/footers.
In a 3-page A4 sample agreement the header sits at 31-42 pt and the footer at 806-817 pt of an 842 pt
page (4 % / 97 %); letter-size EDGAR exhibits in CUAD put page numbers 20-60 pt from the edge (< 8 %).
12 % leaves room."""

RUNNING_MIN_SHARE = 0.5
"""A band line is running text when the same line (digits ignored) appears at the same height on
at least half the pages (and on at least 2 pages)."""

RUNNING_MAX_WORDS_IF_NUMBERED = 6
"""A band line whose numbers change from page to page counts as running only up to 6 words
("Page 2 of 3", "Rev. 2021-02-11", "- 7 -"); longer numbered lines are clauses (the pages of a 3-page
sample services agreement all begin "Section n. This Services Agreement ...")."""

RUNNING_Y_TOLERANCE = 4.0
"""Points by which the same running line may move between pages (baseline jitter of generators)."""

DIRECTION_MIN_SHARE = 0.8
"""Share of a page's characters that must run in one direction (left to right, upwards, downwards or
right to left as the page is seen) for the page to be read in that direction's frame with its order
established. None of the 68 CUAD PDFs here has a single character outside left-to-right text
(``scripts``-free check: every line's ``dir`` from ``extractDICT``); a sideways margin note or filing
stamp beside a page of clauses is a few percent of its characters, a landscape fee table drawn sideways
under an upright heading over 90 %. Below the share (text in several directions, slanted text) the page
is still read, and its quality says the order is unsure."""

GIBBERISH_MIN_TOKENS = 25
"""Pages with fewer tokens are too short to judge (signature pages, exhibit covers)."""

GIBBERISH_MIN_WORD_SHARE = 0.45
"""Minimum share of word-like tokens (letters only, length >= 2, with a vowel, after stripping
punctuation; numbers are not counted either way). Measured on the 174 CUAD PDFs (3,388 pages,
``scripts/compare_cuad_text.py --quality``): the lowest judged page scores 0.53 (a patent list in
the Armstrong Flooring IP agreement), 1st percentile 0.81, median 0.98; text from a broken font
encoding (letter soup, symbol runs) scores far lower. 0.45 sits below every CUAD page."""

OCR_DPI = 300
"""Tesseract's accuracy drops markedly below 300 dpi for 10-12 pt body text."""

OCR_MIN_VISIBLE_CHARS = 10
"""A page with fewer visible characters than this, and an image, is treated as a scan."""

COMPOUND_HEADS = frozenset(
    "third non self co pre post sub multi cross long short high low well full part off on follow "
    "flow build roll anti inter intra semi mid over under out up down counter quasi vice ex "
    "first second one two three four five six seven eight nine ten twelve thirty sixty ninety "
    "year month day week time decision policy end front back check sign cut set lay wind run "
    "e x u t".split()
)
"""First halves that keep their hyphen at a line end ("third-|party" → "third-party"). Unknown
halves are joined unless the hyphenated form occurs elsewhere in the document."""

# MuPDF text extraction flags: no ligature preservation (→ "fi"); no
# dehyphenation (done here: TEXT_DEHYPHENATE regressed in PyMuPDF 1.27.1, pymupdf/PyMuPDF#4994); no
# mediabox clip (off-page text is seen and reported as hidden instead of silently vanishing).
_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE
_WORDS_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP

_STEXT_FILLED = 16  # FZ_STEXT_FILLED
_STEXT_STROKED = 32  # FZ_STEXT_STROKED

Quality = Literal["ok", "ocr", "no_text_layer", "gibberish", "unsure_order"]
Mechanism = Literal["render_mode_3", "white_on_white", "invisible_color", "outside_page_box", "tiny_font"]
Rect = tuple[float, float, float, float]

# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HiddenText:
    """Text on a page that is never visibly painted, and how it was hidden."""

    text: str
    mechanism: Mechanism


@dataclass
class PageText:
    """One page.

    ``number`` is 1-based. ``words`` are ``(start, end, x0, y0, x1, y1)``: character offsets into
    ``text`` and the box in PDF points (origin top-left, as PyMuPDF reports). A word hyphenated
    across lines has one box per piece. ``width``/``height`` in points.
    """

    number: int
    text: str
    words: list[tuple[int, int, float, float, float, float]]
    width: float
    height: float
    hidden: list[HiddenText] = field(default_factory=list)
    quality: Quality = "ok"


@dataclass
class PdfInfo:
    """What opening the file told us. ``permissions`` maps print/copy/modify/annotate/... to bool."""

    path: str
    page_count: int
    is_repaired: bool
    permissions: dict[str, bool]
    encrypted_with_owner_password_only: bool
    metadata: dict[str, str]
    warnings: list[str]


@dataclass
class PdfRead:
    """A whole document: its info and every page in order."""

    info: PdfInfo
    pages: list[PageText]


# --------------------------------------------------------------------------------------------
# Opening
# --------------------------------------------------------------------------------------------

_PERMISSION_BITS = {
    "print": pymupdf.PDF_PERM_PRINT,
    "modify": pymupdf.PDF_PERM_MODIFY,
    "copy": pymupdf.PDF_PERM_COPY,
    "annotate": pymupdf.PDF_PERM_ANNOTATE,
    "fill_forms": pymupdf.PDF_PERM_FORM,
    "accessibility": pymupdf.PDF_PERM_ACCESSIBILITY,
    "assemble": pymupdf.PDF_PERM_ASSEMBLE,
    "print_high_quality": pymupdf.PDF_PERM_PRINT_HQ,
}

_OTHER_FORMATS = (
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (e.g. DOCX)"),
    (b"\xd0\xcf\x11\xe0", "an OLE file (e.g. DOC)"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
)

_TRUNCATION_WARNINGS = ("cannot load content stream", "premature end", "object is not a stream", "truncated")


def _sniff(path: Path) -> None:
    """Raise EmptyFile / NotAPdf from the bytes alone."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise EmptyFile(path, "the file is empty (0 bytes)")
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as exc:
        raise FileUnreadable(path, f"cannot be read ({exc.strerror or exc})") from exc
    if b"%PDF-" in head[:1024]:
        return
    for magic, kind in _OTHER_FORMATS:
        if head.startswith(magic):
            raise NotAPdf(path, f"not a PDF: the file is {kind}")
    # A PDF whose header was damaged still has object syntax near the start (MuPDF repairs it).
    if re.search(rb"\d+\s+\d+\s+obj\b", head) and (b"endobj" in head or b"stream" in head):
        return
    raise NotAPdf(path, "not a PDF: no %PDF header and no PDF objects")


def _has_eof_marker(path: Path) -> bool:
    """True if the last 1 KiB holds an end-of-file marker (``%%EOF``; ``%EOF`` accepted, as MuPDF does)."""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 1024))
        tail = fh.read()
    return re.search(rb"%%?EOF", tail) is not None


def _open_document(path: Path, password: str | None, limits: ReadLimits = _NO_LIMITS
                   ) -> tuple[pymupdf.Document, PdfInfo]:
    _sniff(path)
    pymupdf.TOOLS.reset_mupdf_warnings()
    try:
        doc = pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # noqa: BLE001 - MuPDF raises FileDataError, RuntimeError, ValueError
        raise CorruptPdf(path, f"cannot be opened as a PDF ({exc})") from exc
    warnings: list[str] = []
    try:
        # read needs_pass once: in PyMuPDF 2.0 reading it again after authenticate() re-locks the
        # document and every page then yields empty text (silent data loss)
        needs_pass = bool(doc.needs_pass)
        if needs_pass:
            if password is None:
                raise EncryptedPdf(path, "is encrypted and needs a password")
            if not doc.authenticate(password):
                raise EncryptedPdf(path, "is encrypted and the password given is wrong")
        repaired = bool(doc.is_repaired)
        try:
            count = doc.page_count
        except _MUPDF_ERRORS as exc:
            raise CorruptPdf(path, f"is damaged: its page tree cannot be read ({exc})") from exc
        if repaired:
            if not _has_eof_marker(path):
                raise TruncatedPdf(
                    path,
                    "is truncated (no %%EOF; MuPDF repaired what is left, which is not the whole document)",
                )
            if count == 0:
                raise CorruptPdf(path, "is damaged: MuPDF's repair found no pages")
            warnings.append("repaired by MuPDF (broken cross-reference table or header); text read from the repair")
        if count == 0:
            raise EmptyDocument(path, "has no pages")
        if limits.max_pages is not None and count > limits.max_pages:
            raise TooManyPages(path, f"has {count} pages, more than the {limits.max_pages} allowed per file "
                                     "(setting max_pages_per_file)")
        meta = {k: v for k, v in (doc.metadata or {}).items() if v}
        encryption = meta.get("encryption", "")
        owner_only = bool(encryption) and not needs_pass
        perm_value = doc.permissions
        permissions = {name: bool(perm_value & bit) for name, bit in _PERMISSION_BITS.items()}
        if owner_only and not all(permissions.values()):
            denied = ", ".join(k for k, v in permissions.items() if not v)
            warnings.append(
                f"owner-password restrictions ({encryption}): {denied} not permitted; text extracted for "
                "analysis by policy"
            )
        info = PdfInfo(
            path=str(path),
            page_count=count,
            is_repaired=repaired,
            permissions=permissions,
            encrypted_with_owner_password_only=owner_only,
            metadata=meta,
            warnings=warnings,
        )
    except BaseException:
        doc.close()
        raise
    return doc, info


def open_pdf(path: str | os.PathLike[str], password: str | None = None) -> PdfInfo:
    """Open ``path`` and check it is a complete, readable PDF; return what was learnt.

    Owner-password-only files (permissions restricted, no user password) open without a
    password; their restrictions are listed in ``permissions`` and ``warnings``. Policy: reading the
    text for analysis is allowed (the copy restriction concerns redistribution; the flags are
    recorded for the audit log).

    Raises:
        EmptyFile: 0 bytes.  NotAPdf: other format.  EncryptedPdf: needs (another) password.
        CorruptPdf: cannot be opened / repaired to 0 pages.  TruncatedPdf: repaired but cut off.
        EmptyDocument: 0 pages.
    """
    doc, info = _open_document(Path(path), password)
    doc.close()
    return info


# --------------------------------------------------------------------------------------------
# OCR availability
# --------------------------------------------------------------------------------------------


@functools.cache
def tessdata_dir() -> str | None:
    """Folder of Tesseract's language data, or None when ``tesseract`` is not installed."""
    if shutil.which("tesseract") is None:
        return None
    env = os.environ.get("TESSDATA_PREFIX")
    if env and Path(env).is_dir():
        return env
    try:
        found = pymupdf.get_tessdata()
    except Exception:  # noqa: BLE001 - PyMuPDF raises RuntimeError when it finds none
        return None
    return found or None


# --------------------------------------------------------------------------------------------
# Pass 1: running headers/footers and the document's vocabulary
# --------------------------------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")
_WORD_CORE = re.compile(r"^[^\w]*(.*?)[^\w]*$")
_ALPHA_WORD = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


def _line_signature(text: str) -> str:
    t = nfkc(text).lower()
    return " ".join(_DIGITS.sub("#", t).split())


@dataclass
class _DocContext:
    """What pass 1 learns: running-line positions and vocabulary (both small, bounded by distinct lines/words)."""

    running: dict[tuple[str, str], list[float]]
    vocab: set[str]

    def is_running(self, band: str, sig: str, y: float) -> bool:
        ys = self.running.get((band, sig))
        return bool(ys) and any(abs(y - v) <= RUNNING_Y_TOLERANCE for v in ys)


def _band(y0: float, y1: float, height: float) -> str | None:
    if y1 <= height * RUNNING_BAND:
        return "top"
    if y0 >= height * (1 - RUNNING_BAND):
        return "bottom"
    return None


def _scan_document(doc: pymupdf.Document) -> _DocContext:
    """Pass 1: one cheap ``words`` extraction per page (page objects released as we go).

    Each distinct word string is judged for the vocabulary once per document; only blocks whose
    every word lies in the top or bottom band are grouped into lines (a word reaching the body
    puts its line, and so its block, out of the bands)."""
    seen: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    vocab: set[str] = set()
    judged: set[str] = set()
    n = doc.page_count
    for i in range(n):
        try:
            page = doc.load_page(i)
            words = page.get_text("words", flags=_WORDS_FLAGS)
        except _MUPDF_ERRORS as exc:
            raise _PageUnreadable(i + 1, exc) from exc
        height = page.rect.height
        top, bottom = height * RUNNING_BAND, height * (1 - RUNNING_BAND)
        if page.rotation:  # word boxes come unrotated: heights as the page is seen, as pass 2 compares them
            m = tuple(page.rotation_matrix)
            words = [(*_map_rect(w[:4], m), *w[4:]) for w in words]
        new = {w[4] for w in words} - judged
        judged |= new
        for s in new:
            core = _WORD_CORE.match(nfkc(s).lower())
            if core and _ALPHA_WORD.match(core.group(1)):
                vocab.add(core.group(1))
        body_blocks = {w[5] for w in words if w[3] > top and w[1] < bottom}
        lines: dict[tuple[int, int], list] = {}
        for w in words:
            if w[5] not in body_blocks:
                lines.setdefault((w[5], w[6]), []).append(w)
        blocks: dict[int, list[list]] = defaultdict(list)
        for (bno, _), ws in lines.items():
            blocks[bno].append(ws)
        for block_lines in blocks.values():
            bands = [_band(min(w[1] for w in ws), max(w[3] for w in ws), height) for ws in block_lines]
            if None in bands:
                continue  # part of a block that reaches the body: contract text, not a running line
            for ws, band in zip(block_lines, bands):
                raw = " ".join(w[4] for w in ws)
                sig = _line_signature(raw)
                seen[(band, sig)].setdefault(i, min(w[1] for w in ws))
                texts[(band, sig)].add(raw)
        del page
    running: dict[tuple[str, str], list[float]] = {}
    need = max(2, math.ceil(n * RUNNING_MIN_SHARE))
    if n >= 2:
        for key, by_page in seen.items():
            if len(by_page) < need:
                continue
            if len(texts[key]) > 1 and len(key[1].split()) > RUNNING_MAX_WORDS_IF_NUMBERED:
                continue  # long lines that differ in their numbers are content ("Section 2. This ...")
            ys = sorted(by_page.values())
            # positions at which the line occurs on enough pages (within tolerance)
            keep = [y for y in ys if sum(abs(y - v) <= RUNNING_Y_TOLERANCE for v in ys) >= need]
            if keep:
                running[key] = keep
    return _DocContext(running, vocab)


# --------------------------------------------------------------------------------------------
# Pass 2: one page
# --------------------------------------------------------------------------------------------


class _Word:
    """A word: ``pieces`` are the text and box of each piece (a hyphen-joined word has two); ``text``
    and ``rect`` (the union of the boxes) are computed once, as ``pieces`` is never changed."""

    __slots__ = ("pieces", "text", "rect")

    def __init__(self, pieces: list[tuple[str, Rect]]) -> None:
        self.pieces = pieces
        if len(pieces) == 1:
            self.text, self.rect = pieces[0]
        else:
            self.text = "".join(p[0] for p in pieces)
            self.rect = _union([p[1] for p in pieces])


@dataclass(slots=True)
class _Line:
    words: list[_Word]
    rect: Rect
    rotated: bool = False
    mblock: int = 0


@dataclass(slots=True)
class _Block:
    """A run of text to emit: ``paragraphs`` of lines (text blocks) or ``rows`` of cells (tables)."""

    rect: Rect
    lines: list[_Line] = field(default_factory=list)
    rows: list[list[list[_Word]]] | None = None


def _union(rects: list[Rect]) -> Rect:
    if len(rects) == 1:
        r = rects[0]
        return (r[0], r[1], r[2], r[3])
    x0, y0, x1, y1 = zip(*rects)
    return (min(x0), min(y0), max(x1), max(y1))


Matrix = tuple[float, float, float, float, float, float]
"""``(a, b, c, d, e, f)`` as PyMuPDF writes a matrix: a point ``(x, y)`` goes to ``(a x + c y + e, b x + d y + f)``."""


def _map_rect(r: Rect, m: Matrix) -> Rect:
    """``r`` moved by ``m``, a matrix that turns by a multiple of 90 degrees (so a box stays a box)."""
    a, b, c, d, e, f = m
    xa, ya = a * r[0] + c * r[1] + e, b * r[0] + d * r[1] + f
    xb, yb = a * r[2] + c * r[3] + e, b * r[2] + d * r[3] + f
    return (min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb))


def _turn_upright(direction: str, width: float, height: float) -> Matrix:
    """The matrix that turns a page of ``width`` x ``height`` points (as seen) so that text running
    ``direction`` (``"right"``, ``"left"``, ``"up"``, ``"down"`` on the page as seen) runs left to right."""
    if direction == "left":
        return (-1.0, 0.0, 0.0, -1.0, width, height)
    if direction == "up":  # turn the page clockwise
        return (0.0, 1.0, -1.0, 0.0, height, 0.0)
    if direction == "down":  # turn the page counter-clockwise
        return (0.0, -1.0, 1.0, 0.0, 0.0, width)
    return (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _direction(dx: float, dy: float) -> str:
    """``"right"``, ``"left"``, ``"up"``, ``"down"`` for a text direction within about 6 degrees of one
    (the tolerance by which a line counts as rotated), else ``"slant"``."""
    if abs(dy) <= 0.1:
        return "right" if dx > 0 else "left"
    if abs(dx) <= 0.1:
        return "down" if dy > 0 else "up"
    return "slant"


FILL_BANDS = 64
"""Horizontal bands a page is cut into to look up the filled shapes under a span (a page with more
than 16 fills, such as a table with shaded cells, is otherwise scanned fill by fill for every span)."""


GUTTER_MIN_WIDTH = 8.0
"""Points of empty horizontal space between two columns (a two-column sample page: 125 pt; typical
12-36 pt)."""


COLUMN_MIN_SHARE = 0.2
"""A text column's widest line spans at least 20 % of the columns' total width (the two-column sample
page: 35 %; the label column of a hanging numbered list in CUAD's TC Pipelines exhibit: 3 %)."""


def _ends_open(text: str) -> bool:
    return text[-1:] not in (".", ":", ";", "!", "?") and not text.endswith("-")


def _flows_down(column: list[_Line]) -> int:
    """Number of consecutive line pairs in ``column`` where a sentence visibly runs on."""
    n = 0
    for a, b in zip(column, column[1:]):
        last, first = a.words[-1].text, b.words[0].text
        if (_ends_open(last) or last.endswith("-")) and first[:1].islower():
            n += 1
    return n


def _gaps(lines: list[_Line]) -> list[tuple[float, float]]:
    ivs = sorted((ln.rect[0], ln.rect[2]) for ln in lines)
    out = []
    cur_end = ivs[0][1]
    for x0, x1 in ivs[1:]:
        if x0 - cur_end >= GUTTER_MIN_WIDTH:
            out.append((cur_end, x0))
        cur_end = max(cur_end, x1)
    return out


def _uncovered(g: tuple[float, float], lines: list[_Line]) -> list[tuple[float, float]]:
    """Parts of the x-interval ``g`` not covered by any of ``lines``, at least a gutter wide."""
    parts = [g]
    for ln in lines:
        nxt = []
        for lo, hi in parts:
            if ln.rect[2] <= lo or ln.rect[0] >= hi:
                nxt.append((lo, hi))
                continue
            if ln.rect[0] - lo >= GUTTER_MIN_WIDTH:
                nxt.append((lo, ln.rect[0]))
            if hi - ln.rect[2] >= GUTTER_MIN_WIDTH:
                nxt.append((ln.rect[2], hi))
        parts = nxt
    return parts


def _order_lines(lines: list[_Line]) -> list[tuple[_Line, tuple]]:
    """Lines in reading order, each with a key; a change of key starts a new block.

    Rows ("strips") are lines overlapping vertically. Consecutive strips that share an empty
    vertical gutter form a group; a group whose sides read as running text (see
    :func:`_flows_down`) is read column by column, else row by row. Rotated lines come last.
    """
    flat = [ln for ln in lines if not ln.rotated]
    rotated = [ln for ln in lines if ln.rotated]
    flat.sort(key=lambda ln: (ln.rect[1], ln.rect[0]))
    strips: list[list[_Line]] = []
    bottom = -1e9
    for ln in flat:
        h = ln.rect[3] - ln.rect[1]
        if strips and ln.rect[1] < bottom - 0.3 * h:
            strips[-1].append(ln)
            bottom = max(bottom, ln.rect[3])
        else:
            strips.append([ln])
            bottom = ln.rect[3]
    # group strips by a shared gutter
    groups: list[tuple[list[list[_Line]], list[tuple[float, float]]]] = []
    for st in strips:
        if groups and groups[-1][1]:
            narrowed = []
            for g in groups[-1][1]:
                narrowed.extend(_uncovered(g, st))
            if narrowed:
                groups[-1] = (groups[-1][0] + [st], narrowed)
                continue
        groups.append(([st], _gaps(st)))
    out: list[tuple[_Line, tuple]] = []
    for gi, (gstrips, gut) in enumerate(groups):
        if gut and len(gstrips) >= 2:
            edges = sorted(g[0] for g in gut)
            cols: list[list[_Line]] = [[] for _ in range(len(edges) + 1)]
            for st in gstrips:
                for ln in sorted(st, key=lambda ln: ln.rect[0]):
                    k = sum(1 for e in edges if ln.rect[0] >= e)
                    cols[k].append(ln)
            gx0 = min(ln.rect[0] for st in gstrips for ln in st)
            gx1 = max(ln.rect[2] for st in gstrips for ln in st)
            # every column must hold real text lines: a column of "1.", "(a)" labels beside the
            # clause texts is a hanging list, read row by row
            wide = all(
                max(ln.rect[2] - ln.rect[0] for ln in c) >= COLUMN_MIN_SHARE * (gx1 - gx0) for c in cols if c
            )
            if wide and any(_flows_down(c) >= max(1, 0.2 * (len(c) - 1)) for c in cols if len(c) >= 2):
                for ci, c in enumerate(cols):
                    out.extend((ln, (gi, ci, ln.mblock)) for ln in c)
                continue
        for st in gstrips:
            for ln in sorted(st, key=lambda ln: ln.rect[0]):
                out.append((ln, ("flow", ln.mblock)))
    out.extend((ln, ("rotated", ln.mblock)) for ln in rotated)
    return out


class _PageReader:
    """Builds one :class:`PageText` from a page (pass 2).

    Lines are read in the *reading frame*: the page as seen (its ``/Rotate`` applied), turned so that
    its main text direction runs left to right (:meth:`_plan_frame`). Where that is not the unrotated
    page, MuPDF makes the text page in that frame (``get_textpage(matrix=...)``: its blocks, lines and
    words are those of upright text), drawings and images are moved into it for the hidden-text checks,
    tables are found with the page turned, and word boxes are given back in the page as seen, where
    the review draws them on the page image.
    """

    def __init__(self, page: pymupdf.Page, ctx: _DocContext, *, ocr_text: bool = False) -> None:
        self.page = page
        self.ctx = ctx
        self.ocr_text = ocr_text
        self.rect = page.rect
        self._bounds = (self.rect.x0, self.rect.y0, self.rect.x1, self.rect.y1)
        # reading frame (see _plan_frame): None where it is the unrotated page
        self._to_reading: Matrix | None = None  # unrotated page -> reading frame
        self._reading_to_seen: Matrix | None = None  # None where the page as seen is the reading frame
        self._turn = 0  # degrees clockwise by which the page as seen is turned to be read
        self._reading_height = page.rect.height
        self.unsure_order = False
        self.hidden: list[HiddenText] = []
        self._fills: list[tuple[Rect, tuple[float, ...]]] | None = None
        self._fill_bands: list[list[int]] | None = None
        self._images: list[Rect] | None = None
        self._cdrawings: list[dict] | None = None
        self._textpage: pymupdf.TextPage | None = None
        self._raw_blocks: dict[int, dict] | None = None
        self.visible_chars = 0

    # ---- hidden text ------------------------------------------------------------------------

    def _fill_rects(self) -> list[tuple[Rect, tuple[float, ...]]]:
        if self._fills is None:
            self._fills = []
            for d in self._drawings():
                fill = d.get("fill")
                if fill is None or d.get("fill_opacity", 1) <= 0.5:
                    continue
                items = d["items"]
                kinds = {it[0] for it in items}
                # a solid box only: one rectangle/quad, or one closed run of <= 4 lines. Frames (outer and
                # inner outline filled even-odd, as CUAD's table borders are drawn) cover only their ring.
                if (len(items) == 1 and kinds <= {"re", "qu"}) or (kinds == {"l"} and len(items) <= 4):
                    r = tuple(d["rect"])
                    self._fills.append((r if self._to_reading is None else _map_rect(r, self._to_reading), tuple(fill)))
        return self._fills

    def _drawings(self) -> list[dict]:
        if self._cdrawings is None:
            self._cdrawings = self.page.get_cdrawings()
        return self._cdrawings

    def _image_rects(self) -> list[Rect]:
        if self._images is None:
            self._images = [tuple(i["bbox"]) for i in self.page.get_image_info()]
            if self._to_reading is not None:
                self._images = [_map_rect(r, self._to_reading) for r in self._images]
        return self._images

    def _background(self, bbox: Rect) -> tuple[float, ...]:
        """Colour under the centre of ``bbox``: the last filled shape containing it, else white."""
        bg: tuple[float, ...] = (1.0, 1.0, 1.0)
        fills = self._fill_rects()
        if fills:
            cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
            for i in self._fills_near(cy):
                r, fill = fills[i]
                if r[0] <= cx <= r[2] and r[1] <= cy <= r[3]:
                    bg = fill
        return bg

    def _fills_near(self, y: float) -> list[int] | range:
        """Indices, ascending, of the fills that may contain height ``y``: those whose vertical extent
        meets ``y``'s band when the page is cut into :data:`FILL_BANDS` bands (a page of table cells
        has hundreds of fills), every fill for a short list or a height that is not finite."""
        fills = self._fills or []
        top, bottom = self._bounds[1], self._bounds[3]
        step = (bottom - top) / FILL_BANDS
        if len(fills) <= FILL_BANDS // 4 or not (step > 0 and math.isfinite(step) and math.isfinite(y)):
            return range(len(fills))
        if self._fill_bands is None:

            def band(v: float) -> int:
                return int(min(max((v - top) // step, 0.0), FILL_BANDS - 1))

            self._fill_bands = [[] for _ in range(FILL_BANDS)]
            for i, (r, _) in enumerate(fills):
                # a band is monotonic in the height, so y0 <= y <= y1 puts y's band between theirs
                lo = band(r[1]) if math.isfinite(r[1]) else 0
                hi = band(r[3]) if math.isfinite(r[3]) else FILL_BANDS - 1
                for k in range(lo, hi + 1):
                    self._fill_bands[k].append(i)
        return self._fill_bands[int(min(max((y - top) // step, 0.0), FILL_BANDS - 1))]

    def _span_mechanism(self, span: dict) -> Mechanism | None:
        if self.ocr_text:
            return None
        painted = span.get("char_flags", _STEXT_FILLED) & (_STEXT_FILLED | _STEXT_STROKED)
        if not painted or span.get("alpha", 255) == 0:
            if self._on_image(span["bbox"]):
                return None  # OCR layer of a scanned page: invisible by design, real text
            return "render_mode_3" if not painted else "invisible_color"
        if span["size"] < MIN_VISIBLE_FONT_SIZE:
            return "tiny_font"
        return _colour_mechanism(span.get("color", 0), self._background(span["bbox"]))

    def _on_image(self, bbox: Rect) -> bool:
        cx, cy = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
        return any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in self._image_rects())

    def _outside_part(self, bbox: Rect) -> bool:
        """True if any of ``bbox`` lies outside the page (then each glyph is checked)."""
        x0, y0, x1, y1 = self._bounds
        return bbox[0] < x0 or bbox[1] < y0 or bbox[2] > x1 or bbox[3] > y1

    # ---- reading frame ------------------------------------------------------------------------

    def _plan_frame(self, blocks: list[dict]) -> bool:
        """Choose the reading frame from the text directions of ``blocks`` (``extractDICT`` blocks of
        the unrotated page); True when it is not the unrotated page (the text must be read again in it).

        Each line's direction, as the page is seen (``/Rotate`` applied), is right, left, up, down or
        slanted; the direction carrying most characters is the page's main one. The page is read turned
        so that the main direction runs left to right (a landscape fee table on a page turned by
        ``/Rotate 90``, or drawn sideways on an upright page, reads row by row, cells left to right);
        lines in other directions come last, as rotated lines always do. ``unsure_order`` is set when
        the main direction carries less than :data:`DIRECTION_MIN_SHARE` of the characters, or when no
        character runs horizontally or vertically. An unrotated page whose every line runs left to
        right costs one pass over its lines."""
        rot = self.page.rotation
        if rot == 0 and all(ln["dir"][0] > 0 and abs(ln["dir"][1]) <= 0.1
                            for b in blocks if b.get("type") == 0 for ln in b["lines"]):
            return False
        seen_matrix = self.page.rotation_matrix
        a, b, c, d = tuple(seen_matrix)[:4]
        chars: dict[str, int] = defaultdict(int)
        for blk in blocks:
            if blk.get("type") != 0:
                continue
            for ln in blk["lines"]:
                x, y = ln["dir"]
                chars[_direction(a * x + c * y, b * x + d * y)] += sum(len(sp["text"].strip()) for sp in ln["spans"])
        total = sum(chars.values())
        main = max(("right", "left", "up", "down"), key=lambda k: chars.get(k, 0))
        if total == 0:
            main = "right"
        elif chars.get(main, 0) < DIRECTION_MIN_SHARE * total:
            self.unsure_order = True
        if rot == 0 and main == "right":
            return False
        seen = self.page.rect
        turn = pymupdf.Matrix(*_turn_upright(main, seen.width, seen.height))
        to_reading = seen_matrix * turn
        self._to_reading = tuple(to_reading)
        self._turn = {"right": 0, "up": 90, "left": 180, "down": 270}[main]
        if self._turn:
            self._reading_to_seen = tuple(~turn)
        self._bounds = _map_rect(self._bounds if rot == 0 else tuple(self.page.rect * self.page.derotation_matrix),
                                 self._to_reading)
        self._reading_height = self._bounds[3] - self._bounds[1]
        return True

    def _outside(self, bbox: Rect) -> bool:
        x0, y0, x1, y1 = self._bounds
        return bbox[2] <= x0 or bbox[0] >= x1 or bbox[3] <= y0 or bbox[1] >= y1

    # ---- lines and words ----------------------------------------------------------------------

    def _read_block(self, block: dict, words: dict[tuple[int, int], list] | None) -> list[_Line]:
        """The block's lines of visible words; hidden runs go to ``self.hidden``.

        ``block`` is an ``extractDICT`` block (spans with their text) when ``words`` (MuPDF's words of
        the same text page by ``(block, line)``) is given, else an ``extractRAWDICT`` block. A line
        whose spans are all painted and inside the page, and whose text split at whitespace gives
        exactly MuPDF's words, takes its words and boxes from ``words`` (a box is the union of the
        word's character boxes either way). Any other line is read character by character, from the
        text page's ``extractRAWDICT`` (made only then, once per page) or from ``block`` itself.
        """
        lines: list[_Line] = []
        runs: list[list] = []  # hidden runs: [mechanism, text, open]
        for j, line in enumerate(block["lines"]):
            fast = None if words is None else self._line_from_words(line, words.get((block["number"], j), ()))
            if fast is None:
                raw_line = line if words is None else self._raw_block_lines(block)[j]
                line_words = self._line_from_chars(raw_line, runs)
            else:
                text, line_words = fast
                if text and runs:
                    runs[-1][2] = False
            if runs and runs[-1][2]:
                runs[-1][1] += " "  # a hidden run that reaches the line end may continue on the next line
            if line_words:
                d = line.get("dir", (1.0, 0.0))
                rotated = abs(d[1]) > 0.1
                rects = [w.rect for w in line_words]
                n = len(rects)
                ends = [n]
                if not rotated and n > 1:
                    # a wide gap inside one MuPDF line separates pieces (columns, label and value)
                    gap = 2.0 * max(r[3] - r[1] for r in rects)
                    ends = [k for k in range(1, n) if rects[k][0] - rects[k - 1][2] > gap] + ends
                start = 0
                for k in ends:
                    lines.append(_Line(line_words[start:k], _union(rects[start:k]), rotated=rotated))
                    start = k
        for m, text, _ in runs:
            t = " ".join(nfkc(text).split())
            if t:
                self.hidden.append(HiddenText(t, m))
        return lines

    def _line_from_words(self, line: dict, mwords: list | tuple) -> tuple[str, list[_Word]] | None:
        """``(line text, words)`` from MuPDF's words of an ``extractDICT`` line, or None when a span is
        hidden or reaches outside the page, or when the text split at whitespace differs from
        ``mwords`` (other delimiters, a dropped empty box): the line then needs its characters."""
        spans = line["spans"]
        for span in spans:
            if self._span_mechanism(span) is not None or self._outside_part(span["bbox"]):
                return None
        text = spans[0]["text"] if len(spans) == 1 else "".join([span["text"] for span in spans])
        tokens = text.split()
        if tokens != [w[4] for w in mwords]:
            return None
        joined = "".join(tokens)
        self.visible_chars += len(joined)
        if joined.isascii():
            return text, [_Word([(t, w[:4])]) for t, w in zip(tokens, mwords)]
        words: list[_Word] = []
        for t, w in zip(tokens, mwords):
            if not t.isascii():
                t = nfkc(t)
            if t.strip():
                words.append(_Word([(t, w[:4])]))
        return text, words

    def _line_from_chars(self, line: dict, runs: list[list]) -> list[_Word]:
        """Words of an ``extractRAWDICT`` line, character by character: hidden characters (by span, or
        a glyph outside the page) split words and extend ``runs``; a word's box is the union of its
        characters' boxes."""
        words: list[_Word] = []
        cur: list[tuple[str, Rect]] = []

        def flush() -> None:
            if cur:
                text = "".join(c for c, _ in cur)
                if not text.isascii():
                    text = nfkc(text)
                if text.strip():
                    x0 = min(b[0] for _, b in cur)
                    y0 = min(b[1] for _, b in cur)
                    x1 = max(b[2] for _, b in cur)
                    y1 = max(b[3] for _, b in cur)
                    words.append(_Word([(text, (x0, y0, x1, y1))]))
                cur.clear()

        for span in line["spans"]:
            mech = self._span_mechanism(span)
            check_outside = mech is None and self._outside_part(span["bbox"])
            for ch in span["chars"]:
                c, bbox = ch["c"], ch["bbox"]
                m = mech or ("outside_page_box" if check_outside and self._outside(bbox) else None)
                if m:
                    flush()
                    if runs and runs[-1][0] == m and runs[-1][2]:
                        runs[-1][1] += c
                    else:
                        runs.append([m, c, True])
                    continue
                if runs:
                    runs[-1][2] = False
                if c.isspace():
                    flush()
                else:
                    cur.append((c, bbox))
                    self.visible_chars += 1
        flush()
        return words

    def _raw_block_lines(self, block: dict) -> list[dict]:
        """The ``extractRAWDICT`` lines of ``block`` (same text page; extracted once per page, on first need)."""
        if self._raw_blocks is None:
            self._raw_blocks = {b["number"]: b for b in self._textpage.extractRAWDICT()["blocks"]}
        return self._raw_blocks[block["number"]]["lines"]

    def _drop_running(self, lines: list[_Line]) -> list[_Line]:
        """Remove running header/footer lines; only from blocks lying wholly in the top or bottom band."""
        if not self.ctx.running or not lines:
            return lines
        height = self._reading_height
        bands = [_band(ln.rect[1], ln.rect[3], height) for ln in lines]
        if None in bands:
            return lines
        kept = []
        for ln, band in zip(lines, bands):
            sig = _line_signature(" ".join(w.text for w in ln.words))
            if not self.ctx.is_running(band, sig, ln.rect[1]):
                kept.append(ln)
        return kept

    # ---- tables -------------------------------------------------------------------------------

    def _maybe_tables(self) -> list:
        """Ruled tables with at least 2 rows and 2 columns. ``find_tables`` is costly (0.2-3 s a page
        with PyMuPDF 2, which runs an ONNX layout model first; 0.33 s CPU on average over the 185 CUAD
        pages that call it, with :data:`LAYOUT_THREADS`; ``benchmarks/bench_reading.py``), so it runs only where the drawings hold at least 3 vertical and 3
        horizontal rules."""
        vx: set[int] = set()
        hy: set[int] = set()
        page_area = self.rect.width * self.rect.height
        for d in self._drawings():
            fill = d.get("fill")
            r = d["rect"]
            w, h = r[2] - r[0], r[3] - r[1]
            if d.get("type") == "f" and fill is not None and min(fill) > 0.95:
                continue  # white background boxes are not rules
            if w * h > 0.8 * page_area:
                continue
            for it in d["items"]:
                if it[0] == "l":
                    (x0, y0), (x1, y1) = it[1], it[2]
                    if abs(x0 - x1) < 1.5 and abs(y1 - y0) >= 6:
                        vx.add(round(x0 / 3))
                    elif abs(y0 - y1) < 1.5 and abs(x1 - x0) >= 6:
                        hy.add(round(y0 / 3))
                elif it[0] == "re":
                    rr = it[1]
                    if rr[3] - rr[1] >= 6:
                        vx.update((round(rr[0] / 3), round(rr[2] / 3)))
                    if rr[2] - rr[0] >= 6:
                        hy.update((round(rr[1] / 3), round(rr[3] / 3)))
            if len(vx) >= 3 and len(hy) >= 3:
                break
        if len(vx) < 3 or len(hy) < 3:
            return []
        try:
            found = self._find_tables()
        except Exception:  # noqa: BLE001 - table detection is an improvement, never a failure
            return []
        return [t for t in found.tables if t.row_count >= 2 and t.col_count >= 2]

    def _find_tables(self):
        """``page.find_tables()`` in the reading frame: ``find_tables`` works in the page as seen, so a
        page read turned is given the ``/Rotate`` that shows it turned while the tables are found."""
        _layout_single_threaded()
        if not self._turn:
            return self.page.find_tables()
        rot = self.page.rotation
        self.page.set_rotation((rot + self._turn) % 360)
        try:
            return self.page.find_tables()
        finally:
            self.page.set_rotation(rot)

    def _table_block(self, table, words: list[_Word]) -> _Block:
        """Rows of cells (each a list of words). Columns empty in every row (spacer columns of
        HTML-converted exhibits) are left out; words in no cell are kept as a last row."""
        grid: list[list[list[_Word] | None]] = []
        placed: set[int] = set()
        for row in table.rows:
            out_row: list[list[_Word] | None] = [None if c is None else [] for c in row.cells]
            for wi, w in enumerate(words):
                if wi in placed:
                    continue
                r = w.rect
                cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
                for k, c in enumerate(row.cells):
                    if c is not None and c[0] <= cx <= c[2] and c[1] <= cy <= c[3]:
                        out_row[k].append(w)  # type: ignore[union-attr]
                        placed.add(wi)
                        break
            for cell in out_row:
                if cell:
                    cell.sort(key=lambda w: (round(w.rect[1] / 3), w.rect[0]))
            grid.append(out_row)
        ncols = max((len(r) for r in grid), default=0)
        used = [any(k < len(r) and r[k] for r in grid) for k in range(ncols)]
        rows: list[list[list[_Word]]] = []
        for r in grid:
            cells = [c for k, c in enumerate(r) if c is not None and used[k]]
            if any(cells):
                rows.append(cells)
        rest = [w for wi, w in enumerate(words) if wi not in placed]
        if rest:
            rows.append([sorted(rest, key=lambda w: (round(w.rect[1] / 3), w.rect[0]))])
        return _Block(rect=tuple(table.bbox), rows=rows)

    # ---- assembly -----------------------------------------------------------------------------

    def read(self, textpage: pymupdf.TextPage) -> tuple[str, list, int]:
        """``(page text, word boxes, length of the text)`` from one text page of this page.

        Text layers are read from ``extractDICT`` spans and ``extractWORDS`` words, characters only
        where a line needs them; OCR text pages from ``extractRAWDICT`` characters."""
        self._textpage = textpage
        if self.ocr_text:
            blocks, by_line = textpage.extractRAWDICT()["blocks"], None
        else:
            blocks = textpage.extractDICT()["blocks"]
            if self._plan_frame(blocks):  # read again, upright: MuPDF makes blocks and lines of upright text
                textpage = self.page.get_textpage(clip=pymupdf.INFINITE_RECT(), flags=_FLAGS,
                                                  matrix=pymupdf.Matrix(*self._to_reading))
                self._textpage = textpage
                blocks = textpage.extractDICT()["blocks"]
            # MuPDF lists words line by line: one run per (block, line)
            by_line = {key: list(ws) for key, ws in groupby(textpage.extractWORDS(), key=itemgetter(5, 6))}
        all_lines: list[_Line] = []
        for k, b in enumerate(blocks):
            if b.get("type") != 0:
                continue
            for ln in self._drop_running(self._read_block(b, by_line)):
                ln.mblock = k
                all_lines.append(ln)
        out: list[_Block] = []
        key = None
        for ln, lkey in _order_lines(all_lines):
            if out and lkey == key:
                out[-1].lines.append(ln)
            else:
                out.append(_Block(rect=ln.rect, lines=[ln]))
            key = lkey
        for b in out:
            b.rect = _union([ln.rect for ln in b.lines])
        if not self.ocr_text and out:
            tables = self._maybe_tables()
            for t in tables:
                out = self._insert_table(out, t)
        emitter = _Emitter(self.ctx.vocab)
        for b in out:
            if b.rows is not None:
                emitter.table(b.rows)
            else:
                emitter.block(b.lines)
        text, words, n = emitter.result()
        back = self._reading_to_seen
        if back is not None:  # word boxes in the page as seen, where the review draws them
            words = [(s, e, *_map_rect((x0, y0, x1, y1), back)) for s, e, x0, y0, x1, y1 in words]
        return text, words, n

    def _insert_table(self, blocks: list[_Block], table) -> list[_Block]:
        tr = tuple(table.bbox)

        def inside(w: _Word) -> bool:
            r = w.rect
            cx, cy = (r[0] + r[2]) / 2, (r[1] + r[3]) / 2
            return tr[0] <= cx <= tr[2] and tr[1] <= cy <= tr[3]

        taken: list[_Word] = []
        new_blocks: list[_Block] = []
        insert_at = None
        for b in blocks:
            if b.rows is not None:
                new_blocks.append(b)
                continue
            kept_lines = []
            for ln in b.lines:
                keep = [w for w in ln.words if not inside(w)]
                taken.extend(w for w in ln.words if inside(w))
                if keep:
                    kept_lines.append(_Line(keep, _union([w.rect for w in keep])))
            if len(kept_lines) < len(b.lines) or sum(len(x.words) for x in kept_lines) < sum(len(x.words) for x in b.lines):
                if insert_at is None:
                    insert_at = len(new_blocks)
            if kept_lines:
                new_blocks.append(_Block(rect=_union([ln.rect for ln in kept_lines]), lines=kept_lines))
        if not taken:
            return blocks
        tblock = self._table_block(table, taken)
        if insert_at is None:
            insert_at = len(new_blocks)
        # place before the first kept block that starts below the table's top, if that is earlier
        for k, b in enumerate(new_blocks):
            if b.rect[1] >= tr[1] - 1 and k < insert_at:
                insert_at = k
                break
        new_blocks.insert(insert_at, tblock)
        return new_blocks


LAYOUT_THREADS = 1
"""Threads of each ONNX Runtime session of PyMuPDF's layout model (which ``find_tables`` runs). Its default
is one spinning thread per core in every process; documents are read one per process, and several processes
share the cores, so the spinning threads compete for them. One thread, not spinning, gives the same tables
(identical checksums of the 174 CUAD PDFs, ``benchmarks/reading_checksums.py``) for about 40 % less CPU time
in ``find_tables`` (31 CUAD table pages on 2 shared cores: 16.1 s CPU with the default, 10.0 s with one)."""


@functools.cache
def _layout_single_threaded() -> int:
    """Rebuild the ONNX Runtime sessions held by PyMuPDF's layout model (``pymupdf._get_layout``, when
    the ``pymupdf.layout`` package is installed) with :data:`LAYOUT_THREADS` intra-op threads and no
    spinning; once per process. Returns the number of sessions rebuilt (0 when there is no layout model,
    or none of its sessions was loaded from a file). Never raises: a session that cannot be rebuilt is
    left as it was."""
    get_layout = getattr(pymupdf, "_get_layout", None)
    cells = getattr(get_layout, "__closure__", None) or ()
    try:
        import onnxruntime as ort
    except ImportError:
        return 0
    rebuilt = 0
    seen: set[int] = set()

    def visit(obj: object, depth: int) -> None:
        nonlocal rebuilt
        if id(obj) in seen or depth > 4 or not type(obj).__module__.startswith("pymupdf.layout"):
            return
        seen.add(id(obj))
        for name, value in list(vars(obj).items()) if hasattr(obj, "__dict__") else ():
            if isinstance(value, ort.InferenceSession):
                path = getattr(value, "_model_path", None)
                if not path:
                    continue
                try:
                    options = value.get_session_options()
                    options.intra_op_num_threads = LAYOUT_THREADS
                    options.inter_op_num_threads = LAYOUT_THREADS
                    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                    setattr(obj, name, ort.InferenceSession(path, sess_options=options,
                                                            providers=value.get_providers()))
                    rebuilt += 1
                except Exception:  # noqa: BLE001 - a faster session is an improvement, never a failure
                    continue
            else:
                visit(value, depth + 1)

    for cell in cells:
        try:
            visit(cell.cell_contents, 0)
        except ValueError:  # an empty closure cell
            continue
    return rebuilt


@functools.lru_cache(maxsize=4096)
def _colour_mechanism(color: int, background: tuple[float, ...]) -> Mechanism | None:
    """How text of sRGB ``color`` (0xRRGGBB) on ``background`` (gray, RGB or CMYK fill, 0..1) is hidden:
    ``"white_on_white"`` / ``"invisible_color"`` when every channel differs by less than 0.08, else None."""
    rgb = _rgb(color)
    bg = _rgb_tuple(background)
    if max(abs(a - b) for a, b in zip(rgb, bg)) < 0.08:
        return "white_on_white" if min(bg) > 0.85 else "invisible_color"
    return None


def _rgb(color: int) -> tuple[float, float, float]:
    return (((color >> 16) & 255) / 255, ((color >> 8) & 255) / 255, (color & 255) / 255)


def _rgb_tuple(c: tuple[float, ...]) -> tuple[float, float, float]:
    if len(c) == 1:
        return (c[0], c[0], c[0])
    if len(c) == 4:  # CMYK
        k = c[3]
        return tuple((1 - x) * (1 - k) for x in c[:3])  # type: ignore[return-value]
    return (c[0], c[1], c[2])


_ENUM_START = re.compile(r"^(\(?[0-9]{1,3}(\.[0-9]{1,3})*[.)]|\(?[a-zA-Z]{1,2}[.)]|\([ivxIVX]{1,4}\)|Section\b|ARTICLE\b|Article\b)")


class _Emitter:
    """Writes blocks into the page text and records each word's offsets."""

    def __init__(self, vocab: set[str]) -> None:
        self.vocab = vocab
        self.parts: list[str] = []
        self.pos = 0
        self.words: list[tuple[int, int, float, float, float, float]] = []

    def _text(self, s: str) -> None:
        self.parts.append(s)
        self.pos += len(s)

    def _words(self, words: list[_Word]) -> None:
        """``words`` joined by single spaces, each piece's offsets and box recorded."""
        parts, out, pos = self.parts, self.words, self.pos
        space = False
        for w in words:
            if space:
                parts.append(" ")
                pos += 1
            space = True
            for t, r in w.pieces:
                end = pos + len(t)
                out.append((pos, end, r[0], r[1], r[2], r[3]))
                parts.append(t)
                pos = end
        self.pos = pos

    def _sep(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self._text("\n")

    def table(self, rows: list[list[list[_Word]]]) -> None:
        for row in rows:
            self._sep()
            for k, cell in enumerate(row):
                if k:
                    self._text(" | ")
                self._words(cell)

    def block(self, lines: list[_Line]) -> None:
        right = max(ln.rect[2] for ln in lines)
        left = min(ln.rect[0] for ln in lines)
        paragraphs: list[list[_Word]] = []
        prev: _Line | None = None
        for ln in lines:
            if prev is None or _breaks(prev, ln, left, right):
                paragraphs.append(list(ln.words))
            else:
                para = paragraphs[-1]
                joined = _join_hyphen(para[-1], ln.words[0], self.vocab) if _same_flow(prev, ln) else None
                if joined is not None:
                    para[-1] = joined
                    para.extend(ln.words[1:])
                else:
                    para.extend(ln.words)
            prev = ln
        for para in paragraphs:
            self._sep()
            self._words(para)

    def result(self) -> tuple[str, list, int]:
        text = "".join(self.parts)
        return text, self.words, len(text)


def _same_flow(prev: _Line, ln: _Line) -> bool:
    """The next line starts below the previous one (not a piece on the same baseline)."""
    return ln.rect[1] >= prev.rect[3] - 0.5 * (prev.rect[3] - prev.rect[1])


def _breaks(prev: _Line, ln: _Line, left: float, right: float) -> bool:
    """True when ``ln`` starts a new paragraph rather than continuing ``prev``.

    Signals: a blank line's worth of vertical gap; an enumerator ("4.2", "(a)", "Section") after a
    sentence end or a short line; a sentence end on a line that left room for the next line's first
    word; a short line followed by a capitalized line (headings). A line ending in a hyphen always
    continues. Lines are often broken by hand in generated PDFs, so shortness alone is not a break.
    """
    ph = prev.rect[3] - prev.rect[1]
    h = ln.rect[3] - ln.rect[1]
    if not _same_flow(prev, ln):
        return False  # same visual line, continued to the right
    if ln.rect[1] - prev.rect[3] > 0.8 * max(ph, h):
        return True  # blank line between
    last = prev.words[-1].text
    first = ln.words[0].text
    if len(last) > 1 and last.endswith("-") and last[-2].isalnum():
        return False
    first_w = ln.words[0].rect[2] - ln.words[0].rect[0]
    fits = prev.rect[2] + 0.3 * h + first_w < right - 2
    ends_sentence = last.rstrip("\"')]\u201d\u2019")[-1:] in (".", ":", ";", "!", "?")
    if _ENUM_START.match(first) and (ends_sentence or fits):
        return True
    if fits and ends_sentence:
        return True
    short = (prev.rect[2] - left) < 0.6 * (right - left)
    if fits and short and first[:1].isupper():
        return True
    return False


def _join_hyphen(head: _Word, tail: _Word, vocab: set[str]) -> _Word | None:
    """Merge a line-end hyphenated ``head`` with the next line's ``tail``, or None (join with a space).

    Soft hyphen ("noti-"+"fication") → "notification"; compounds ("third-"+"party"), numeric ranges
    ("2021-"+"2022") and capitalized second halves keep the hyphen and lose the space.
    """
    ht = head.text
    tt = tail.text
    if len(ht) < 2 or not ht.endswith("-") or ht.endswith("--"):
        return None
    before = ht[-2]
    first = tt[:1]
    if not first:
        return None
    if before.isdigit() and first.isdigit():
        return _Word(head.pieces + tail.pieces)  # 2021-2022: keep the hyphen, drop the space
    if not (before.isalpha() and first.isalpha()):
        return None
    h_core = re.sub(r"^.*?([A-Za-z]+)$", r"\1", ht[:-1]).lower()
    t_core = re.match(r"[A-Za-z]+", tt)
    t_core_s = t_core.group(0).lower() if t_core else ""
    keep = (
        first.isupper()
        or len(h_core) <= 1
        or f"{h_core}-{t_core_s}" in vocab
        or ("-" in ht[:-1])
        or (h_core in COMPOUND_HEADS and f"{h_core}{t_core_s}" not in vocab)
    )
    if keep:
        return _Word(head.pieces + tail.pieces)
    # drop the hyphen: the first piece loses its last character (its box still covers it)
    t, r = head.pieces[-1]
    pieces = head.pieces[:-1] + [(t[:-1], r)] + tail.pieces
    return _Word(pieces)


# --------------------------------------------------------------------------------------------
# Quality
# --------------------------------------------------------------------------------------------

_VOWELS = set("aeiouyAEIOUY")
_NUMBERISH = re.compile(r"^[\W\d_]*\d[\W\d_]*$")
_STRIP = "\"'()[]{}<>.,;:!?*-_/\\|`~@#$%^&+=§©®™“”‘’«»"


_REDACTION = re.compile(r"^\[?\*+\]?%?$|^\[\s*\]$")


def word_share(text: str) -> tuple[float, int]:
    """``(share of word-like tokens, number of tokens judged)``.

    Judged: whitespace-separated tokens except numbers and tokens holding digits ("Aug-06"),
    single punctuation marks and table separators ("|", "$", "-"), and redaction marks ("[***]",
    common in EDGAR exhibits). Word-like: stripped of surrounding punctuation, letters only
    (inner hyphens and apostrophes allowed), at least 2 long, with a vowel (a-e-i-o-u-y); or "a"/"I".
    """
    judged = good = 0
    for tok, count in Counter(text.split()).items():
        j, g = _judge_token(tok)
        judged += j * count
        good += g * count
    return (good / judged if judged else 1.0), judged


@functools.lru_cache(maxsize=1 << 16)
def _judge_token(tok: str) -> tuple[int, int]:
    """``(judged, word-like)`` of one token, each 0 or 1 (see :func:`word_share`); cached, as
    documents repeat most of their tokens."""
    if any(c.isdigit() for c in tok) or (len(tok) == 1 and not tok.isalnum()) or _REDACTION.match(tok):
        return 0, 0
    plain = tok.strip(_STRIP).replace("-", "").replace("'", "")
    if len(plain) >= 2 and plain.isalpha() and any(c in _VOWELS for c in plain):
        return 1, 1
    if len(plain) == 1 and plain.isalpha() and plain in "aAI":
        return 1, 1
    return 1, 0


def is_gibberish(text: str) -> bool:
    """True when a page's text layer is not language (broken font encoding): see the two constants."""
    share, judged = word_share(text)
    return judged >= GIBBERISH_MIN_TOKENS and share < GIBBERISH_MIN_WORD_SHARE


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


class _PageUnreadable(Exception):
    """MuPDF failed on page ``number`` (1-based); :func:`_pages` turns it into :class:`CorruptPdf`."""

    def __init__(self, number: int, error: BaseException) -> None:
        self.number, self.error = number, error
        super().__init__(f"page {number}: {error}")


class _OcrBudget:
    """OCR spent on one file against :class:`ReadLimits` (pages, wall seconds)."""

    def __init__(self, limits: ReadLimits, path: Path) -> None:
        self.limits, self.path = limits, path
        self.pages = 0
        self.seconds = 0.0

    def check(self, number: int) -> None:
        """Raise :class:`OcrLimitReached` if scanned page ``number`` may not be OCR'd any more."""
        lim = self.limits
        if lim.max_ocr_pages is not None and self.pages >= lim.max_ocr_pages:
            raise OcrLimitReached(self.path, f"page {number} is scanned and {self.pages} pages were OCR'd already, "
                                             f"the most allowed per file (setting max_ocr_pages_per_file)")
        if lim.max_ocr_seconds is not None and self.seconds >= lim.max_ocr_seconds:
            raise OcrLimitReached(self.path, f"page {number} is scanned and OCR has taken {self.seconds:.0f} s of "
                                             f"the {lim.max_ocr_seconds:g} s allowed per file "
                                             "(setting max_ocr_seconds_per_file)")


def _read_page(page: pymupdf.Page, ctx: _DocContext, ocr: bool | str,
               budget: _OcrBudget | None = None) -> tuple[PageText, list[str]]:
    warnings: list[str] = []
    reader = _PageReader(page, ctx)
    # one text page for every extraction of this page; an infinite clip: without it MuPDF drops
    # glyphs outside the mediabox before we can report them
    text, words, _ = reader.read(page.get_textpage(clip=pymupdf.INFINITE_RECT(), flags=_FLAGS))
    quality: Quality = "ok"
    if reader.visible_chars < OCR_MIN_VISIBLE_CHARS and page.get_images(full=False):
        tessdata = tessdata_dir() if ocr else None
        if tessdata is None:
            quality = "no_text_layer"
            if ocr is True:
                warnings.append(f"page {page.number + 1}: OCR asked for but tesseract is not installed")
        else:
            if budget is not None:
                budget.check(page.number + 1)
            started = time.monotonic()
            tp = page.get_textpage_ocr(flags=_FLAGS, full=True, language="eng", dpi=OCR_DPI, tessdata=tessdata)
            if budget is not None:
                budget.pages += 1
                budget.seconds += time.monotonic() - started
            ocr_reader = _PageReader(page, ctx, ocr_text=True)
            text, words, _ = ocr_reader.read(tp)
            quality = "gibberish" if is_gibberish(text) else "ocr"
    elif is_gibberish(text):
        quality = "gibberish"
    elif reader.unsure_order:
        quality = "unsure_order"
    return (
        PageText(
            number=page.number + 1,
            text=text,
            words=words,
            width=page.rect.width,
            height=page.rect.height,
            hidden=reader.hidden,
            quality=quality,
        ),
        warnings,
    )


def iter_pages(
    path: str | os.PathLike[str], password: str | None = None, *, ocr: bool | Literal["auto"] = "auto",
    limits: ReadLimits | None = None,
) -> Iterator[PageText]:
    """Yield each page's :class:`PageText` in order, holding one page at a time.

    Two passes over the file: a cheap one for running headers/footers and the vocabulary used to
    decide line-end hyphens, then one page at a time. ``ocr``: ``"auto"`` (OCR scanned pages when
    ``tesseract`` is installed), ``True`` (same; adds a warning if it is not), ``False`` (never:
    scanned pages get quality ``"no_text_layer"``). ``limits``: see :class:`ReadLimits` (none by default).

    Raises the :func:`open_pdf` errors before the first page, :class:`TooManyPages` before the first page,
    :class:`TruncatedPdf` if a page's content turns out to be cut off while reading, :class:`CorruptPdf` for a
    page MuPDF cannot interpret (a page tree that contains itself, graphics states nested deeper than its
    stack), :class:`OcrLimitReached` and :class:`TextTooLarge` when the file reaches those limits.
    """
    p = Path(path)
    lim = limits or _NO_LIMITS
    doc, info = _open_document(p, password, lim)
    yield from _pages(doc, info, p, ocr, lim)


def _pages(doc: pymupdf.Document, info: PdfInfo, path: Path, ocr: bool | str,
           limits: ReadLimits = _NO_LIMITS) -> Iterator[PageText]:
    """The two passes of :func:`iter_pages` over an opened document, which is closed at the end."""
    budget = _OcrBudget(limits, path)
    chars = 0
    try:
        ctx = _scan_document(doc)
        for i in range(info.page_count):
            pymupdf.TOOLS.reset_mupdf_warnings()
            try:
                page = doc.load_page(i)
                page_text, _ = _read_page(page, ctx, ocr, budget)
            except _MUPDF_ERRORS as exc:
                raise _PageUnreadable(i + 1, exc) from exc
            del page
            if info.is_repaired:
                msgs = pymupdf.TOOLS.mupdf_warnings().lower()
                if any(s in msgs for s in _TRUNCATION_WARNINGS):
                    raise TruncatedPdf(path, f"page {i + 1} is cut off (its content stream is incomplete)")
            chars += len(page_text.text)
            if limits.max_text_chars is not None and chars > limits.max_text_chars:
                raise TextTooLarge(path, f"has more than {limits.max_text_chars} characters of text by page {i + 1} "
                                         "(setting max_text_chars)")
            yield page_text
    except _PageUnreadable as exc:
        raise CorruptPdf(path, f"is damaged: page {exc.number} cannot be read ({exc.error})") from exc.error
    finally:
        doc.close()


def read_pdf(path: str | os.PathLike[str], password: str | None = None, *, ocr: bool | Literal["auto"] = "auto",
             limits: ReadLimits | None = None) -> PdfRead:
    """Open and read every page (see :func:`iter_pages`; the file is opened once). Raises the
    :func:`iter_pages` errors."""
    p = Path(path)
    lim = limits or _NO_LIMITS
    doc, info = _open_document(p, password, lim)
    return PdfRead(info=info, pages=list(_pages(doc, info, p, ocr, lim)))


# --------------------------------------------------------------------------------------------
# Document text and rectangles
# --------------------------------------------------------------------------------------------


def page_separator(prev_text: str, next_text: str) -> str:
    """Text placed between two pages: ``" "`` when a sentence runs on (the previous page ends without
    closing punctuation and the next starts in lower case), else ``"\\n"``."""
    a = prev_text.rstrip()
    b = next_text.lstrip()
    if a and b and a[-1] not in ".:;!?)\"'”’" and b[0].islower():
        return " "
    return "\n"


def join_pages(pages: list[PageText]) -> tuple[str, list[int]]:
    """One document text from ``pages`` and the offset where each page's text starts in it."""
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    prev = ""
    for k, pg in enumerate(pages):
        if k:
            sep = page_separator(prev, pg.text)
            parts.append(sep)
            pos += len(sep)
        starts.append(pos)
        parts.append(pg.text)
        pos += len(pg.text)
        prev = pg.text if pg.text.strip() else prev
    return "".join(parts), starts


def layout_in_document(page: PageText, page_start: int) -> list[list[float]]:
    """The page's word boxes with offsets into the DOCUMENT text: ``[start, end, x0, y0, x1, y1]``."""
    return [[s + page_start, e + page_start, x0, y0, x1, y1] for s, e, x0, y0, x1, y1 in page.words]
