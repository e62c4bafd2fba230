"""Field readers: what the model left empty, read by code from fixed drafting forms of the contract text.

One module per reader (:mod:`.preamble`, :mod:`.defined_dates`, :mod:`.payment`, :mod:`.fee_table`,
:mod:`.term`), each with pure finders (text in, located values out) and a ``READER``; the shared
interface, located span, document context and run are in :mod:`.base`, the order in :mod:`.registry`.
"""

from pipeline.extraction.readers.base import (
    DocumentContext,
    Located,
    Reader,
    apply_readers,
    computed_expiration,
    fill_dependent_values,
)
from pipeline.extraction.readers.defined_dates import (
    AgreementDate,
    DefinedDate,
    fill_effective_date,
    find_agreement_date,
    find_effective_date,
)
from pipeline.extraction.readers.fee_table import FeeRow, find_fee_rows
from pipeline.extraction.readers.payment import StatedPayment, find_payment_terms
from pipeline.extraction.readers.preamble import enrich_parties, obligor_in
from pipeline.extraction.readers.registry import READERS
from pipeline.extraction.readers.term import (
    StatedDuration,
    StatedRenewal,
    StatedTerm,
    find_initial_term,
    find_renewal,
    find_survival,
)

__all__ = [
    "READERS",
    "AgreementDate",
    "DefinedDate",
    "DocumentContext",
    "FeeRow",
    "Located",
    "Reader",
    "StatedDuration",
    "StatedPayment",
    "StatedRenewal",
    "StatedTerm",
    "apply_readers",
    "computed_expiration",
    "enrich_parties",
    "fill_dependent_values",
    "fill_effective_date",
    "find_agreement_date",
    "find_effective_date",
    "find_fee_rows",
    "find_initial_term",
    "find_payment_terms",
    "find_renewal",
    "find_survival",
    "obligor_in",
]
