"""What every field reader shares: the reader interface, the located span, the document context and the run.

A field reader fills what the model left empty from a fixed drafting form of the contract text (the
preamble, the definition of the effective date, the payment clause, a fee table, the term clause).
A reader is one module holding:

- finders: pure text in, what was found out, usable on their own (tests, evaluation scripts); a
  ``find_...(text, ...)`` returns a :class:`Located` (or a list of them) or ``None``;
- a fill function ``(extraction, context) -> None`` that fills only the fields the model left empty
  (marked ``computed``, with a note and the evidence :meth:`Located.evidence` grounds), or adds a
  candidate when the text states another value than the model's;
- ``READER = Reader(name, fills, fill)``, listed once in :data:`pipeline.extraction.readers.registry.READERS`.

:func:`apply_readers` builds one :class:`DocumentContext` (the document, its day/month order, its
sentences split at most once), runs each reader once in the given order, then fills the values that
depend on others (:func:`fill_dependent_values`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from pipeline.extraction.grounding import evidence_found_by_code
from pipeline.extraction.withhold import withheld_sentence_ids
from rules.text import DateOrder
from rules.text import Sentence, split_sentences
from schemas import ContractExtraction, DateClaim, Evidence, SourceDocument


@dataclass(frozen=True)
class Located:
    """What a reader found, located in the document text: ``start``/``end`` are the offsets of the
    clause it was read from (a sentence, a definition, a table row), ``value_start``/``value_end`` the
    offsets of the value as written there and ``text`` that value as written. Offsets are Python str
    indices into the searched text (a document's stored text: document offsets)."""

    start: int
    end: int
    value_start: int
    value_end: int
    text: str

    def evidence(self, doc: SourceDocument) -> Evidence:
        """Evidence of this value in ``doc`` (quote = the clause, span = the value, page, rectangles,
        match ``exact``; see :func:`pipeline.extraction.grounding.evidence_found_by_code`)."""
        return evidence_found_by_code(doc, self.start, self.end, self.value_start, self.value_end)


@dataclass
class DocumentContext:
    """What the readers of one document share, built once per :func:`apply_readers` run.

    ``doc``: the document (text and pages, for grounding); ``order``: its day/month order for numeric
    dates ("DMY", "MDY" or ``None`` when undecided; decided when the extraction was normalized);
    ``term_from_other_event``: set by a reader that found the initial term running from another event
    than the effective date ("one (1) year from the date of delivery") or without a fixed end ("until
    terminated", "the later of December 31, 2025 and the completion of the Services"), so that no expiration
    date is computed from the effective date."""

    doc: SourceDocument
    order: DateOrder | None = None
    term_from_other_event: bool = False

    @property
    def text(self) -> str:
        """The document's stored text (offsets of every reader refer to it)."""
        return self.doc.text

    @cached_property
    def sentences(self) -> list[Sentence]:
        """The document's sentences (:func:`rules.text.sentences.split_sentences`, document offsets), less
        those withheld from the model as instructions to it and their continuations
        (:func:`pipeline.extraction.withhold.withheld_sentence_ids`: a reader reads no value from them
        either; rule I001 reports them); split on first use and then shared by every reader."""
        sentences = split_sentences(self.doc.text)
        withheld = withheld_sentence_ids(sentences, self.doc.text, 0)
        return [s for s in sentences if s.id not in withheld]


@dataclass(frozen=True)
class Reader:
    """A field reader: ``name`` (its module's short name), ``fills`` (the extraction fields it may
    set, dotted for list items) and ``fill(extraction, context)``, which mutates the extraction."""

    name: str
    fills: tuple[str, ...]
    fill: Callable[[ContractExtraction, DocumentContext], None]


def computed_expiration(x: ContractExtraction) -> DateClaim | None:
    """The expiration date as effective date + initial term (each the text's reading, else the model's),
    marked ``computed`` with a note and the term's evidence; ``None`` when either is unknown."""
    from rules.text import add_duration

    eff, term = x.effective_date, x.initial_term
    start = (eff.parsed or eff.value) if eff is not None else None
    length = (term.parsed or term.value) if term is not None else None
    if start is None or length is None:
        return None
    return DateClaim(value=add_duration(start, length), computed=True, evidence=term.evidence,
                     note=f"computed by code: effective date {start.isoformat()} + initial term {length}; not stated")


def fill_dependent_values(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Fill the values that depend on others, in place, once every reader has run: when no expiration
    date is stated (none, or one without a value) the expiration becomes :func:`computed_expiration`,
    unless ``ctx.term_from_other_event``. A stated expiration date is never replaced."""
    exp = x.expiration_date
    if not ctx.term_from_other_event and (exp is None or exp.value is None):
        x.expiration_date = computed_expiration(x) or exp


def apply_readers(x: ContractExtraction, doc: SourceDocument, readers: Sequence[Reader]) -> ContractExtraction:
    """Run ``readers`` on ``x`` (a merged extraction whose values were read from their spans, see
    :func:`pipeline.extraction.merge.normalize_values`) against ``doc``: one :class:`DocumentContext`
    for all of them (the day/month order is ``x.date_order``), each reader once in order, then
    :func:`fill_dependent_values`. Mutates and returns ``x``."""
    ctx = DocumentContext(doc, order=x.date_order)
    for reader in readers:
        reader.fill(x, ctx)
    fill_dependent_values(x, ctx)
    return x
