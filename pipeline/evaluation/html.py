"""One self-contained HTML report of an evaluation run, for people to read (``clausewise eval ... --html OUT``,
``clausewise eval report RUN --html OUT``).

:func:`render_html` takes a run as :meth:`~pipeline.evaluation.runner.EvalResult.to_dict` writes it (the
``summary`` column of a stored ``eval_runs`` row is that dict, so a stored run renders the same) and returns
one HTML page with no external file, style sheet or script: the plots are PNG images (matplotlib, drawn
without pyplot on the Agg canvas, so no display and no global backend state is touched) embedded as base64
``data:`` URLs. Every text taken from a run (contract text, document names, values, messages) is escaped
with :func:`html.escape`.

The page holds:

- the run: set, documents, backend, model and its SHA-256, prompt version, playbook, selection, when (UTC),
  and the workspace database: its file, or that it is no longer there (a temporary workspace is removed when
  the run ends; a kept one may be deleted later, and a stored run's page is drawn again from the store);
- per field and overall: right, wrong, missing, invented, rightly left empty, not labelled, agreement,
  precision = right / (right + wrong + invented), recall = right / (right + wrong + missing), and a bar
  chart of precision and recall per field;
- auto-accept precision (of the values with no warning or error finding, the share right) with its Wilson
  95 % interval, per field and overall, with the built-in rules alone and with the playbook, as a chart and
  a table with flag recall, missing values flagged by completeness and the review load;
- every wrong or invented value that was auto-accepted (no warning or error finding with the built-in
  rules, with the playbook, or both): document, field, value, gold value, the cited text and its page;
- a histogram of model seconds per page per document (p50 and p95 marked), speed and cost figures;
- the reading figures (values filled by code, spans found, chunk overlap, prompt overhead, output tokens per value);
- one row per document (pages, state, seconds per page, calls, fields right of those labelled).

:func:`missing_for_html` names the parts of a stored run the page needs and it lacks.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.evaluation.runner import EvalResult

REQUIRED_KEYS = ("id", "set", "backend", "model", "fields", "labels", "summary", "speed", "cost", "documents")
"""Top-level keys of a run dict the page is drawn from."""
REQUIRED_DOCUMENT_KEYS = ("name", "pages", "status", "seconds_per_page", "fields")
"""Keys of each document of a run dict."""
REQUIRED_FIELD_KEYS = ("outcome", "flagged_builtin", "flagged_playbook", "got", "gold", "quote", "page")
"""Keys of each scored field of a document (the cited text is ``quote``)."""

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1120px;
color:#1d2330;line-height:1.4;padding:0 16px}
h1{font-size:1.6em;margin-bottom:4px}h2{font-size:1.25em;margin-top:32px;border-bottom:2px solid #d8dde6;
padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0 16px;font-size:.9em}
th,td{border:1px solid #d8dde6;padding:4px 8px;text-align:left;vertical-align:top}
td.doc{overflow-wrap:anywhere;min-width:160px;max-width:260px}td.nw{white-space:nowrap}
table.wide{width:100%}
th{background:#f1f4f8}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:600;background:#f8f9fb}
.meta td:first-child{color:#5b6475;white-space:nowrap}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{border:1px solid #d8dde6;border-radius:6px;padding:8px 14px;min-width:150px;background:#f8f9fb}
.card .v{font-size:1.5em;font-weight:600}.card .k{color:#5b6475;font-size:.85em}
.quote{font-family:Georgia,serif;font-size:.9em;white-space:pre-wrap;min-width:220px;max-width:480px}
.bad{color:#b42318;font-weight:600}.ok{color:#027a48}
.note{color:#5b6475;font-size:.88em}
img{max-width:100%;border:1px solid #eef0f4}
"""


def _as_dict(run: EvalResult | Mapping[str, Any]) -> Mapping[str, Any]:
    return run.to_dict() if hasattr(run, "to_dict") else run


