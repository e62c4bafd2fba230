"""Ingestion: files in, documents, pages and chunks stored, one outcome per file.

A batch never stops at a bad file: each file gets a document row whose status and reason say
what happened (see :mod:`pipeline.store.states`). Each file is stored in ONE transaction together with
its audit events, so a crash leaves either the whole document or nothing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, delete
from sqlalchemy.exc import DataError, IntegrityError

import audit
from pipeline.reading import chunk_text
from pipeline.store import transaction
from pipeline.store import BlobMismatch, Chunk, Document, Page, put_file
from pipeline.reading import PdfReadError, ReadLimits, join_pages, layout_in_document, read_pdf
from pipeline.settings import Settings
from pipeline.store import DocumentStatus, Reason, check_transition
from pipeline.reading import read_text_file
from pipeline.reading import Tokenizer, tokenizer_for
from pipeline.llm import Progress

SUPPORTED_SUFFIXES = (".pdf", ".txt")
RETRYABLE = {DocumentStatus.NEEDS_PASSWORD, DocumentStatus.NEEDS_OCR, DocumentStatus.FAILED}


@dataclass
class IngestOutcome:
    """What happened to one file. ``status`` is a :class:`DocumentStatus` value."""

    path: Path
    document_id: str | None
    status: str
    reason: str | None = None
    message: str | None = None
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    already: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status not in {s.value for s in RETRYABLE}


@dataclass(frozen=True)
class UnreadablePath:
    """A path named or found that cannot be read as a file: ``problem`` says why in the operating system's
    words ("symbolic link loop", "dangling symbolic link", "folder cannot be listed (Permission denied)")."""

    path: Path
    problem: str


def _os_problem(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _stat_problem(path: Path, exc: OSError) -> str:
    """Why ``path`` cannot be opened, from the error of ``stat`` following links."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (Too many levels of symbolic links)"
    if exc.errno == errno.ENOENT and path.is_symlink():
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        return f"dangling symbolic link (its target {target} does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    return f"cannot be read ({_os_problem(exc)})"


