"""The sentences of a chunk as the model sees them: instruction-like passages withheld.

Sentences that read as instructions to a model (:func:`rules.text.injection.scan`, e.g. "ignore all
previous instructions", a "SYSTEM:" line; also two sentences that read so only together, such as the two turns
of a "Human: ... Assistant: ..." exchange), and the sentences continuing them in the same paragraph,
are withheld from the model: the remaining sentences are numbered 1..n as if the passage were not
there, so the model's input, and so its answer, is the same as for the document without it. The
rule engine still flags the passage (rule I001), so the document goes to a reviewer.
"""

from __future__ import annotations

import re

from rules.text import scan
from rules.text import Sentence, split_sentences

#: A sentence that starts a new clause: a section number ("4.", "4.2"), a list marker ("(a)") or
#: "Section"/"Article"/"Clause".
_SECTION_START = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*\.?\s|\([a-z0-9]{1,4}\)\s|(?:section|article|clause)\s)", re.I)


def withheld_sentence_ids(sentences: list[Sentence], text: str, base: int) -> set[int]:
    """Ids of sentences that read as instructions to a model (``rules.text.injection.scan``), alone or with
    the next sentence (a "Human:" turn and the "Assistant:" turn after it), and of the sentences that continue
    them in the same paragraph (no blank line, no new section number).
    ``text``/``base``: the chunk text and its document offset (to see paragraph breaks)."""
    flagged = {s.id for s in sentences if scan(s.text)}
    # a passage that reads as instructions only across two sentences ("Human: ..." then "Assistant: ...", a
    # steering phrase and the AI it addresses): both are withheld
    for a, b in zip(sentences, sentences[1:]):
        if a.id not in flagged and b.id not in flagged and scan(text[a.start - base:b.end - base]):
            flagged |= {a.id, b.id}
    out: set[int] = set()
    prev_flagged: Sentence | None = None
    for s in sentences:
        if s.id in flagged:
            out.add(s.id)
            prev_flagged = s
            continue
        if prev_flagged is not None:
            gap = text[prev_flagged.end - base:s.start - base]
            if "\n\n" not in gap.replace(" ", "") and not _SECTION_START.match(s.text):
                out.add(s.id)
                prev_flagged = s
                continue
        prev_flagged = None
    return out


def model_sentences(text: str, base: int) -> tuple[list[Sentence], list[list[int]]]:
    """The sentences of a chunk as the model sees them, and the withheld spans.

    ``text``/``base``: chunk text and its document offset. Sentences that read as instructions to a
    model (see :func:`withheld_sentence_ids`) are left out and the rest numbered 1..n in order, with
    their document offsets; withheld spans are ``[start, end]`` document offsets."""
    sentences = split_sentences(text, base=base)
    withheld = withheld_sentence_ids(sentences, text, base)
    kept = [s for s in sentences if s.id not in withheld]
    shown = [Sentence(i, s.start, s.end, s.text) for i, s in enumerate(kept, start=1)]
    return shown, [[s.start, s.end] for s in sentences if s.id in withheld]