def missing_for_html(run: Mapping[str, Any]) -> list[str]:
    """What the page needs and ``run`` (a run dict) lacks, as ``"documents[2].fields.parties.quote"``-style
    paths; empty when the page can be drawn."""
    missing = [k for k in REQUIRED_KEYS if k not in run]
    summary = run.get("summary")
    if isinstance(summary, Mapping):
        for name in ("builtin", "playbook"):
            part = summary.get(name)
            if not isinstance(part, Mapping):
                missing.append(f"summary.{name}")
                continue
            missing += [f"summary.{name}.{k}" for k in ("fields", "overall", "documents_to_review_share",
                                                          "findings_per_document") if k not in part]
    for i, d in enumerate(run.get("documents") or []):
        missing += [f"documents[{i}].{k}" for k in REQUIRED_DOCUMENT_KEYS if k not in d]
        for name, f in (d.get("fields") or {}).items():
            missing += [f"documents[{i}].fields.{name}.{k}" for k in REQUIRED_FIELD_KEYS if k not in f]
    return missing


# ------------------------------------------------------------------------------------------ formatting


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _num(value: float | None, fmt: str = ".2f") -> str:
    return "–" if value is None else format(value, fmt)


def _rate(rate: Mapping[str, Any] | None, *, interval: bool = False) -> str:
    """``0.93 (38/41)`` and, with ``interval``, `` [0.81–0.98]``; ``– (0/0)`` when nothing was counted."""
    if not rate:
        return "–"
    text = f"{_num(rate.get('value'))} ({rate.get('count', 0)}/{rate.get('total', 0)})"
    iv = rate.get("interval")
    if interval and iv:
        text += f" [{iv[0]:.2f}–{iv[1]:.2f}]"
    return text


def _label(run: Mapping[str, Any], name: str) -> str:
    return run.get("labels", {}).get(name, name)


