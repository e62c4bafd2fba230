"""What a batch reports while it runs: the :class:`Progress` protocol and :class:`NoProgress`, which ignores it.

``ingest`` and :func:`pipeline.process_documents` call these methods at the moments named, from several threads
at once (documents and model calls run together): an implementation must be thread-safe. The command line's
progress bar implements it; code that wants no progress passes nothing (``None`` means :class:`NoProgress`).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Progress(Protocol):
    """Receives a batch's events; every method returns quickly (it runs on the batch's own threads)."""

    def files_found(self, n: int) -> None:
        """``n`` input files were found (once per ``ingest``, before the first is read)."""

    def file_read(self, name: str, pages: int = 0) -> None:
        """One file was read and stored, or failed (``name``: its file name; ``pages``: the pages read and stored
        from it, 0 when it failed or its bytes were stored already)."""

    def chunks_planned(self, n: int, second_pass: bool = False) -> None:
        """``n`` more model calls will be made (a document's chunks, the halves of a chunk cut off at the token
        limit, or, with ``second_pass``, the second pass's questions): add them to the total."""

    def chunk_answered(self, input_tokens: int, output_tokens: int, cached: bool, failed: bool = False,
                       second_pass: bool = False) -> None:
        """One planned call ended (answered, from the store when ``cached``, or, when ``failed``, without a usable
        answer: that chunk or part of it failed), with its tokens (0 and 0 when cached); ``second_pass``: the
        call was a second-pass question, not a chunk. A part cut off at the token limit and split in two is not
        ``failed``: its halves are planned instead."""

    def document_done(self, name: str, status: str, line: str, pages: int = 0, model_seconds: float = 0.0) -> None:
        """A document of the batch is done: ``name`` its file name, ``status`` its status now (a
        :class:`pipeline.store.DocumentStatus` value, or ``skipped`` when another process holds it or it was
        already past verification), ``line`` the one-line outcome (Rich markup, names escaped) that
        :func:`pipeline.process_documents` prints on its console when no progress is given; ``pages`` and
        ``model_seconds``: those of the extraction made for it in this batch, the model's seconds as the backend
        reports them (0 when none was made: it failed, or its extraction was stored by an earlier run)."""


class NoProgress:
    """A :class:`Progress` that does nothing."""

    def files_found(self, n: int) -> None:
        """Nothing."""

    def file_read(self, name: str, pages: int = 0) -> None:
        """Nothing."""

    def chunks_planned(self, n: int, second_pass: bool = False) -> None:
        """Nothing."""

    def chunk_answered(self, input_tokens: int, output_tokens: int, cached: bool, failed: bool = False,
                       second_pass: bool = False) -> None:
        """Nothing."""

    def document_done(self, name: str, status: str, line: str, pages: int = 0, model_seconds: float = 0.0) -> None:
        """Nothing."""
