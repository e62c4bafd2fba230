"""Values copied from the prompt's worked example, dropped before merge.

A small model that finds nothing to say about a chunk sometimes answers with the worked example
of the prompt (:data:`pipeline.extraction.prompts.EXAMPLE_ANSWER`): its company names, its spans.
Such a value is not the contract's: it is dropped here as "no answer" and listed in the chunk
outcome, instead of being stored as a value for the rules to flag (and, coming from the first chunk,
winning the merge over the contract's own value).

A value of the answer (a party, a date, a duration, one fee, obligation, ...) is dropped when one of
its texts (name, span, obligor, obligee, text value) equals, ignoring case, spacing and enclosing
punctuation, a text of the example answer and does not occur in the contract text it cites (every
sentence of the chunk when it cites none), or when its ISO date equals one of the example's and its
span is not in that text. A value the contract really states in the example's words stays.

Pure functions, no model and no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from pipeline.extraction.prompts import EXAMPLE_ANSWER
from rules.text import Sentence
from schemas import ChunkExtraction, CitedAnswer

#: The keys whose text is a value (or names who owes it); roles, categories and defined terms are
#: words many contracts share and are never compared.
_VALUE_KEYS = ("name", "span", "obligor", "obligee", "value")


def _norm(text: str) -> str:
    return " ".join(text.casefold().split()).strip(" .,;:'\"")


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
        if key in _VALUE_KEYS and len(_norm(value)) >= 3:
            texts.add(_norm(value))
        elif key in ("iso", "due_iso", "deadline_iso"):
            isos.add(value.strip())
    return frozenset(texts), frozenset(isos)


def _leaked(item: CitedAnswer, sentences: list[Sentence]) -> str | None:
    """The example text ``item`` repeats without the cited contract text stating it, else None."""
    texts, isos = example_texts()
    by_id = {s.id: s.text for s in sentences}
    cited = [by_id[i] for i in item.sentence_ids if i in by_id] or list(by_id.values())
    source = _norm(" ".join(cited))
    for key in _VALUE_KEYS:
        value = getattr(item, key, None)
        if isinstance(value, str) and _norm(value) in texts and _norm(value) not in source:
            return value
    for key in ("iso", "due_iso", "deadline_iso"):
        value = getattr(item, key, None)
        if isinstance(value, str) and value.strip() in isos and not (item.span and _norm(item.span) in source):
            return value
    return None


def drop_example_values(answer: ChunkExtraction, sentences: list[Sentence]) -> tuple[ChunkExtraction, list[dict]]:
    """``answer`` without the values copied from the worked example (see the module docstring), and
    one record per dropped value: ``{"field": name of the ChunkExtraction field, "value": the example
    text it repeats, "sentence_ids": the ids it cited}``.

    ``sentences`` are the chunk's sentences with the ids the model saw. ``answer`` is not changed; the
    same object is returned when nothing is dropped."""
    dropped: list[dict] = []
    changes: dict[str, Any] = {}
    for field in ChunkExtraction.model_fields:
        current = getattr(answer, field)
        if isinstance(current, list):
            kept = []
            for item in current:
                hit = _leaked(item, sentences)
                if hit is None:
                    kept.append(item)
                else:
                    dropped.append({"field": field, "value": hit, "sentence_ids": list(item.sentence_ids)})
            if len(kept) != len(current):
                changes[field] = kept
        elif current is not None:
            hit = _leaked(current, sentences)
            if hit is not None:
                dropped.append({"field": field, "value": hit, "sentence_ids": list(current.sentence_ids)})
                changes[field] = None
    if not changes:
        return answer, []
    return answer.model_copy(update=changes), dropped