def _table(headers: list[str] | None, rows: list[list[str]], *, numeric: tuple[int, ...] = (),
           total_last: bool = False, cls: str = "", classes: Mapping[int, str] | None = None) -> str:
    """An HTML table (cells are HTML already: escape them before); ``numeric``: the columns aligned right;
    ``classes``: a CSS class per column."""
    classes = {**{j: "n" for j in numeric}, **(classes or {})}
    out = [f'<table class="{cls}">' if cls else "<table>"]
    if headers:
        out.append("<tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr>")
    for i, row in enumerate(rows):
        attr = ' class="total"' if total_last and i == len(rows) - 1 else ""
        cells = "".join(f'<td class="{classes[j]}">{c}</td>' if j in classes else f"<td>{c}</td>"
                        for j, c in enumerate(row))
        out.append(f"<tr{attr}>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


# ------------------------------------------------------------------------------------------ plots


def _png(fig: Any) -> str:
    """``<img>`` with ``fig`` as an embedded base64 PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{_e(fig.get_label())}" src="data:image/png;base64,{data}">'


def _figure(label: str, width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    fig.set_label(label)
    return fig


def _field_rows(run: Mapping[str, Any], summary: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(display label, field summary) per scored field in the run's order, then overall."""
    fields = summary.get("fields", {})
    rows = [(_label(run, f), fields[f]) for f in run.get("fields", []) if f in fields]
    return [*rows, ("overall", summary.get("overall", {}))]


def precision_recall_chart(run: Mapping[str, Any]) -> str:
    """Horizontal bars of precision and recall per field and overall (``<img>``)."""
    rows = _field_rows(run, run["summary"]["playbook"])
    fig = _figure("precision and recall per field", 10, 0.42 * len(rows) + 1.2)
    ax = fig.add_subplot()
    height = 0.38
    for k, (key, name, colour) in enumerate((("precision", "precision", "#3266cc"),
                                             ("recall", "recall", "#e8913a"))):
        ys = [i + (k - 0.5) * height for i in range(len(rows))]
        values = [(s.get(key) or {}).get("value") for _, s in rows]
        ax.barh(ys, [v or 0.0 for v in values], height=height, color=colour, label=name)
        for y, (_, s), v in zip(ys, rows, values):
            rate = s.get(key) or {}
            ax.text((v or 0.0) + 0.01, y, f"{_num(v)} ({rate.get('count', 0)}/{rate.get('total', 0)})",
                    va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), [name for name, _ in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("share (precision = right / values given; recall = right / gold values)")
    fig.legend(loc="outside upper center", ncols=2, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def auto_accept_chart(run: Mapping[str, Any]) -> str:
    """Auto-accept precision per field and overall with its Wilson 95 % interval, built-in rules and with the
    playbook side by side (``<img>``)."""
    views = (("builtin", "built-in rules", "#6b7a99", "o"), ("playbook", "with playbook", "#1f7a4d", "s"))
    rows = _field_rows(run, run["summary"]["playbook"])
    names = [name for name, _ in rows]
    fig = _figure("auto-accept precision with its Wilson 95% interval", 10, 0.42 * len(rows) + 1.3)
    ax = fig.add_subplot()
    for k, (view, title, colour, marker) in enumerate(views):
        per_field = dict(_field_rows(run, run["summary"][view]))
        legend = title
        for i, name in enumerate(names):
            rate = (per_field.get(name) or {}).get("auto_accept_precision") or {}
            y = i + (k - 0.5) * 0.3
            if rate.get("value") is None:
                ax.text(0.01, y, "no value auto-accepted", va="center", fontsize=7, color=colour)
                continue
            lo, hi = rate["interval"]
            v = rate["value"]
            err = [[max(0.0, v - lo)], [max(0.0, hi - v)]]  # clipped: the interval holds v up to rounding
            ax.errorbar([v], [y], xerr=err, fmt=marker, color=colour, capsize=3, label=legend)
            legend = None
            ax.text(min(hi, 1.0) + 0.015, y, f"{v:.2f} ({rate['count']}/{rate['total']})", va="center",
                    fontsize=7, color=colour)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.2)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlabel("auto-accept precision: of the values no warning or error finding flags, the share right")
    if ax.get_legend_handles_labels()[0]:
        fig.legend(loc="outside upper center", ncols=2, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def latency_chart(run: Mapping[str, Any]) -> str:
    """Histogram of model seconds per page per document, p50 and p95 marked (``<img>``)."""
    values = [d["seconds_per_page"] for d in run.get("documents", []) if d.get("seconds_per_page") is not None]
    fig = _figure("model seconds per page per document", 10, 3.2)
    ax = fig.add_subplot()
    if not values:
        ax.text(0.5, 0.5, "no document was read by the model", ha="center", va="center")
        ax.set_axis_off()
        return _png(fig)
    from matplotlib.ticker import MaxNLocator

    ax.hist(values, bins=min(20, max(5, len(values))), color="#3266cc", edgecolor="white")
    speed = run.get("speed", {})
    for key, name, style in (("seconds_per_page_p50", "p50", "--"), ("seconds_per_page_p95", "p95", ":")):
        if speed.get(key) is not None:
            ax.axvline(speed[key], color="#b42318", linestyle=style, label=f"{name} {speed[key]:.1f} s/page")
    ax.set_xlabel("model seconds per page (model seconds of the document ÷ its pages)")
    ax.set_ylabel("documents")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _png(fig)


# ------------------------------------------------------------------------------------------ sections


def wrong_auto_accepted(run: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every wrong or invented value that no warning or error finding flags with the built-in rules, with the
    playbook, or both: ``{"document", "field", "label", "outcome", "got", "gold", "quote", "page",
    "accepted_builtin", "accepted_playbook"}`` in document and field order."""
    rows = []
    for d in run.get("documents", []):
        for name, f in (d.get("fields") or {}).items():
            if f.get("outcome") not in ("wrong", "invented"):
                continue
            builtin, playbook = not f.get("flagged_builtin"), not f.get("flagged_playbook")
            if builtin or playbook:
                rows.append({"document": d.get("name"), "field": name, "label": _label(run, name),
                             "outcome": f["outcome"], "got": f.get("got"), "gold": f.get("gold"),
                             "quote": f.get("quote"), "page": f.get("page"),
                             "accepted_builtin": builtin, "accepted_playbook": playbook})
    return rows


def _yes(flag: bool) -> str:
    return '<span class="bad">auto-accepted</span>' if flag else '<span class="ok">flagged</span>'


def _wrong_section(run: Mapping[str, Any]) -> str:
    rows = wrong_auto_accepted(run)
    overall = run["summary"]["playbook"].get("overall", {})
    wrong = overall.get("wrong", 0) + overall.get("invented", 0)
    if not rows:
        return (f"<p>None: each of the {wrong} wrong or invented values carries a warning or error finding "
                f"(with the built-in rules and with the playbook).</p>" if wrong else
                "<p>None: no value was wrong or invented.</p>")
    body = [[_e(r["document"]), _e(r["label"]), _e(r["outcome"]), _e(r["got"]), _e(r["gold"]),
             f'<div class="quote">{_e(r["quote"]) or "<em>(no cited text)</em>"}</div>', _e(r["page"]),
             f'built-in: {_yes(r["accepted_builtin"])}<br>playbook: {_yes(r["accepted_playbook"])}']
            for r in rows]
    return (f"<p>{len(rows)} of the {wrong} wrong or invented values went through with no warning or error "
            "finding: a reviewer would never have seen them. The cited text is what the extraction quotes for "
            "the value.</p>"
            + _table(["document", "field", "outcome", "value", "gold", "cited text", "page", "went through"],
                     body, cls="wide", classes={0: "doc", 2: "nw", 6: "n", 7: "nw"}))


def _fields_section(run: Mapping[str, Any]) -> str:
    body = []
    for name, s in _field_rows(run, run["summary"]["playbook"]):
        body.append([_e(name), *(str(s.get(k, 0)) for k in ("right", "wrong", "missing", "invented", "absent",
                                                            "unlabelled")),
                     _rate(s.get("agreement")), _rate(s.get("precision")), _rate(s.get("recall"))])
    return _table(["field", "right", "wrong", "missing", "invented", "rightly empty", "not labelled",
                   "agreement", "precision", "recall"], body, numeric=tuple(range(1, 10)), total_last=True)


def _trust_section(run: Mapping[str, Any]) -> str:
    views = [run["summary"]["builtin"], run["summary"]["playbook"]]
    lines = [
        ("auto-accept precision [Wilson 95 %]", lambda s: _rate(s["overall"].get("auto_accept_precision"),
                                                                interval=True)),
        ("flag recall (wrong or invented values flagged)", lambda s: _rate(s["overall"].get("flag_recall"))),
        ("missing values flagged by completeness",
         lambda s: _rate(s["overall"].get("missing_flagged_by_completeness"))),
        ("review load: fields flagged", lambda s: _rate(s["overall"].get("fields_flagged"))),
        ("review load: documents to review", lambda s: _rate(s.get("documents_to_review_share"))),
        ("review load: warning and error findings per document",
         lambda s: _num(s.get("findings_per_document"), ".1f")),
        ("right values flagged anyway", lambda s: _rate(s["overall"].get("right_flagged"))),
    ]
    return _table(["", "built-in rules", "with playbook"], [[_e(n), *(_e(f(v)) for v in views)] for n, f in lines],
                  numeric=(1, 2))


def _speed_section(run: Mapping[str, Any]) -> str:
    sp, cost = run.get("speed", {}), run.get("cost", {})
    rows = [
        ("documents, pages", f"{sp.get('documents', 0)}, {sp.get('pages', 0)}"),
        ("model seconds per page p50 / p95",
         f"{_num(sp.get('seconds_per_page_p50'), '.1f')} / {_num(sp.get('seconds_per_page_p95'), '.1f')}"),
        ("model seconds per page, all pages", _num(sp.get("seconds_per_page"), ".1f")),
        ("model calls", str(sp.get("calls", 0))),
        ("tokens per page in / out", f"{_num(sp.get('input_tokens_per_page'), '.0f')} / "
                                     f"{_num(sp.get('output_tokens_per_page'), '.0f')}"),
        ("failed chunks", f"{sp.get('failed_chunks', 0)} of {sp.get('chunks', 0)}"),
        ("documents not extracted", str(sp.get("failed_documents", 0))),
    ]
    if not cost.get("priced"):
        rows.append(("cost per 1,000 pages", f"unknown ({cost.get('note', '')})"))
    elif cost.get("local"):
        rows.append(("cost per 1,000 pages", f"$0 in tokens; {_num(cost.get('cpu_seconds_per_1000_pages'), ',.0f')}"
                                             f" CPU-seconds ({cost.get('note', '')})"))
    else:
        rows.append(("cost per 1,000 pages", f"${_num(cost.get('usd_per_1000_pages'), ',.2f')} "
                                             f"({(cost.get('price') or {}).get('source') or 'user price file'})"))
    return _table(None, [[_e(k), _e(v)] for k, v in rows], cls="meta")


def _reading_section(run: Mapping[str, Any]) -> str:
    """The reading figures of the run (values filled by code, spans found, chunk overlap, prompt overhead,
    output tokens per value); a note for a run stored without them."""
    rd = run.get("reading") or {}
    if not rd:
        return '<p class="note">This run was stored without reading figures.</p>'
    by_code = rd.get("filled_by_code") or {}
    filled = ", ".join(f"{_label(run, f)} {c['right']}/{c['answered']} ({c['values']} values)"
                       for f, c in by_code.items()) or "none"
    share = rd.get("spans_found_share")
    rows = [
        ("values filled by code (right / labelled)", filled),
        ("spans found in the cited sentences", f"{rd.get('spans_found', 0)} of {rd.get('cited_values', 0)}"
                                               + ("" if share is None else f" ({share:.0%})")),
        ("chunk tokens incl. overlap / document tokens", _num(rd.get("chunk_overlap_ratio"), ".3f")),
        ("prompt overhead tokens per call (prompt text / measured)",
         f"{_num(rd.get('prompt_overhead_tokens'), 'd')} / {_num(rd.get('prompt_overhead_tokens_measured'), '.0f')}"),
        ("output tokens per extracted value", f"{_num(rd.get('output_tokens_per_value'), '.1f')} "
                                              f"({rd.get('output_tokens', 0)} tokens, {rd.get('values', 0)} values)"),
    ]
    return _table(None, [[_e(k), _e(v)] for k, v in rows], cls="meta")


def _documents_section(run: Mapping[str, Any]) -> str:
    body = []
    for d in run.get("documents", []):
        outcomes = [f.get("outcome") for f in (d.get("fields") or {}).values()]
        right = sum(o in ("right", "absent") for o in outcomes)
        labelled = sum(o != "unlabelled" for o in outcomes)
        bad = ", ".join(f"{_label(run, n)} ({f['outcome']})" for n, f in (d.get("fields") or {}).items()
                        if f.get("outcome") in ("wrong", "missing", "invented"))
        body.append([_e(d.get("name")), str(d.get("pages", 0)), _e(d.get("status")),
                     _num(d.get("seconds_per_page"), ".1f"), str(d.get("calls", 0)),
                     f"{d.get('failed_chunks', 0)}/{d.get('chunks', 0)}", f"{right}/{labelled}", _e(bad),
                     _e(d.get("reason") or "")])
    return _table(["document", "pages", "state", "s/page", "calls", "failed chunks", "fields right",
                   "wrong, missing, invented", "reason"], body, numeric=(1, 3, 4, 5, 6), cls="wide",
                  classes={0: "doc"})


def _meta(run: Mapping[str, Any]) -> str:
    sel = run.get("selection") or {}
    how = ", ".join(f"{k} {sel[k]}" for k in ("how", "limit", "max_pages", "seed") if sel.get(k) is not None)
    rows = [("run", run.get("id")), ("when (UTC)", run.get("created_at")), ("set", run.get("set")),
            ("selection", how), ("backend / model", f"{run.get('backend')} / {run.get('model')}"),
            ("model file SHA-256", run.get("model_sha256") or "–"), ("prompt version", run.get("prompt_version")),
            ("playbook", run.get("playbook")), ("workspace", _workspace(run.get("workspace")))]
    return '<table class="meta">' + "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows) \
        + "</table>"


def _workspace(path: str | None) -> str:
    """The workspace row of the run table: the database file when it is still there, else that it is gone (a
    temporary workspace removed when the run ended, or a kept one deleted since)."""
    if not path:
        return "a temporary folder, removed when the run ended"
    return path if Path(path).exists() else f"{path} (no longer there)"


def _cards(run: Mapping[str, Any]) -> str:
    pb = run["summary"]["playbook"]
    o = pb.get("overall", {})
    aap = o.get("auto_accept_precision") or {}
    iv = aap.get("interval")
    cards = [
        ("fields right (right or rightly empty)", f"{o.get('correct', 0)}",
         f"wrong {o.get('wrong', 0)}, missing {o.get('missing', 0)}, invented {o.get('invented', 0)}"),
        ("auto-accept precision, with playbook", _num(aap.get("value")),
         f"{aap.get('count', 0)}/{aap.get('total', 0)}" + (f", 95 % {iv[0]:.2f}–{iv[1]:.2f}" if iv else "")),
        ("flag recall, with playbook", _num((o.get("flag_recall") or {}).get("value")),
         str(_rate(o.get("flag_recall")))),
        ("documents to review", _num((pb.get("documents_to_review_share") or {}).get("value")),
         _rate(pb.get("documents_to_review_share"))),
        ("model seconds per page, p50", _num(run.get("speed", {}).get("seconds_per_page_p50"), ".1f"),
         f"p95 {_num(run.get('speed', {}).get('seconds_per_page_p95'), '.1f')}"),
    ]
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="v">{_e(v)}</div><div class="k">{_e(k)}</div>'
        f'<div class="k">{_e(sub)}</div></div>' for k, v, sub in cards) + "</div>"


def render_html(run: EvalResult | Mapping[str, Any]) -> str:
    """The whole report of ``run`` (an :class:`~pipeline.evaluation.runner.EvalResult` or its ``to_dict()``,
    e.g. a stored run's summary) as one self-contained HTML page (UTF-8 text).

    Raises:
        ValueError: ``run`` lacks what the page needs (the message lists it, see :func:`missing_for_html`).
    """
    run = _as_dict(run)
    missing = missing_for_html(run)
    if missing:
        raise ValueError("the run lacks what the HTML report needs: " + ", ".join(missing[:20])
                         + (f" and {len(missing) - 20} more" if len(missing) > 20 else ""))
    title = f"Clausewise evaluation: {run['set']}, {len(run['documents'])} documents, {run['model']}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title>", f"<style>{_CSS}</style></head><body>",
        f"<h1>{_e(title)}</h1>", _meta(run), _cards(run),
        "<h2>Fields: precision and recall</h2>",
        '<p class="note">precision = right / (right + wrong + invented): of the values given where the gold is '
        "known, the share right; recall = agreement = right / (right + wrong + missing): of the gold values, "
        "the share found. Invented: the gold says the contract does not state it, the extraction gives a "
        "value.</p>",
        precision_recall_chart(run), _fields_section(run),
        "<h2>Trust: auto-accept precision and review load</h2>",
        '<p class="note">A value with no warning or error finding is auto-accepted. Built-in rules alone tell '
        "integrity; with the playbook adds policy. Intervals are Wilson 95 % score intervals.</p>",
        auto_accept_chart(run), _trust_section(run),
        "<h2>Wrong values that were auto-accepted</h2>", _wrong_section(run),
        "<h2>Speed and cost</h2>", latency_chart(run), _speed_section(run),
        "<h2>Reading</h2>", _reading_section(run),
        "<h2>Documents</h2>", _documents_section(run),
        '<p class="note">Made by clausewise eval; figures as stored with the run.</p>',
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(run: EvalResult | Mapping[str, Any], path: Path) -> None:
    """Write :func:`render_html` of ``run`` to ``path`` (UTF-8).

    Raises:
        ValueError: ``run`` lacks what the page needs.
    """
    Path(path).write_text(render_html(run), encoding="utf-8")
