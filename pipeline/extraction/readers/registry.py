"""The field readers, in the order they run.

Each reader fills only what is still empty when its turn comes, so where two readers could fill the
same field the one listed first wins. The values that depend on others (the expiration date computed
from effective date + initial term) are filled once after the last reader
(:func:`pipeline.extraction.readers.base.fill_dependent_values`). A new reader is one module with a
``READER`` (see :mod:`pipeline.extraction.readers.base`) and one entry here.
"""

from __future__ import annotations

from pipeline.extraction.readers import defined_dates, fee_table, payment, preamble, term
from pipeline.extraction.readers.base import Reader

#: Every field reader, in the order :func:`pipeline.extraction.normalize.normalize_extraction` runs them.
READERS: tuple[Reader, ...] = (
    preamble.READER,
    defined_dates.READER,
    payment.READER,
    fee_table.READER,
    term.READER,
)
