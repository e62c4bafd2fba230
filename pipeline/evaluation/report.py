"""The terminal report of an evaluation run (rich) and its JSON file.

:func:`print_report` prints, for an :class:`~pipeline.evaluation.runner.EvalResult`:

- a table per field and overall: right, wrong, missing (gold has a value, the extraction none), invented
  (gold labelled absent, the extraction has one), agreement = right / (right + wrong + missing), precision =
  right / (right + wrong + invented), recall = right / (right + wrong + missing);
- the trust lines, once with the built-in rules alone and once with the playbook: auto-accept precision (of
  the values no warning or error finding flags, the share right) with its Wilson 95 % interval, flag recall
  (of the wrong or invented values, the share flagged), missing values flagged by a completeness rule, and
  the review load (share of scored fields flagged, share of documents sent to review, warning and error
  findings per document, right values flagged anyway);
- speed (model seconds per page p50 and p95 across documents, model calls, input and output tokens per page,
  failed chunks; the second pass's questions, answers and their share of the calls, tokens and seconds) and
  cost per 1,000 pages;
- reading (:func:`~pipeline.evaluation.runner.reading_figures`): values filled by code per field (right / with
  a labelled value), spans found in the cited sentences, chunk tokens including the overlap ÷ document
  tokens, prompt overhead tokens per call (prompt text; measured) and output tokens per extracted value.

:func:`write_json` writes :meth:`EvalResult.to_dict` to a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pipeline.evaluation.runner import EvalResult
from pipeline.evaluation.trust import Rate, TrustSummary


def _share(rate: Rate, digits: int = 2) -> str:
    return "-" if rate.value is None else f"{rate.value:.{digits}f}"


def _rate(rate: Rate, *, interval: bool = False) -> str:
    """``0.93 (38/41)``, with ``[0.81, 0.98]`` when ``interval``; ``- (0/0)`` when nothing was counted."""
    text = f"{_share(rate)} ({rate.count}/{rate.total})"
    if interval and rate.interval is not None:
        lo, hi = rate.interval
        text += f" [95% CI {lo:.2f}-{hi:.2f}]"
    return text


def _agreement(rate: Rate) -> str:
    if not rate.total:
        return "0/0 -"
    return f"{rate.count}/{rate.total} {rate.value:.0%}"


def field_table(result: EvalResult) -> Table:
    """The per-field table of ``result`` (figures of the fields as scored; rules do not change them)."""
    summary = result.playbook_summary
    table = Table(title=f"Fields: {escape(result.set_name)}, {len(result.documents)} documents "
                        f"({escape(result.backend)}, {escape(result.model)})")
    table.add_column("field")
    for name in ("right", "wrong", "missing", "invented", "agreement", "precision", "recall"):
        table.add_column(name, justify="right")
    rows = [(result.labels.get(f, f), summary.fields[f]) for f in result.fields if f in summary.fields]
    for i, (label, s) in enumerate([*rows, ("overall", summary.overall)]):
        table.add_row(escape(label), str(s.right), str(s.wrong), str(s.missing), str(s.invented),
                      _agreement(s.agreement), _share(s.precision), _share(s.recall),
                      end_section=i == len(rows) - 1)
    return table


def trust_lines(summary: TrustSummary, name: str) -> list[str]:
    """The trust and review-load lines of one summary (``name``: "built-in rules" or "with playbook")."""
    o = summary.overall
    per_doc = summary.findings_per_document
    return [
        f"{name}: auto-accept precision {_rate(o.auto_accept_precision, interval=True)}; "
        f"flag recall {_rate(o.flag_recall)}; missing values flagged by completeness "
        f"{_rate(o.missing_flagged_by_completeness)}",
        f"{name}: review load: fields flagged {_rate(o.fields_flagged)}, documents to review "
        f"{_rate(summary.documents_to_review_share)}, findings per document "
        f"{'-' if per_doc is None else f'{per_doc:.1f}'}, right values flagged anyway {_rate(o.right_flagged)}",
    ]


def _num(value: Any, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def speed_lines(result: EvalResult) -> list[str]:
    """Speed and cost lines."""
    sp, cost = result.speed, result.cost
    lines = [
        f"speed: {sp['documents']} documents, {sp['pages']} pages; model seconds per page p50 "
        f"{_num(sp['seconds_per_page_p50'], '.1f')}, p95 {_num(sp['seconds_per_page_p95'], '.1f')} "
        f"(all pages {_num(sp['seconds_per_page'], '.1f')}); model calls {sp['calls']}; tokens per page "
        f"{_num(sp['input_tokens_per_page'], '.0f')} in, {_num(sp['output_tokens_per_page'], '.0f')} out; "
        f"failed chunks {sp['failed_chunks']} of {sp['chunks']}; documents not extracted {sp['failed_documents']}",
    ]
    sp2 = sp.get("second_pass")
    if sp2 and sp2["calls"]:
        lines.append(
            f"second pass: {sp2['calls']} questions, {sp2['answered']} answered with a value; per page "
            f"{_num(sp2['calls_per_page'], '.2f')} calls, {_num(sp2['input_tokens_per_page'], '.0f')} tokens in, "
            f"{_num(sp2['output_tokens_per_page'], '.0f')} out, {_num(sp2['seconds_per_page'], '.1f')} model seconds "
            f"(included above)")
    if not cost.get("priced"):
        lines.append(f"cost per 1,000 pages: unknown ({cost.get('note', '')})")
    elif cost.get("local"):
        lines.append(f"cost per 1,000 pages: $0 in tokens, {_num(cost['cpu_seconds_per_1000_pages'], ',.0f')} "
                     f"CPU-seconds ({cost.get('note', '')})")
    else:
        price = cost["price"]
        lines.append(f"cost per 1,000 pages: ${_num(cost['usd_per_1000_pages'], ',.2f')} (at "
                     f"${price['input_usd_per_mtok']:g} in / ${price['output_usd_per_mtok']:g} out per million "
                     f"tokens; {price['source'] or 'user price file'})")
    return lines


def reading_lines(result: EvalResult) -> list[str]:
    """Reading lines (values filled by code, spans found, chunk overlap, prompt overhead, output tokens per
    value); none for a result without reading figures."""
    rd = result.reading
    if not rd:
        return []
    by_code = rd.get("filled_by_code") or {}
    filled = ", ".join(f"{result.labels.get(f, f)} {c['right']}/{c['answered']} ({c['values']})"
                       for f, c in by_code.items()) or "none"
    share = rd.get("spans_found_share")
    measured = rd.get("prompt_overhead_tokens_measured")
    return [
        f"reading: values filled by code, right / with a labelled value (values): {filled}",
        f"reading: spans found in the cited sentences {rd['spans_found']}/{rd['cited_values']} "
        f"({'-' if share is None else f'{share:.0%}'}); chunk tokens incl. overlap / document tokens "
        f"{_num(rd.get('chunk_overlap_ratio'), '.3f')}",
        f"reading: prompt overhead tokens per call {_num(rd.get('prompt_overhead_tokens'), 'd')} (prompt text, "
        f"tokenizer), {_num(measured, '.0f')} measured (input tokens - numbered chunk text, incl. chat template; "
        f"splits count extra)",
        f"reading: output tokens per extracted value {_num(rd.get('output_tokens_per_value'), '.1f')} "
        f"({rd['output_tokens']} output tokens, {rd['values']} values)",
    ]


def print_report(result: EvalResult, console: Console | None = None) -> None:
    """Print the field table, the trust lines (built-in rules, with playbook), speed, cost and reading, the
    documents that were not extracted, and where the workspace database is (or that it was a temporary folder,
    removed) to ``console``."""
    console = console or Console()
    console.print(field_table(result))
    o = result.playbook_summary.overall
    console.print(f"fields right: {o.correct} ({o.right} values right, {o.absent} rightly left empty); "
                  f"wrong {o.wrong}, missing {o.missing}, invented {o.invented}, not labelled {o.unlabelled}",
                  highlight=False)
    for line in (trust_lines(result.builtin, "built-in rules") + trust_lines(result.playbook_summary, "with playbook")
                 + speed_lines(result) + reading_lines(result)):
        console.print(escape(line), highlight=False)
    failed = [d for d in result.documents if d.run_status in (None, "failed")]
    for d in failed:
        console.print(f"[red]not extracted:[/red] {escape(d.name)} ({escape(d.status)}: {escape(d.reason or '')})",
                      highlight=False)
    if result.workspace is not None:
        console.print(f"workspace: {escape(result.workspace)}", highlight=False)
    else:
        console.print("workspace: a temporary folder, removed when the run ended", highlight=False)


def write_json(result: EvalResult, path: Path) -> None:
    """Write everything of ``result`` (:meth:`EvalResult.to_dict`) as indented JSON (UTF-8) to ``path``."""
    Path(path).write_text(json.dumps(result.to_dict(), indent=1, default=str, ensure_ascii=False) + "\n",
                          encoding="utf-8")
