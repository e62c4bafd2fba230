"""Relevance: the cited text is about the field, by the cue-word catalogue in :mod:`rules.cues`.

R002 (error) fires when the cited text has none of the field's cues and does hold a cue of a clause
the field is confused with (e.g. "convenience" for the renewal notice): that is positive evidence the
value came from the wrong clause. R001 (warning) fires when the field's cues are absent and nothing
points to another clause: drafting may use words the catalogue lacks, so a reviewer looks, but it is
not asserted wrong. R003 (error) fires when an agreement or effective date is the date of another document
the contract refers to ("that certain License Agreement dated ...": :mod:`rules.text.references`). Each
rule's ``source`` names where it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rules.cues import FIELD_CUES, Cues
from rules.fields import items, quote_of
from rules.registry import Hit, rule
from rules.text import norm, other_document_before, other_document_ending
from schemas import ContractExtraction, MatchStatus, SourceDocument


def _has(cue: str, text: str) -> bool:
    return re.search(r"(?<![a-z])" + re.escape(cue), text) is not None


def own_cues_present(cues: Cues, text: str) -> bool:
    """Every group of ``cues.all_of`` has a cue in ``text`` (normalized)."""
    return all(any(_has(c, text) for c in group) for group in cues.all_of)


def _judged(x: ContractExtraction) -> Iterator[tuple[str, str, object, list[str]]]:
    """(path, field, evidence, wrong-clause cues found) for each value whose cited text lacks its cues."""
    seen: set[str] = set()
    for it in items(x):
        cues = FIELD_CUES.get(it.field)
        if cues is None or it.computed or it.path in seen:
            continue
        seen.add(it.path)
        ev = it.evidence
        q = norm(quote_of(ev))
        if not q or (ev is not None and ev.match == MatchStatus.NOT_FOUND):
            continue
        if own_cues_present(cues, q):
            continue
        yield it.path, it.field, ev, [c for c in cues.wrong_clause if _has(c, q)]


@rule(
    "R001",
    title="Cited text has none of the field's cue words",
    severity="warning",
    fields=tuple(FIELD_CUES),
    source="the words a clause stating the field uses (the cue-word catalogue rules/cues.py, checked against the "
           "CUAD v1 contracts)",
)
def no_cue_words(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for path, fld, ev, wrong in _judged(x):
        if not wrong:
            need = " and ".join("/".join(g) for g in FIELD_CUES[fld].all_of)
            yield Hit(path, f"the cited text does not mention {need}: is it about {fld.replace('_', ' ')}?", ev)


@rule(
    "R002",
    title="Cited text is about a different clause",
    severity="error",
    fields=tuple(f for f, c in FIELD_CUES.items() if c.wrong_clause),
    source="a clause mistaken for another: the termination-for-convenience notice reported as the renewal notice",
)
def wrong_clause(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for path, fld, ev, wrong in _judged(x):
        if wrong:
            yield Hit(path, f"the cited text is about {', '.join(wrong)}, not {fld.replace('_', ' ')}", ev,
                      {"wrong_clause_cues": wrong})


@rule(
    "R003",
    title="Date of another document given as this contract's date",
    severity="error",
    fields=("agreement_date", "effective_date", "expiration_date"),
    source="'the Agreement dated May 8, 2008' in a termination agreement stored as its effective date: no gold "
           "agreement or effective date of the 174 CUAD contracts is introduced so; the end of another document "
           "('the Master Lease ... expires on') given as a sublease's expiration: no 'Month D, YYYY' date of the 174"
           " CUAD texts is introduced so",
)
def date_of_another_document(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for fld in ("agreement_date", "effective_date", "expiration_date"):
        claim = getattr(x, fld)
        if claim is None or claim.evidence is None or claim.evidence.value_start is None:
            continue  # a span grounding did not find has no place to read before (G001 reports it)
        if fld == "expiration_date":
            ref = other_document_ending(doc.text, claim.evidence.value_start)
        else:
            ref = other_document_before(doc.text, claim.evidence.value_start)
        if ref:
            yield Hit(fld, f"the date is that of another document ({ref!r}), not of this contract", claim.evidence,
                      {"document": ref})