def iter_input_files(paths: Iterable[Path]) -> Iterator[Path | UnreadablePath]:
    """Every ``.pdf``/``.txt`` file named, or found recursively under a named folder (each folder's entries in
    name order), and an :class:`UnreadablePath` for every one that cannot be read instead of silence.

    A named path is taken whatever its suffix. Under a folder, symbolic links are followed (a link to a folder
    that contains it is reported as a loop, not walked again); a link that loops or points nowhere is reported
    when its name has a supported suffix or none (it may have been a folder); a sub-folder that cannot be listed
    is reported, and the walk goes on. A named path that does not exist is reported too. Raises nothing for a
    path: a file found readable here may still fail when it is read (:func:`ingest_file` says why).
    """
    for p in paths:
        p = Path(p)
        try:
            st = p.stat()
        except OSError as exc:
            yield UnreadablePath(p, _stat_problem(p, exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            yield from _walk(p, frozenset({(st.st_dev, st.st_ino)}))
        elif stat.S_ISREG(st.st_mode):
            yield p
        else:
            yield UnreadablePath(p, "not a regular file (a device, a socket or a pipe)")


def _walk(folder: Path, ancestors: frozenset[tuple[int, int]]) -> Iterator[Path | UnreadablePath]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield UnreadablePath(folder, f"folder cannot be listed ({_os_problem(exc)})")
        return
    for e in entries:
        path = Path(e.path)
        try:
            st = os.stat(e.path)  # follows links
        except OSError as exc:
            if path.suffix.lower() in SUPPORTED_SUFFIXES or not path.suffix:
                yield UnreadablePath(path, _stat_problem(path, exc))
            continue
        if stat.S_ISDIR(st.st_mode):
            key = (st.st_dev, st.st_ino)
            if key in ancestors:
                yield UnreadablePath(path, "symbolic link loop (a link to a folder that contains it): not followed")
                continue
            yield from _walk(path, ancestors | {key})
        elif path.suffix.lower() in SUPPORTED_SUFFIXES:
            yield path if stat.S_ISREG(st.st_mode) else UnreadablePath(
                path, "not a regular file (a device, a socket or a pipe)")


def sha256_file(path: Path) -> tuple[str, int]:
    """SHA-256 hex digest and size in bytes of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
            size += len(block)
    return h.hexdigest(), size


@dataclass
class _Read:
    text: str
    pages: list[dict]
    info: dict
    is_repaired: bool = False
    warnings: list[str] = field(default_factory=list)


def _join(pages: list) -> tuple[str, list[tuple[int, int]]]:
    """Document text and each page's (start, end) in it, joined by :func:`pipeline.reading.pdf.join_pages`."""
    text, starts = join_pages(pages)
    return text, [(st, st + len(p.text)) for p, st in zip(pages, starts, strict=True)]


def read_limits(settings: Settings) -> ReadLimits:
    """The :class:`pipeline.reading.ReadLimits` of ``settings`` (``max_pages_per_file``, ``max_ocr_pages_per_file``,
    ``max_ocr_seconds_per_file``, ``max_text_chars``)."""
    return ReadLimits(max_pages=settings.max_pages_per_file, max_ocr_pages=settings.max_ocr_pages_per_file,
                      max_ocr_seconds=settings.max_ocr_seconds_per_file, max_text_chars=settings.max_text_chars)


def _read_pdf(path: Path, password: str | None, limits: ReadLimits) -> _Read:
    read = read_pdf(path, password, limits=limits)  # one open of the file for its info and its pages
    info, page_texts = read.info, read.pages
    text, spans = _join(page_texts)
    pages = []
    for p, (start, end) in zip(page_texts, spans, strict=True):
        pages.append(
            dict(
                number=p.number,
                text=p.text,
                start=start,
                end=end,
                width=p.width,
                height=p.height,
                layout=layout_in_document(p, start),
                hidden_text=[{"text": h.text, "mechanism": h.mechanism} for h in p.hidden],
                quality=p.quality,
            )
        )
    meta = {
        "permissions": getattr(info, "permissions", {}),
        "metadata": getattr(info, "metadata", {}),
        "warnings": list(getattr(info, "warnings", [])),
    }
    return _Read(text, pages, meta, bool(getattr(info, "is_repaired", False)), list(meta["warnings"]))


def _read_txt(path: Path, limits: ReadLimits) -> _Read:
    res = read_text_file(path, max_chars=limits.max_text_chars)
    page_texts = list(res.pages)
    text, spans = _join(page_texts)
    pages = [
        dict(number=p.number, text=p.text, start=s, end=e, width=None, height=None, layout=[],
             hidden_text=[], quality=p.quality)
        for p, (s, e) in zip(page_texts, spans, strict=True)
    ]
    return _Read(text, pages, {"media_type": "text/plain"})


def _quality_outcome(read: _Read) -> tuple[DocumentStatus, Reason | None, str | None]:
    """Document-level status from page qualities: every page unreadable is not a contract text."""
    qualities = [p["quality"] for p in read.pages]
    if not qualities:
        return DocumentStatus.FAILED, Reason.EMPTY_DOCUMENT, "the document has no pages"
    if all(q == "no_text_layer" for q in qualities):
        return (
            DocumentStatus.NEEDS_OCR,
            Reason.NO_TEXT_LAYER,
            "no text layer on any page (scanned); install tesseract-ocr and ingest again, or review manually",
        )
    if all(q in {"gibberish", "no_text_layer"} for q in qualities):
        return DocumentStatus.FAILED, Reason.GIBBERISH, "the text layer is gibberish on every page (bad font encoding)"
    if not read.text.strip():
        return DocumentStatus.FAILED, Reason.UNREADABLE, "no text could be read from any page"
    return DocumentStatus.INGESTED, None, None


MAX_MESSAGE_CHARS = 500
"""A status message quoting an error is cut to this many characters (a regular-expression error quotes its
whole pattern)."""


def _error_message(path: Path, what: str, exc: BaseException) -> str:
    text = f"{path.name}: {what} ({type(exc).__name__}: {exc})"
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"


def _unreadable(engine: Engine, path: Path, problem: str, *, actor: str, run_id: str, t0: float,
                reason: Reason = Reason.FILE_UNREADABLE) -> IngestOutcome:
    """The outcome of a path whose bytes could not be read as one file (no document row), with its audit
    event."""
    message = f"{path.name}: {problem}"
    with transaction(engine) as s:
        audit.append(s, type=audit.events.DOCUMENT_FAILED, actor=actor, document_id=None, run_id=run_id, payload={
            "file_name": path.name, "path": str(path), "sha256": None, "status": DocumentStatus.FAILED.value,
            "reason": reason.value, "message": message})
    return IngestOutcome(path, None, DocumentStatus.FAILED.value, reason.value, message,
                         seconds=time.perf_counter() - t0)


def ingest_file(
    engine: Engine,
    path: Path | UnreadablePath,
    settings: Settings,
    *,
    password: str | None = None,
    tokenizer: Tokenizer | None = None,
    actor: str = "system",
    run_id: str | None = None,
) -> IngestOutcome:
    """Read, check, chunk and store one file; never raises for a bad file (the outcome says why).

    The file's bytes are kept in the store (:func:`pipeline.store.put_bytes`, once per content).
    Returns an :class:`IngestOutcome`; ``already=True`` when the same bytes were stored before
    (a no-op but for storing the bytes of a document stored without them, unless the earlier attempt ended
    in ``needs_password``/``needs_ocr``/``failed``, which is retried; also when another process stored the
    same bytes while this one read them). Whatever goes wrong with the file becomes its ``failed`` status
    with a reason: a :class:`pipeline.reading.PdfReadError`'s own (a limit of :func:`read_limits` reached among
    them), any other error of reading or chunking ``read_error``, an error of the database on this document's
    data (e.g. PostgreSQL refusing a NUL character) ``read_error`` with the document stored without its text.
    A path that cannot be read at all (an :class:`UnreadablePath`, no read permission) has no bytes and so no
    document row: its outcome has ``document_id`` ``None``, reason ``file_unreadable``, and a
    ``document.failed`` audit event records it; so has a file that changed while it was read
    (:class:`pipeline.store.BlobMismatch`: reason ``read_error``, nothing stored). Raises only when the store or
    the audit log fails as a whole (the database is unreachable, an audit write fails; nothing is
    half-written then).
    """
    t0 = time.perf_counter()
    run_id = run_id or str(uuid.uuid4())
    if isinstance(path, UnreadablePath):
        return _unreadable(engine, path.path, path.problem, actor=actor, run_id=run_id, t0=t0)
    path = Path(path)
    try:
        doc_id, size = sha256_file(path)
    except OSError as exc:
        return _unreadable(engine, path, _stat_problem(path, exc), actor=actor, run_id=run_id, t0=t0)
    with transaction(engine) as s:
        existing = s.get(Document, doc_id)
        if existing is not None and DocumentStatus(existing.status) not in RETRYABLE:
            if existing.blob_sha256 is None:  # stored before the store kept original bytes (migration 0006)
                existing.blob_sha256 = put_file(s, path, sha256=doc_id)
            return IngestOutcome(path, doc_id, existing.status, existing.status_reason, "already ingested (same bytes)",
                                 existing.page_count, len(existing.chunks), time.perf_counter() - t0, already=True)

    media = "text/plain" if path.suffix.lower() == ".txt" else "application/pdf"
    limits = read_limits(settings)
    read: _Read | None = None
    chunks = []
    status, reason, message = DocumentStatus.INGESTED, None, None
    tok = tokenizer or tokenizer_for(settings)
    try:
        read = _read_txt(path, limits) if media == "text/plain" else _read_pdf(path, password, limits)
        status, reason, message = _quality_outcome(read)
        if status == DocumentStatus.INGESTED:
            chunks = chunk_text(
                read.text,
                [(p["number"], p["start"], p["end"]) for p in read.pages],
                budget_tokens=settings.chunk_tokens,
                overlap_tokens=settings.chunk_overlap_tokens,
                tokenizer=tok,
            )
    except PdfReadError as exc:
        read, chunks = None, []
        reason = Reason(exc.reason)
        status = DocumentStatus.NEEDS_PASSWORD if reason == Reason.ENCRYPTED else DocumentStatus.FAILED
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - whatever a file makes the reader or chunker raise is the file's status
        chunks = []
        status, reason = DocumentStatus.FAILED, Reason.READ_ERROR
        message = _error_message(path, "reading failed", exc)

    stored = dict(doc_id=doc_id, path=path, size=size, media=media, tokenizer=tok.name, actor=actor, run_id=run_id)
    try:
        try:
            outcome = _store(engine, read=read, chunks=chunks, status=status, reason=reason, message=message,
                             **stored)
        except IntegrityError:  # another process inserted the same document meanwhile: it is stored now
            outcome = _store(engine, read=read, chunks=chunks, status=status, reason=reason, message=message,
                             **stored)
    except DataError as exc:  # the database refuses this document's data: store the file as failed without it
        outcome = _store(engine, read=None, chunks=[], status=DocumentStatus.FAILED, reason=Reason.READ_ERROR,
                         message=_error_message(path, "could not be stored", exc.orig or exc), **stored)
    except BlobMismatch:  # its bytes, kept in the store, are not those read: nothing of it is stored
        return _unreadable(engine, path, "the file changed while it was read; ingest it again", actor=actor,
                           run_id=run_id, t0=t0, reason=Reason.READ_ERROR)
    except OSError as exc:  # gone or locked since it was read
        return _unreadable(engine, path, _stat_problem(path, exc), actor=actor, run_id=run_id, t0=t0)
    outcome.seconds = time.perf_counter() - t0
    return outcome


def _store(engine: Engine, *, doc_id: str, path: Path, size: int, media: str, read: _Read | None, chunks: list,
           status: DocumentStatus, reason: Reason | None, message: str | None, tokenizer: str, actor: str,
           run_id: str) -> IngestOutcome:
    """One transaction: the document row (new, or a retry's replacing what it had), its pages, chunks and
    audit events."""
    with transaction(engine, immediate=True) as s:
        doc = s.get(Document, doc_id, with_for_update=True, populate_existing=True)  # PostgreSQL: one writer a row
        if doc is None:
            doc = Document(id=doc_id, file_name=path.name, source_path=str(path.resolve()), size_bytes=size,
                           status=DocumentStatus.INGESTED.value)
            s.add(doc)
        elif DocumentStatus(doc.status) not in RETRYABLE:  # another process stored it since the check above
            return IngestOutcome(path, doc_id, doc.status, doc.status_reason, "already ingested (same bytes)",
                                 doc.page_count, len(doc.chunks), already=True)
        else:  # a retry of a needs_password / needs_ocr / failed document: replace what it had
            check_transition(doc.status, DocumentStatus.INGESTED)
            s.execute(delete(Chunk).where(Chunk.document_id == doc_id))
            s.execute(delete(Page).where(Page.document_id == doc_id))
            doc.status = DocumentStatus.INGESTED.value
            doc.source_path = str(path.resolve())
        s.flush()
        doc.blob_sha256 = put_file(s, path, sha256=doc_id)  # the original bytes, kept in the store
        doc.media_type = media
        doc.page_count = len(read.pages) if read else 0
        doc.text = read.text if read else ""
        doc.is_repaired = read.is_repaired if read else False
        doc.has_hidden_text = any(p["hidden_text"] for p in read.pages) if read else False
        doc.info = read.info if read else {}
        if status != DocumentStatus.INGESTED:
            doc.status = check_transition(doc.status, status).value
        doc.status_reason = reason.value if reason else None
        doc.status_message = message
        if read is not None:
            for p in read.pages:
                s.add(Page(document_id=doc_id, **p))
        for c in chunks:
            s.add(Chunk(document_id=doc_id, seq=c.seq, text=c.text, token_count=c.token_count,
                        tokenizer=tokenizer,
                        start=c.start, end=c.end, page_start=c.page_start, page_end=c.page_end))
        s.flush()
        payload = {
            "file_name": path.name,
            "sha256": doc_id,
            "size_bytes": size,
            "media_type": media,
            "page_count": doc.page_count,
            "status": doc.status,
            "reason": doc.status_reason,
            "message": message,
            "is_repaired": doc.is_repaired,
            "hidden_text_pages": [p["number"] for p in read.pages if p["hidden_text"]] if read else [],
            "page_quality": {str(p["number"]): p["quality"] for p in read.pages if p["quality"] != "ok"} if read else {},
            "pdf": doc.info,
            "chunks": len(chunks),
        }
        kind = audit.events.DOCUMENT_INGESTED if status == DocumentStatus.INGESTED else audit.events.DOCUMENT_FAILED
        audit.append(s, type=kind, actor=actor, document_id=doc_id, run_id=run_id, payload=payload)
        for c in chunks:
            audit.append(s, type=audit.events.CHUNK_CREATED, actor=actor, document_id=doc_id, run_id=run_id,
                         payload={"seq": c.seq, "start": c.start, "end": c.end, "pages": [c.page_start, c.page_end],
                                  "tokens": c.token_count,
                                  "sha256": hashlib.sha256(c.text.encode()).hexdigest()})
        return IngestOutcome(path, doc_id, doc.status, doc.status_reason, message, doc.page_count, len(chunks),
                             0.0, warnings=read.warnings if read else [])


def ingest_each(
    engine: Engine,
    files: Iterable[Path | UnreadablePath],
    settings: Settings,
    *,
    password: str | None = None,
    tokenizer: Tokenizer | None = None,
    run_id: str | None = None,
    progress: Progress | None = None,
) -> Iterator[IngestOutcome]:
    """Ingest ``files`` (as :func:`iter_input_files` lists them) one by one, yielding each outcome as soon as its
    file is stored: a caller that hands the ids on to :func:`pipeline.process_documents` as they come has the
    files read while the documents before them are extracted. A bad file never stops the batch
    (:func:`ingest_file`). ``progress`` (:class:`pipeline.llm.Progress`) hears of each file read, with the pages
    read from it; ``run_id`` groups the audit events of one batch (default: a new one)."""
    tok = tokenizer or tokenizer_for(settings)
    run_id = run_id or str(uuid.uuid4())
    for f in files:
        out = ingest_file(engine, f, settings, password=password, tokenizer=tok, run_id=run_id)
        if progress is not None:
            progress.file_read(out.path.name, 0 if out.already else out.pages)
        yield out


def ingest_paths(
    engine: Engine,
    paths: Iterable[Path],
    settings: Settings,
    *,
    password: str | None = None,
    on_file: Callable[[IngestOutcome], None] | None = None,
    progress: Progress | None = None,
) -> list[IngestOutcome]:
    """Ingest every supported file under ``paths``; a bad file never stops the batch.

    ``on_file`` is called after each file (for progress output); ``progress`` (:class:`pipeline.llm.Progress`)
    hears how many files were found, then of each file read.
    """
    files = list(iter_input_files(paths))
    if progress is not None:
        progress.files_found(len(files))
    outcomes = []
    for out in ingest_each(engine, files, settings, password=password, progress=progress):
        outcomes.append(out)
        if on_file:
            on_file(out)
    return outcomes
