"""The pure half of extraction: everything between a model's answer and the stored extraction.

No database, PDF library or LLM client (import-linter checks it). The extraction stage
(:mod:`pipeline.extract`) reads the chunks, calls the model and stores the run; in between it uses:

- :mod:`.withhold`: a chunk's sentences as the model sees them, instruction-like passages withheld;
- :mod:`.prompts`: the messages sent to the model;
- :mod:`.example_leak`: values of an answer copied from the prompt's worked example, dropped;
- :mod:`.partial`: one chunk's answer as a partial extraction, its evidence grounded
  (:mod:`.grounding`: quote, page, offsets, rectangles and match status in the document);
- :mod:`.merge`: the partials merged into one extraction, values read from their spans;
- :mod:`.normalize`: the merged extraction made final with the field readers (:mod:`.readers`);
- :mod:`.second_pass`: the question about one sentence for a field left empty that the text seems to state;
- :mod:`.anchors`: the names of the contract's start date the merge and the readers share.
"""

from pipeline.extraction.example_leak import drop_example_values
from pipeline.extraction.grounding import evidence_found_by_code, ground_evidence, locate_quote, rects_for
from pipeline.extraction.merge import merge_partials
from pipeline.extraction.normalize import normalize_extraction
from pipeline.extraction.partial import chunk_to_partial, ground_partial, iter_evidence
from pipeline.extraction.prompts import PROMPT_VERSION, build_messages, numbered_text, prompt_overhead_text
from pipeline.extraction.withhold import model_sentences, withheld_sentence_ids

__all__ = [
    "PROMPT_VERSION",
    "build_messages",
    "chunk_to_partial",
    "drop_example_values",
    "evidence_found_by_code",
    "ground_evidence",
    "ground_partial",
    "iter_evidence",
    "locate_quote",
    "merge_partials",
    "model_sentences",
    "normalize_extraction",
    "numbered_text",
    "prompt_overhead_text",
    "rects_for",
    "withheld_sentence_ids",
]
