"""Injection: document text (including text dropped as hidden) that reads as instructions to a model.

The text is data, never instructions; rule I001 flags a document whose text tries to instruct the model
or an automated reviewer, whatever was extracted. What reads as instructions is decided by the scan of
the contract-text grammar, :func:`rules.text.injection.scan` (the same scan that withholds such sentences
from the model); this module applies it to the document text and to each page's hidden text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.registry import Hit, rule
from rules.text.injection import WINDOW, scan, scan_form
from schemas import ContractExtraction, SourceDocument


@dataclass(frozen=True)
class Suspect:
    """One suspicious passage: page (None when unknown), hidden or not, signals and a normalized snippet."""

    page: int | None
    hidden: bool
    signals: tuple[str, ...]
    snippet: str


def suspects(doc: SourceDocument) -> list[Suspect]:
    """Every suspicious passage of the document text and of each page's hidden text."""
    segments: list[tuple[int | None, bool, str]] = []
    if doc.pages:
        covered = 0
        for p in doc.pages:
            segments.append((p.number, False, doc.text[p.start:p.end]))
            covered = max(covered, p.end)
            segments.extend((p.number, True, h.text) for h in p.hidden_text)
        if covered < len(doc.text):
            segments.append((None, False, doc.text[covered:]))
    else:
        segments.append((None, False, doc.text))
    found: list[Suspect] = []
    for page, hidden, text in segments:
        t = scan_form(text)
        last = -WINDOW
        for pos, signals in scan(text):
            if pos - last < 80:
                continue  # one passage, several signals
            last = pos
            found.append(Suspect(page, hidden, signals, t[max(0, pos - 20):pos + 100].replace("\n", " ")))
    return found


@rule(
    "I001",
    title="Document text reads as instructions to a model",
    severity="error",
    fields=("document",),
    source="prompt injection (OWASP Top 10 for LLM Applications, LLM01): contract text that addresses the model "
           "('ignore previous instructions', hidden or look-alike characters) instead of the parties",
)
def injection_suspected(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    found = suspects(doc)
    if not found:
        return
    where = "; ".join(
        f"page {s.page or '?'}{' (hidden)' if s.hidden else ''}: {s.snippet!r}" for s in found[:3]
    )
    yield Hit(
        "document",
        f"{len(found)} passage(s) read as instructions to a model; treated as data only: {where}",
        details={"passages": [s.__dict__ | {"signals": list(s.signals)} for s in found]},
        code="injection_suspected",
    )
