"""Cue words per field: the words a clause stating that field uses, and words of clauses it is confused with.

Matching is on :func:`rules.text.normalize.norm` text, at the start of a word ("terminat" matches "termination").
``all_of`` is a list of groups; the cited text must hold one cue of every group. ``wrong_clause`` are
cues of a different clause often mistaken for this field; they matter only when the field's own cues
are absent (then the quote is evidence of the wrong clause, not merely of unusual drafting).

Sources: each catalogue entry's ``source`` (governing law "governed by"/"laws of", the grammar's
:data:`rules.text.law.LAW_CUES`; renewal notice "renew" + "notice"; effective date "effective"/"as of"/
"entered into"/"dated"; a 90-day termination-for-convenience notice reported as the non-renewal notice);
wording checked against the CUAD v1 contracts in ../shared/corpus/cuad (Hendrycks et al., 2021), e.g. "made
and entered into", "shall continue in effect until".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rules.text import LAW_CUES


@dataclass(frozen=True)
class Cues:
    all_of: tuple[tuple[str, ...], ...]
    wrong_clause: tuple[str, ...] = field(default=())
    source: str = "the words contracts state the field with (CUAD v1 wording)"


_DATE_WORDS = ("effective", "as of", "entered into", "dated", "date", "commenc", "made", "executed", "signed")

FIELD_CUES: dict[str, Cues] = {
    "governing_law": Cues((LAW_CUES,), ("arbitrat", "venue")),
    "renewal_notice": Cues(
        (("renew", "extend", "extension", "successive"), ("notice", "notif", "non-renewal", "nonrenewal", "written")),
        ("convenience", "breach", "insolven", "bankrupt", "without cause", "for cause"),
        "the 90-day termination-for-convenience notice mistaken for the non-renewal notice",
    ),
    "renewal_term": Cues(
        (("renew", "extend", "extension", "successive"),),
        ("convenience", "breach"),
    ),
    "auto_renewal": Cues(
        (("renew", "extend", "extension", "successive", "automatic"),),
        ("convenience", "breach"),
    ),
    "effective_date": Cues((_DATE_WORDS,), source="a preamble's date as drafted: 'made this 1st day of March, 2021'"),
    "agreement_date": Cues((_DATE_WORDS,), source="a date line as drafted: 'Date of this Agreement: 01/02/2021'"),
    "expiration_date": Cues(
        (("expir", "terminat", "term", "until", "end", "through", "continue", "date"),),
    ),
    "initial_term": Cues(
        (("term", "period", "commenc", "continue", "until", "expir", "duration"),),
        ("payment", "invoice", "pay "),
    ),
    "payment_terms": Cues(
        (("pay", "invoice", "due", "remit", "net "),),
        ("notice of termination", "terminat"),
    ),
    "confidentiality_survival": Cues(
        (("surviv", "confidential", "non-disclosure", "nondisclosure", "proprietary", "secret"),),
    ),
    "liability_cap": Cues(
        (("liab", "liable", "exceed", "cap", "aggregate", "damages"),),
    ),
    "termination_rights": Cues(
        (("terminat", "cancel", "end this", "rescind"),),
    ),
}
