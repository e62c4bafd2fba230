"""Values copied from the prompt's worked example, dropped before merge.

A small model that finds nothing to say about a chunk sometimes answers with the worked example
of the prompt (:data:`pipeline.extraction.prompts.EXAMPLE_ANSWER`): its company names, its spans.
Such a value is not the contract's: it is dropped here as "no answer" and listed in the chunk
outcome, instead of being stored as a value for the rules to flag (and, coming from the first chunk,
winning the merge over the contract's own value).

A value of the answer (a party, a date, a duration, one fee, obligation, ...) is dropped when one of
its texts (name, span, obligor, obligee, text value) equals, ignoring case, spacing and enclosing
punctuation, a text of the example answer and does not occur in the contract text it cites (every
sentence of the chunk when it cites none). An ISO date equal to one of the example's that the cited text
does not state is removed from the value, which keeps its span: the date is then read from the span by
code, or not at all. A value the contract really states in the example's words stays.

Pure functions, no model and no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pipeline.extraction.prompts import EXAMPLE_ANSWER
from rules.text import Sentence, find_dates, norm
from schemas import ChunkExtraction, CitedAnswer

#: The keys whose text is a value (or names who owes it); roles, categories and defined terms are
#: words many contracts share and are never compared.
_VALUE_KEYS = ("name", "span", "obligor", "obligee", "value")
#: The keys of ISO 8601 dates.
_ISO_KEYS = ("iso", "due_iso", "deadline_iso")


def _comparable(text: str) -> str:
    return norm(text).strip(" .,;:'\"")


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield k, v
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


@lru_cache(maxsize=1)
def example_texts() -> tuple[frozenset[str], frozenset[str]]:
    """``(texts, iso dates)`` of the worked example's answer: the normalized texts under the keys
    ``name``, ``span``, ``obligor``, ``obligee`` and ``value`` (at least 3 characters) and every ISO
    8601 date under ``iso``, ``due_iso`` or ``deadline_iso``."""
    texts: set[str] = set()
    isos: set[str] = set()
    for key, value in _walk(json.loads(EXAMPLE_ANSWER)):
        if not isinstance(value, str):
            continue
        if key in _VALUE_KEYS and len(_comparable(value)) >= 3:
            texts.add(_comparable(value))
        elif key in _ISO_KEYS:
            isos.add(value.strip())
    return frozenset(texts), frozenset(isos)


def _cited_text(item: CitedAnswer, sentences: list[Sentence]) -> str:
    by_id = {s.id: s.text for s in sentences}
    return " ".join([by_id[i] for i in item.sentence_ids if i in by_id] or list(by_id.values()))


def _leaked_text(item: CitedAnswer, source: str) -> str | None:
    """The example text ``item`` repeats that the cited text ``source`` (comparable form) does not hold."""
    texts, _ = example_texts()
    for key in _VALUE_KEYS:
        value = getattr(item, key, None)
        if isinstance(value, str) and _comparable(value) in texts and _comparable(value) not in source:
            return value
    return None


def _leaked_isos(item: CitedAnswer, cited: str) -> dict[str, str]:
    """``{key: ISO date}`` of the item's ISO dates that are the example's and that the cited text does not
    state (no date :func:`rules.text.find_dates` reads in it is that date)."""
    _, isos = example_texts()
    copied = {key: value for key in _ISO_KEYS
              if isinstance(value := getattr(item, key, None), str) and value.strip() in isos}
    if not copied:
        return {}
    stated = {f.value.isoformat() for f in find_dates(cited) if f.value is not None}
    return {key: value for key, value in copied.items() if value.strip() not in stated}


def _clean(item: CitedAnswer, sentences: list[Sentence], field: str, dropped: list[dict]) -> CitedAnswer | None:
    """``item``, ``item`` without its copied ISO dates, or ``None`` when a value text is the example's."""
    cited = _cited_text(item, sentences)
    hit = _leaked_text(item, _comparable(cited))
    if hit is not None:
        dropped.append({"field": field, "value": hit, "sentence_ids": list(item.sentence_ids)})
        return None
    isos = _leaked_isos(item, cited)
    if not isos:
        return item
    for key, value in isos.items():
        dropped.append({"field": f"{field}.{key}", "value": value, "sentence_ids": list(item.sentence_ids)})
    return item.model_copy(update={k: None for k in isos})


def drop_example_values(answer: ChunkExtraction, sentences: list[Sentence]) -> tuple[ChunkExtraction, list[dict]]:
    """``answer`` without the values copied from the worked example (see the module docstring), and
    one record per drop: ``{"field": the ChunkExtraction field ("effective_date"), or the field and key of
    a copied ISO date ("effective_date.iso"), "value": the example text or date it repeats, "sentence_ids":
    the ids it cited}``.

    ``sentences`` are the chunk's sentences with the ids the model saw. ``answer`` is not changed; the
    same object is returned when nothing is dropped."""
    dropped: list[dict] = []
    changes: dict[str, Any] = {}
    for field in ChunkExtraction.model_fields:
        current = getattr(answer, field)
        if isinstance(current, list):
            kept = [c for c in (_clean(item, sentences, field, dropped) for item in current) if c is not None]
            if len(kept) != len(current) or any(k is not o for k, o in zip(kept, current)):
                changes[field] = kept
        elif current is not None:
            cleaned = _clean(current, sentences, field, dropped)
            if cleaned is not current:
                changes[field] = cleaned
    if not changes:
        return answer, []
    return answer.model_copy(update=changes), dropped
