"""The evaluation room: run labelled contracts through the pipeline and measure how far its values can be
trusted (``clausewise eval``).

- Labelled sets (:mod:`~pipeline.evaluation.labels`): :class:`LabelledDocument` (a file and the
  :class:`Gold` value of each field it labels: :class:`GoldParties`, :class:`GoldDate`,
  :class:`GoldDurations`, :class:`GoldJurisdiction`, :class:`GoldPaymentDays`, :class:`Absent` for
  "labelled as not stated", :class:`Unlabelled` for "no right value known"); loaders :func:`cuad_set`
  (CUAD v1's ``master_clauses.csv`` and its PDFs or TXTs), :func:`samples_set` (``samples/``),
  :func:`gold_set` (an organisation's own labels, one JSON object per line; the format is in the module's
  docstring and README.md); one document's gold from a CUAD row (:func:`cuad_gold`), an
  ``*.expected.json`` (:func:`samples_gold`) or a JSON value (:func:`gold_value`); :func:`select` (fewest
  pages, random, as listed); :data:`SCORED_FIELDS` and each set's display labels, :data:`FIELD_LABELS`.
- Scoring (:mod:`~pipeline.evaluation.scoring`): :func:`score` gives each labelled field an
  :data:`Outcome` (right, wrong, missing, invented, absent, unlabelled) by CUAD's conventions;
  :func:`flagged` (a warning or error finding on the field), :func:`flagged_by_completeness` (a K rule);
  :func:`value_text` (the judged value as a report shows it), :func:`token_f1`, :func:`date_matches`.
- Trust (:mod:`~pipeline.evaluation.trust`): :func:`summarize` turns :class:`FieldRecord` rows
  (:func:`field_records`) into a :class:`TrustSummary` of :class:`FieldSummary` per field and overall:
  agreement, precision, recall, auto-accept precision with its :func:`wilson` interval, flag recall,
  missing values flagged by completeness, review load; each ratio a :class:`Rate`.
- The run (:mod:`~pipeline.evaluation.runner`): :func:`run_eval` ingests, extracts and verifies the
  documents with the configured backend on a workspace database and scores them into an
  :class:`EvalResult` (one :class:`DocumentResult` per document, one :class:`FieldResult` per scored
  field; built-in rules alone and with the playbook; :func:`speed_figures`, :func:`percentile`);
  :func:`store_eval_run` stores it (table ``eval_runs``) with its ``eval.run`` audit event.
- Prices (:mod:`~pipeline.evaluation.prices`): :func:`load_prices` (the shipped ``prices.yaml``,
  :data:`DEFAULT_PRICES`, and a user file), :class:`Price`, :func:`price_of`, :func:`cost_per_1000_pages`;
  :class:`PriceTableError`.
- Report (:mod:`~pipeline.evaluation.report`): :func:`print_report` (rich: the field table, trust lines with
  the built-in rules and with the playbook, speed and cost; :func:`field_table`, :func:`trust_lines`,
  :func:`speed_lines`), :func:`write_json`.

Pure: labels, scoring and trust read files and extractions, never a database or a model. The run, the
prices and the report are loaded on first use, so importing the pure part loads no database or model client.
"""

from __future__ import annotations

import importlib
import typing

from pipeline.evaluation.labels import (
    FEWEST_PAGES_MAX,
    FIELD_LABELS,
    SCORED_FIELDS,
    SELECTIONS,
    Absent,
    Gold,
    GoldDate,
    GoldDurations,
    GoldJurisdiction,
    GoldParties,
    GoldPaymentDays,
    LabelledDocument,
    Selection,
    Unlabelled,
    cuad_gold,
    cuad_set,
    gold_set,
    gold_value,
    samples_gold,
    samples_set,
    select,
)
from pipeline.evaluation.scoring import (
    OUTCOMES,
    PARTY_F1,
    Outcome,
    date_matches,
    flagged,
    flagged_by_completeness,
    score,
    score_field,
    token_f1,
    value_text,
)
from pipeline.evaluation.trust import FieldRecord, FieldSummary, Rate, TrustSummary, field_records, summarize, wilson

if typing.TYPE_CHECKING:
    from pipeline.evaluation.prices import (
        DEFAULT_PRICES,
        Price,
        PriceTableError,
        cost_per_1000_pages,
        load_prices,
        price_of,
    )
    from pipeline.evaluation.report import field_table, print_report, speed_lines, trust_lines, write_json
    from pipeline.evaluation.runner import (
        DocumentResult,
        EvalResult,
        FieldResult,
        percentile,
        run_eval,
        speed_figures,
        store_eval_run,
    )

__all__ = [
    # labels
    "FEWEST_PAGES_MAX", "FIELD_LABELS", "SCORED_FIELDS", "SELECTIONS",
    "Absent", "Gold", "GoldDate", "GoldDurations", "GoldJurisdiction", "GoldParties", "GoldPaymentDays",
    "LabelledDocument", "Selection", "Unlabelled",
    "cuad_gold", "cuad_set", "gold_set", "gold_value", "samples_gold", "samples_set", "select",
    # scoring
    "OUTCOMES", "PARTY_F1", "Outcome",
    "date_matches", "flagged", "flagged_by_completeness", "score", "score_field", "token_f1", "value_text",
    # trust
    "FieldRecord", "FieldSummary", "Rate", "TrustSummary", "field_records", "summarize", "wilson",
    # runner, prices, report (loaded on first use)
    "DocumentResult", "EvalResult", "FieldResult", "percentile", "run_eval", "speed_figures", "store_eval_run",
    "DEFAULT_PRICES", "Price", "PriceTableError", "cost_per_1000_pages", "load_prices", "price_of",
    "field_table", "print_report", "speed_lines", "trust_lines", "write_json",
]

_LAZY = {
    **dict.fromkeys(("DocumentResult", "EvalResult", "FieldResult", "percentile", "run_eval", "speed_figures",
                     "store_eval_run"), "pipeline.evaluation.runner"),
    **dict.fromkeys(("DEFAULT_PRICES", "Price", "PriceTableError", "cost_per_1000_pages", "load_prices",
                     "price_of"), "pipeline.evaluation.prices"),
    **dict.fromkeys(("field_table", "print_report", "speed_lines", "trust_lines", "write_json"),
                    "pipeline.evaluation.report"),
}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
