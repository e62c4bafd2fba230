"""Grounding: every value's evidence must be found in the source text.

The match status is set by the pipeline's grounding step (never by the model); these rules only read it.
An invented or padded quote is not found; a quote that differs only in typography (curly quotes, dashes,
whitespace) is. Each rule's ``source`` names where it comes from.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.fields import items
from rules.registry import Hit, rule
from schemas import ContractExtraction, Evidence, MatchStatus, SourceDocument


@rule(
    "G001",
    title="Evidence not found in the source",
    severity="error",
    fields=("*",),
    source="a value is trusted only where its words are in the contract: an invented quote, or a true sentence "
           "padded with an invented tail, is not found",
)
def evidence_not_found(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for it in items(x):
        ev = it.evidence
        if ev is not None and ev.match == MatchStatus.NOT_FOUND and not it.computed:
            yield Hit(it.path, not_found_message(ev), ev)


SHOWN_SPAN_CHARS = 400
"""The longest span quoted whole in a not-found message; a longer one keeps its start and its end."""

SHOWN_SENTENCE_CHARS = 200
"""The longest cited sentence quoted whole in a not-found message; a longer one is cut at the end."""


def _elide_middle(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]} … {text[-half:]}"


def not_found_message(ev: Evidence) -> str:
    """The message of a value whose evidence grounding did not find.

    It quotes what was not found: the span the model gave, as it gave it (a span longer than
    :data:`SHOWN_SPAN_CHARS` keeps its start and its end). When the model cited sentences that exist and
    their text is not the span itself, it adds their text after ``cited sentence:`` (the text grounding
    searched the span in; cut after :data:`SHOWN_SENTENCE_CHARS` characters), so the reviewer sees the
    model's words next to the source's. Without a span it names the cited ids (one of them does not exist),
    or says that none was cited.
    """
    span = (ev.span or "").strip()
    sentence = (ev.quote or "").strip()
    if span:
        msg = f"cited text not found in the source: {_elide_middle(span, SHOWN_SPAN_CHARS)!r}"
    elif ev.sentence_ids:
        msg = f"cited sentence(s) {ev.sentence_ids} not found in the source"
    else:
        msg = "no sentence of the source cited"
    if sentence and sentence != span:
        shown = sentence if len(sentence) <= SHOWN_SENTENCE_CHARS else sentence[:SHOWN_SENTENCE_CHARS - 1] + "…"
        label = "cited sentence" if len(set(ev.sentence_ids)) <= 1 else "cited sentences"
        msg += f"; {label}: {shown!r}"
    return msg


@rule(
    "G002",
    title="Evidence found only by a fuzzy match",
    severity="warning",
    fields=("*",),
    source="a quote that matches the contract only approximately (a hyphenation remnant, an OCR slip) is shown to a "
           "reviewer as a warning, never accepted silently")
def evidence_fuzzy(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for it in items(x):
        ev = it.evidence
        if ev is not None and ev.match == MatchStatus.FUZZY and not it.computed:
            yield Hit(it.path, f"cited text matches the source only approximately: {(ev.span or '')[:160]!r}", ev)


@rule(
    "G003",
    title="Evidence never checked against the source",
    severity="warning",
    fields=("*",),
    source="a quote is trusted only after code located it in the contract",
)
def evidence_unchecked(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for it in items(x):
        ev = it.evidence
        if ev is not None and ev.match is None and (ev.quote or ev.span or ev.sentence_ids) and not it.computed:
            yield Hit(it.path, "evidence has no match status: grounding did not locate it", ev)


@rule(
    "G004",
    title="Citation corrected: the value stands in another sentence than the one cited",
    severity="info",
    fields=("*",),
    source="recorded answers of the default 1.5B model: on samples/mutual_nda.pdf sentence ids off by one or two; on"
           " 12 CUAD contracts exact spans cited several sentences away",
)
def citation_corrected(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for it in items(x):
        ev = it.evidence
        if ev is not None and ev.cited_sentence_ids and not it.computed:
            yield Hit(it.path, f"the model cited sentence(s) {ev.cited_sentence_ids}; the value was found by code "
                               f"in sentence {ev.sentence_ids}", ev)
