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
  pages, random, as listed); :class:`LabelError` for a labelled set that cannot be read;
  :data:`SCORED_FIELDS` and each set's display labels, :data:`FIELD_LABELS`.
- Scoring (:mod:`~pipeline.evaluation.scoring`): :func:`score` gives each labelled field an
  :data:`Outcome` (right, wrong, missing, invented, absent, unlabelled) by CUAD's conventions;
  :func:`flagged` (a warning or error finding on the field), :func:`flagged_by_completeness` (a K rule);
  :func:`value_text` (the judged value as a report shows it), :func:`token_f1`, :func:`date_matches`.
- Trust (:mod:`~pipeline.evaluation.trust`): :func:`summarize` turns :class:`FieldRecord` rows
  (:func:`field_records`) into a :class:`TrustSummary` of :class:`FieldSummary` per field and overall:
  agreement, precision, recall, auto-accept precision with its :func:`wilson` interval, flag recall,
  missing values flagged by completeness, review load; each ratio a :class:`Rate`.
- The run (:mod:`~pipeline.evaluation.runner`): :func:`run_eval` ingests, extracts and verifies the
  documents with the configured backend on a workspace database (in a given folder, kept, or in a temporary
  one removed when the run ends unless asked to keep it) and scores them into an :class:`EvalResult` (one
  :class:`DocumentResult` per document, one :class:`FieldResult` per scored field; built-in rules alone and
  with the playbook; :func:`speed_figures`, :func:`percentile`, :func:`reading_figures`: values filled by
  code, spans found in the cited sentences, chunk overlap, prompt overhead and output tokens per value);
  :func:`store_eval_run` stores it (table ``eval_runs``) with its ``eval.run`` audit event.
- Prices (:mod:`~pipeline.evaluation.prices`): :func:`load_prices` (the shipped ``prices.yaml``,
  :data:`DEFAULT_PRICES`, and a user file), :class:`Price`, :func:`price_of`, :func:`cost_per_1000_pages`;
  :class:`PriceTableError`.
- Report (:mod:`~pipeline.evaluation.report`): :func:`print_report` (rich: the field table, trust lines with
  the built-in rules and with the playbook, speed and cost, reading; :func:`field_table`, :func:`trust_lines`,
  :func:`speed_lines`, :func:`reading_lines`), :func:`write_json`.
- HTML report (:mod:`~pipeline.evaluation.html`): :func:`render_html` / :func:`write_html` make one
  self-contained page (embedded PNG plots) from a run or a stored run's summary; :func:`missing_for_html`
  says what a stored run lacks for it; :func:`wrong_auto_accepted` lists the wrong values no finding flags.
- Backend scorecard (:mod:`~pipeline.evaluation.compare`): :func:`load_weights` (the shipped
  ``weights.yaml``, :data:`DEFAULT_WEIGHTS`, and a user file; :class:`Weights`, :class:`BackendProfile`,
  :class:`WeightsError`), :func:`run_figures` (:class:`RunFigures`, :class:`AxisValue`) and
  :func:`scorecard` (:class:`Scorecard` of :class:`RunScore` with an :class:`AxisScore` per :class:`Axis`
  of :data:`AXES`, :func:`scale`, :func:`tco_per_year` as a :class:`Tco`); :func:`text_leaves_machine`,
  :func:`privacy_statement`; :func:`scorecard_table` and :func:`scorecard_notes` print it.
- The context probe (:mod:`~pipeline.evaluation.probe`, ``clausewise probe context``): :func:`plan_probe`
  (haystacks of real contract text, invented needles, depths: :class:`ProbePlan` of :class:`Trial`),
  :func:`run_probe` (each question through the configured backend, audited: :class:`ProbeResult` of
  :class:`TrialResult`, :class:`CellSummary` per length and depth), :func:`effective_context`,
  :func:`recommend_chunk_tokens` and :func:`apply_chunk_budget` (``chunk_tokens`` into a settings file),
  :func:`print_probe`, :func:`write_heatmap`, :func:`write_probe_json`; errors under :class:`ProbeError`
  (:class:`PromptTruncated` for a server that cut the prompt).

Pure: labels, scoring and trust read files and extractions, never a database or a model. The run, the
prices, the reports, the scorecard and the probe are loaded on first use, so importing the pure part loads
no database or model client.
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
    LabelError,
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
    from pipeline.evaluation.probe import (
        ANSWER_TOKENS,
        DEFAULT_DEPTHS,
        DEFAULT_NEEDLES,
        DEFAULT_THRESHOLD,
        PROBE_PROMPT_VERSION,
        BadProbeOption,
        CellSummary,
        HaystackTooShort,
        Needle,
        NeedleNotUnique,
        ProbeAnswer,
        ProbeError,
        ProbePlan,
        ProbeResult,
        PromptTruncated,
        Trial,
        TrialResult,
        apply_chunk_budget,
        default_lengths,
        effective_context,
        needle_absent,
        needle_candidates,
        place_needle,
        plan_probe,
        print_probe,
        probe_request,
        recommend_chunk_tokens,
        run_probe,
        truncation_slack,
        write_heatmap,
        write_probe_json,
    )
    from pipeline.evaluation.compare import (
        AXES,
        DEFAULT_WEIGHTS,
        Axis,
        AxisScore,
        AxisValue,
        BackendProfile,
        RunFigures,
        RunScore,
        Scorecard,
        Tco,
        Weights,
        WeightsError,
        load_weights,
        privacy_statement,
        run_figures,
        scale,
        scorecard,
        scorecard_notes,
        scorecard_table,
        tco_per_year,
        text_leaves_machine,
    )
    from pipeline.evaluation.html import missing_for_html, render_html, write_html, wrong_auto_accepted
    from pipeline.evaluation.report import (
        field_table,
        print_report,
        reading_lines,
        speed_lines,
        trust_lines,
        write_json,
    )
    from pipeline.evaluation.runner import (
        DocumentResult,
        EvalResult,
        FieldResult,
        percentile,
        reading_figures,
        run_eval,
        speed_figures,
        store_eval_run,
    )

