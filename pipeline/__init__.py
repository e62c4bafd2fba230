"""The pipeline: the stages that move a document through its states, each database in, database out.

::

    file ──ingest_file──► ingested ──extract_document──► extracted ──verify_document──► auto_accepted
                                                                                   └──► needs_review
                                                                  (then the review workflow: pipeline.review)

- :func:`ingest_file` / :func:`ingest_paths`: a PDF or text file read, split into pages and chunks, stored
  (:class:`IngestOutcome`); :func:`iter_input_files` lists the files under the paths named;
  :func:`ingest_each` yields each file's outcome as it is stored.
- :func:`extract_document`: every chunk sent to the LLM backend, the answers merged, normalized and
  grounded into one :class:`schemas.ContractExtraction` stored as an extraction run; raises
  :class:`DocumentNotExtractable` (an :class:`ExtractionError`).
- :func:`verify_document`: the rules and the playbook run over the latest extraction of an ``extracted``
  document (:class:`VerifyOutcome`); raises :class:`NothingToVerify` when there is none or the document is in
  another status (a failed extraction is never verified).
- :func:`process_documents`: extract and verify a batch of documents, a bounded number of model calls in
  flight.
- :class:`Settings` (every knob: sizes in tokens, times in seconds) and :func:`get_settings`.

The rooms these stages use are sub-packages, each with its own public names: :mod:`pipeline.reading`
(files to pages and chunks), :mod:`pipeline.llm` (the LLM boundary), :mod:`pipeline.extraction` (model
answers to one extraction; pure), :mod:`pipeline.store` (the database), :mod:`pipeline.review` (the review
workflow) and :mod:`pipeline.cli` (the command line).

The names above are loaded on first use, so ``import pipeline.store`` (or any other room) does not
load the stages and all their dependencies.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from pipeline.extract import DocumentNotExtractable, ExtractionError, extract_document
    from pipeline.ingest import IngestOutcome, ingest_each, ingest_file, ingest_paths, iter_input_files
    from pipeline.run import process_documents
    from pipeline.settings import Settings, get_settings
    from pipeline.verify import NothingToVerify, VerifyOutcome, verify_document

__all__ = [
    "DocumentNotExtractable", "ExtractionError", "IngestOutcome", "NothingToVerify", "Settings", "VerifyOutcome",
    "extract_document", "get_settings", "ingest_each", "ingest_file", "ingest_paths", "iter_input_files", "process_documents",
    "verify_document",
]

_WHERE = {
    "DocumentNotExtractable": "pipeline.extract",
    "ExtractionError": "pipeline.extract",
    "extract_document": "pipeline.extract",
    "IngestOutcome": "pipeline.ingest",
    "ingest_each": "pipeline.ingest",
    "ingest_file": "pipeline.ingest",
    "ingest_paths": "pipeline.ingest",
    "iter_input_files": "pipeline.ingest",
    "process_documents": "pipeline.run",
    "Settings": "pipeline.settings",
    "get_settings": "pipeline.settings",
    "NothingToVerify": "pipeline.verify",
    "VerifyOutcome": "pipeline.verify",
    "verify_document": "pipeline.verify",
}


def __getattr__(name: str) -> typing.Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
