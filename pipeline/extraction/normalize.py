"""A merged extraction made final against its document: the step between merge and storage.

:func:`normalize_extraction` runs, in order:

1. :func:`pipeline.extraction.merge.normalize_values`: the document's day/month order, and every
   date and duration read from its evidence span;
2. the field readers of :data:`pipeline.extraction.readers.registry.READERS`, each once, sharing one
   document context (:func:`pipeline.extraction.readers.base.apply_readers`): the parties named by
   their legal names, then what the model left empty and the text states in a fixed form;
3. the values that depend on others: the expiration date as effective date + initial term when none
   is stated.

Pure: no model and no database.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.extraction.merge import normalize_values
from pipeline.extraction.readers import Reader, apply_readers
from pipeline.extraction.readers import READERS
from schemas import ContractExtraction, SourceDocument


def normalize_extraction(x: ContractExtraction, doc: SourceDocument | str,
                         readers: Sequence[Reader] = READERS) -> ContractExtraction:
    """Normalize ``x`` (a merged extraction, :func:`pipeline.extraction.merge.merge_partials`) against
    ``doc``, its document (a bare text is a document without pages: evidence then has no page or
    rectangles), with ``readers`` (default: every reader, in registry order). Mutates and returns ``x``."""
    if isinstance(doc, str):
        doc = SourceDocument(text=doc)
    normalize_values(x, doc.text)
    return apply_readers(x, doc, readers)