__all__ = [
    # labels
    "FEWEST_PAGES_MAX", "FIELD_LABELS", "SCORED_FIELDS", "SELECTIONS",
    "Absent", "Gold", "GoldDate", "GoldDurations", "GoldJurisdiction", "GoldParties", "GoldPaymentDays",
    "LabelError", "LabelledDocument", "Selection", "Unlabelled",
    "cuad_gold", "cuad_set", "gold_set", "gold_value", "samples_gold", "samples_set", "select",
    # scoring
    "OUTCOMES", "PARTY_F1", "Outcome",
    "date_matches", "flagged", "flagged_by_completeness", "score", "score_field", "token_f1", "value_text",
    # trust
    "FieldRecord", "FieldSummary", "Rate", "TrustSummary", "field_records", "summarize", "wilson",
    # runner, prices, report (loaded on first use)
    "DocumentResult", "EvalResult", "FieldResult", "percentile", "reading_figures", "run_eval", "speed_figures",
    "store_eval_run",
    "DEFAULT_PRICES", "Price", "PriceTableError", "cost_per_1000_pages", "load_prices", "price_of",
    "field_table", "print_report", "reading_lines", "speed_lines", "trust_lines", "write_json",
    # the context probe (loaded on first use)
    "ANSWER_TOKENS", "BadProbeOption", "CellSummary", "DEFAULT_DEPTHS", "DEFAULT_NEEDLES", "DEFAULT_THRESHOLD",
    "HaystackTooShort", "Needle", "NeedleNotUnique", "PROBE_PROMPT_VERSION", "ProbeAnswer", "ProbeError",
    "ProbePlan", "ProbeResult", "PromptTruncated", "Trial", "TrialResult", "apply_chunk_budget",
    "default_lengths", "effective_context", "needle_absent", "needle_candidates", "place_needle", "plan_probe",
    "print_probe", "probe_request", "recommend_chunk_tokens", "run_probe", "truncation_slack", "write_heatmap",
    "write_probe_json",
    # HTML report, backend scorecard (loaded on first use)
    "missing_for_html", "render_html", "write_html", "wrong_auto_accepted",
    "AXES", "DEFAULT_WEIGHTS", "Axis", "AxisScore", "AxisValue", "BackendProfile", "RunFigures", "RunScore",
    "Scorecard", "Tco", "Weights", "WeightsError", "load_weights", "privacy_statement", "run_figures", "scale",
    "scorecard", "scorecard_notes", "scorecard_table", "tco_per_year", "text_leaves_machine",
]

_LAZY = {
    **dict.fromkeys(("ANSWER_TOKENS", "BadProbeOption", "CellSummary", "DEFAULT_DEPTHS", "DEFAULT_NEEDLES",
                     "DEFAULT_THRESHOLD", "HaystackTooShort", "Needle", "NeedleNotUnique",
                     "PROBE_PROMPT_VERSION", "ProbeAnswer", "ProbeError", "ProbePlan", "ProbeResult",
                     "PromptTruncated", "Trial", "TrialResult", "apply_chunk_budget", "default_lengths",
                     "effective_context", "needle_absent", "needle_candidates", "place_needle",
                     "plan_probe", "print_probe", "probe_request", "recommend_chunk_tokens", "run_probe",
                     "truncation_slack", "write_heatmap", "write_probe_json"), "pipeline.evaluation.probe"),
    **dict.fromkeys(("DocumentResult", "EvalResult", "FieldResult", "percentile", "reading_figures", "run_eval",
                     "speed_figures", "store_eval_run"), "pipeline.evaluation.runner"),
    **dict.fromkeys(("DEFAULT_PRICES", "Price", "PriceTableError", "cost_per_1000_pages", "load_prices",
                     "price_of"), "pipeline.evaluation.prices"),
    **dict.fromkeys(("field_table", "print_report", "reading_lines", "speed_lines", "trust_lines", "write_json"),
                    "pipeline.evaluation.report"),
    **dict.fromkeys(("missing_for_html", "render_html", "write_html", "wrong_auto_accepted"),
                    "pipeline.evaluation.html"),
    **dict.fromkeys(("AXES", "DEFAULT_WEIGHTS", "Axis", "AxisScore", "AxisValue", "BackendProfile", "RunFigures",
                     "RunScore", "Scorecard", "Tco", "Weights", "WeightsError", "load_weights", "privacy_statement",
                     "run_figures", "scale", "scorecard", "scorecard_notes", "scorecard_table", "tco_per_year",
                     "text_leaves_machine"), "pipeline.evaluation.compare"),
}


def __getattr__(name: str) -> typing.Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
