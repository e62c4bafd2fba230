"""Scoring one extraction against its gold values, and whether a finding sends a field to review.

:func:`score` gives each labelled field an :data:`Outcome`:

- ``right``: the extraction's value agrees with the gold value;
- ``wrong``: it has a value that does not agree;
- ``missing``: the gold has a value, the extraction none;
- ``invented``: the gold is labelled absent ("not stated"), the extraction has a value;
- ``absent``: labelled absent, and the extraction has none (a right "not stated");
- ``unlabelled``: no right value is known (:class:`~pipeline.evaluation.labels.Unlabelled`): not scored.

Agreement as ``scripts/eval_cuad.py`` prints it ("agree / with answer") is right / (right + wrong + missing).

How a value agrees, by the gold's kind (CUAD's conventions, ``../shared/corpus/cuad/NOTES.md``, as
``scripts/eval_cuad.py`` and ``scripts/compare_samples.py`` apply them):

- parties: with a complete list, the same names by :func:`rules.text.name_key` (as many of each); else every
  gold name has an extracted party name with :func:`token_f1` ≥ 0.6 (:data:`PARTY_F1`);
- dates: the extraction's date (the one read from the cited text, else the value) agrees with every known
  part (:func:`date_matches`); for a "perpetual" gold, or one left blank in the contract (CUAD's `[]/[]/20[]`),
  the extraction is right when it has no date;
- durations: the read or the given duration equals an accepted one after :meth:`schemas.Duration.canonical`;
- governing law: both name the same place (:func:`rules.text.same_jurisdiction`: "PRC" is China, "NY" is
  New York), or one of the jurisdiction (else the law's text) and the gold contains the other, compared
  without case, punctuation, "the", "State of", "Commonwealth of", "Province of" and "laws";
- payment terms: the same number of days.

:func:`flagged` says whether a warning or error finding is on a field, :func:`flagged_by_completeness`
whether a completeness rule (K001-K006) reports it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pipeline.evaluation.labels import (
    Absent,
    Gold,
    GoldDate,
    GoldDurations,
    GoldJurisdiction,
    GoldParties,
    GoldPaymentDays,
    Unlabelled,
)
from rules import DATE_FIELDS, DURATION_FIELDS
from rules.text import DBA, ENTITY_SUFFIXES, FORMER_NAME, name_key, norm, same_jurisdiction
from schemas import ContractExtraction, Duration

Outcome = Literal["right", "wrong", "missing", "invented", "absent", "unlabelled"]
OUTCOMES: tuple[Outcome, ...] = ("right", "wrong", "missing", "invented", "absent", "unlabelled")
"""Every :data:`Outcome`, in report order."""

PARTY_F1 = 0.6
"""Token F1 at which an extracted party name matches a CUAD party label (``scripts/eval_cuad.py``)."""

# Words that carry no identity in a party name: corporate suffixes (in name_key form), articles, the letters
# of "L.P." (``scripts/eval_cuad.py``'s stop words, corporate suffixes as rules.text.names folds them).
_NAME_STOP_WORDS = frozenset(ENTITY_SUFFIXES.values()) | {"the", "a", "an", "l", "p"}
_LAW_NOISE = re.compile(r"\b(?:the|state|commonwealth|of|laws?|province)\b")


# ---------------------------------------------------------------------------------------------- comparisons


#: What follows a party's legal name in a label and is not part of it: a d/b/a or former name.
_NAME_TAIL = re.compile(rf",?\s*(?:{DBA}|{FORMER_NAME})\b.*$", re.IGNORECASE | re.DOTALL)


def _name_words(name: str) -> list[str]:
    """The words of a party name that carry its identity: a d/b/a or former-name tail cut off (the
    extraction keeps those apart from the name), apostrophes dropped ("Stremick's" is "Stremicks"),
    then :func:`rules.text.name_key` words less corporate suffixes and articles."""
    name = _NAME_TAIL.sub("", name).replace("'", "").replace("\u2019", "")
    return [w for w in re.findall(r"[^\W_]+", name_key(name)) if w not in _NAME_STOP_WORDS]


def token_f1(a: str, b: str) -> float:
    """Token F1 of two party names (SQuAD's answer F1 over words): words by :func:`rules.text.name_key`,
    corporate suffixes and articles left out, a d/b/a or former-name tail cut off and apostrophes dropped;
    0.0 when either has no word left.
    Example: ``token_f1("Acme Widgets Inc.", "ACME WIDGETS CORPORATION") == 1.0``."""
    wa, wb = _name_words(a), _name_words(b)
    if not wa or not wb:
        return 0.0
    common = sum((Counter(wa) & Counter(wb)).values())
    if not common:
        return 0.0
    p, r = common / len(wa), common / len(wb)
    return 2 * p * r / (p + r)


def date_matches(gold: GoldDate, value: dt.date | None) -> bool:
    """``value`` agrees with every known part of ``gold`` (month, day, the year's known leading digits); a
    perpetual gold, or a blank one (:attr:`GoldDate.blank`), agrees with no date only."""
    if gold.perpetual or gold.blank or value is None:
        return (gold.perpetual or gold.blank) and value is None
    return ((gold.month is None or gold.month == value.month) and (gold.day is None or gold.day == value.day)
            and (gold.year is None or str(value.year).startswith(gold.year)))


def _parties_match(gold: GoldParties, names: list[str]) -> bool:
    if gold.complete:
        return Counter(name_key(n) for n in gold.names) == Counter(name_key(n) for n in names)
    return all(any(token_f1(g, n) >= PARTY_F1 for n in names) for g in gold.names)


def _law_words(s: str) -> str:
    return " ".join(re.findall(r"[a-z]+", _LAW_NOISE.sub(" ", norm(s))))


def _jurisdiction_matches(gold: GoldJurisdiction, text: str) -> bool:
    if same_jurisdiction(gold.name, text):
        return True
    g, v = _law_words(gold.name), _law_words(text)
    return bool(v) and (g in v or v in g)


# ---------------------------------------------------------------------------------------------- the extraction's values


def _date(x: ContractExtraction, fld: str) -> dt.date | None:
    claim = getattr(x, fld)
    return None if claim is None else (claim.parsed or claim.value)


def _durations(x: ContractExtraction, fld: str) -> list[Duration]:
    claim = getattr(x, fld)
    return [] if claim is None else [d for d in (claim.parsed, claim.value) if d is not None]


def _law(x: ContractExtraction) -> str | None:
    gl = x.governing_law
    return None if gl is None else (gl.jurisdiction or gl.raw_text or None)


def _days(x: ContractExtraction) -> int | None:
    return None if x.payment_terms is None else x.payment_terms.days


def _kind(fld: str) -> str:
    if fld == "parties":
        return "parties"
    if fld in DATE_FIELDS:
        return "date"
    if fld in DURATION_FIELDS:
        return "duration"
    if fld in ("governing_law", "payment_terms"):
        return fld
    raise ValueError(f"no scoring for field {fld!r}")


def _has_value(x: ContractExtraction, fld: str) -> bool:
    kind = _kind(fld)
    if kind == "parties":
        return bool(x.parties)
    if kind == "date":
        return _date(x, fld) is not None
    if kind == "duration":
        return bool(_durations(x, fld))
    if kind == "governing_law":
        return _law(x) is not None
    return _days(x) is not None


_GOLD_KIND = {GoldParties: "parties", GoldDate: "date", GoldDurations: "duration",
              GoldJurisdiction: "governing_law", GoldPaymentDays: "payment_terms"}


def _agrees(gold: Gold, x: ContractExtraction, fld: str) -> bool:
    kind = _kind(fld)
    if _GOLD_KIND.get(type(gold)) != kind:
        raise ValueError(f"a {type(gold).__name__} cannot be the gold value of {fld!r}")
    if isinstance(gold, GoldParties):
        return _parties_match(gold, [p.name for p in x.parties])
    if isinstance(gold, GoldDate):
        return date_matches(gold, _date(x, fld))
    if isinstance(gold, GoldDurations):
        accepted = {d.canonical() for d in gold.accepted}
        return any(d.canonical() in accepted for d in _durations(x, fld))
    if isinstance(gold, GoldJurisdiction):
        return _jurisdiction_matches(gold, _law(x) or "")
    assert isinstance(gold, GoldPaymentDays)
    return _days(x) == gold.days


def score_field(gold: Gold, x: ContractExtraction, fld: str) -> Outcome:
    """The :data:`Outcome` of field ``fld`` of ``x`` against ``gold``. Raises :class:`ValueError` on a field
    that is not scored or a gold value of another kind than the field's."""
    if isinstance(gold, Unlabelled):
        return "unlabelled"
    has = _has_value(x, fld)
    if isinstance(gold, Absent):
        return "invented" if has else "absent"
    if isinstance(gold, GoldDate) and (gold.perpetual or gold.blank):
        return "wrong" if has else "right"
    if not has:
        return "missing"
    return "right" if _agrees(gold, x, fld) else "wrong"


def score(gold: Mapping[str, Gold], x: ContractExtraction) -> dict[str, Outcome]:
    """Each labelled field's :data:`Outcome` (see the module docstring), in the order of ``gold``."""
    return {fld: score_field(g, x, fld) for fld, g in gold.items()}


def value_text(x: ContractExtraction, fld: str) -> str | None:
    """The value of ``fld`` that :func:`score` judged, as a report shows it (ISO 8601 dates, "3 years",
    names joined by "; "); ``None`` when the extraction has none."""
    kind = _kind(fld)
    if not _has_value(x, fld):
        return None
    if kind == "parties":
        return "; ".join(p.name for p in x.parties)
    if kind == "date":
        return _date(x, fld).isoformat()  # type: ignore[union-attr]
    if kind == "duration":
        return " / ".join(dict.fromkeys(str(d) for d in _durations(x, fld)))
    if kind == "governing_law":
        return _law(x)
    return f"{_days(x)} days"


# ---------------------------------------------------------------------------------------------- findings


_COMPLETENESS = re.compile(r"K\d{3}")
_UNREAD_TEXT_RULES = ("K001", "K002")
"""Completeness rules about text the model never read (a chunk not read, a page with no readable text):
reported on ``document``, they cover a value missing from any field."""


def _get(finding: Any, name: str) -> Any:
    return finding.get(name) if isinstance(finding, Mapping) else getattr(finding, name, None)


def _on_field(path: str | None, fld: str) -> bool:
    return bool(path) and (path == fld or path.startswith((fld + "[", fld + ".")))


def flagged(fld: str, findings: Iterable[Any], *, severities: Iterable[str] = ("warning", "error")) -> bool:
    """A finding of one of ``severities`` is on ``fld``: its ``field_path`` is the field or under it
    (``parties[0].name`` is on ``parties``). Findings are :class:`schemas.Finding`, stored finding rows or
    mappings with ``field_path`` and ``severity``."""
    wanted = {str(s) for s in severities}
    return any(_on_field(_get(f, "field_path"), fld) and str(_get(f, "severity")) in wanted for f in findings)


def flagged_by_completeness(fld: str, findings: Iterable[Any]) -> bool:
    """A completeness rule reports ``fld``: a K rule's finding on the field (K004: left empty although the
    text states it), or one saying text was never read (K001, K002, on ``document``)."""
    for f in findings:
        rule_id = str(_get(f, "rule_id") or "")
        if not _COMPLETENESS.fullmatch(rule_id):
            continue
        path = _get(f, "field_path")
        if _on_field(path, fld) or (path == "document" and rule_id in _UNREAD_TEXT_RULES):
            return True
    return False
