"""``clausewise probe context``: how much contract text the configured model really reads.

Plans the trials (:func:`pipeline.evaluation.plan_probe`: haystacks cut from the contract texts of
``--haystack``, needles, depths), asks each with the configured backend (:func:`pipeline.evaluation.run_probe`,
audited in the configured database), prints the table (:func:`pipeline.evaluation.print_probe`), writes the
heatmap PNG and the JSON into ``--out``, and with ``--apply FILE`` writes the recommended ``chunk_tokens`` into
that settings file. A backend that cut the prompt stops the probe with exit code 1 after the table of the
trials answered before.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

import typer
from rich.markup import escape

from pipeline.cli import app
from pipeline.cli._common import DatabaseUrlOption, console, engine_for, fail, settings
from pipeline.evaluation import (
    DEFAULT_DEPTHS,
    DEFAULT_NEEDLES,
    DEFAULT_THRESHOLD,
    ProbeError,
    ProbeResult,
    PromptTruncated,
    TrialResult,
    apply_chunk_budget,
    plan_probe,
    print_probe,
    run_probe,
    write_heatmap,
    write_probe_json,
)
from pipeline.llm import LLMError, ModelRegistryError, make_backend

probe_app = typer.Typer(help="Probe the configured model: how much contract text it really reads.",
                        no_args_is_help=True)
app.add_typer(probe_app, name="probe")


def _ints(text: str | None, what: str) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(float(v.strip().lower().replace("k", "e3"))) for v in text.split(",") if v.strip()]
    except ValueError:
        fail(f"{what} must be whole numbers separated by commas, not {text!r}", 2)
    return None


def _progress(t: TrialResult) -> None:
    got = "hit" if t.hit else ("miss: " + (t.error or f"party {t.party!r}, {t.notice_days} days"))
    console.print(f"length {t.length:6,} depth {t.depth:3d} % needle {t.needle + 1}: {escape(got[:100])} "
                  f"({t.model_seconds:.1f} s, {t.sent_tokens:,} prompt tokens)", highlight=False)


def _write(result: ProbeResult, out: Path) -> None:
    png = write_heatmap(result, out / "context.png")
    js = write_probe_json(result, out / "context.json")
    console.print(f"heatmap {escape(str(png))}, JSON {escape(str(js))}", highlight=False)


@probe_app.command("context")
def context(
    haystack: Path = typer.Option(..., "--haystack", exists=True, file_okay=False,
                                  help="Folder of contract texts (.txt, .pdf; searched recursively) the haystacks "
                                       "are cut from, e.g. ../shared/corpus/cuad/full_contract_txt."),
    lengths: str | None = typer.Option(None, "--lengths",
                                       help="Tokens of contract text per question, comma-separated (e.g. "
                                            "1000,2000,4000,7000); default 1000, 2000, 4000, ... up to the "
                                            "context window less the prompt and the answer."),
    depths: str = typer.Option(",".join(map(str, DEFAULT_DEPTHS)), "--depths",
                               help="Where the needle goes, % of the text (0 = first, 100 = last)."),
    needles: int = typer.Option(DEFAULT_NEEDLES, "--needles", min=1, help="Needles per length and depth."),
    threshold: float = typer.Option(DEFAULT_THRESHOLD, "--threshold", min=0.01, max=1.0,
                                    help="Share of needles every depth must retrieve for a length to count."),
    seed: int = typer.Option(0, "--seed", help="Order of the haystack folder's files."),
    out: Path | None = typer.Option(None, "--out", file_okay=False,
                                    help="Folder for context.png (heatmap) and context.json (default: "
                                         "<data dir>/probe/<UTC time>)."),
    apply: Path | None = typer.Option(None, "--apply", dir_okay=False,
                                      help="Settings TOML file to write the recommended chunk_tokens into."),
    context_tokens: int | None = typer.Option(None, "--context-tokens", min=256,
                                              help="Context window to probe (default CLAUSEWISE_CONTEXT_TOKENS)."),
    backend: str | None = typer.Option(None, "--backend", help="LLM backend: local, openai, replay."),
    model: str | None = typer.Option(None, "--model", help="Model registry name, GGUF path or remote model id."),
    database_url: str | None = DatabaseUrlOption,
) -> None:
    """Needle-in-a-haystack probe of the model's effective context on real contract text; sizes chunks."""
    cfg = settings(database_url=database_url, backend=backend, model=model, context_tokens=context_tokens)
    started = time.perf_counter()
    try:
        plan = plan_probe(cfg, haystack, lengths=_ints(lengths, "--lengths"), depths=_ints(depths, "--depths"),
                          needles=needles, seed=seed)
    except ProbeError as exc:
        fail(str(exc), 2)
    for length, have in sorted(plan.too_short.items()):
        console.print(f"[yellow]length {length:,}: the haystack holds only {have:,} tokens of text; not measured"
                      "[/yellow]", highlight=False)
    console.print(f"probing {escape(cfg.backend)} / {escape(cfg.model)}: {len(plan.trials)} questions, lengths "
                  f"{', '.join(f'{n:,}' for n in plan.lengths)}, depths {', '.join(map(str, plan.depths))} %, "
                  f"window {plan.context_tokens:,} (longest length it allows {plan.max_length:,})", highlight=False)
    target = out or cfg.data_dir / "probe" / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    try:
        result = run_probe(plan, make_backend(cfg), cfg, engine=engine_for(cfg.effective_database_url),
                           threshold=threshold, on_trial=_progress)
    except PromptTruncated as exc:
        if exc.result is not None and exc.result.trials:
            console.print()
            print_probe(exc.result, console)
            _write(exc.result, target)
        fail(f"prompt truncated by the backend: {exc}")
    except (ModelRegistryError, LLMError, ProbeError) as exc:
        fail(f"probe stopped: {exc}")
    console.print()
    print_probe(result, console)
    _write(result, target)
    console.print(f"took {time.perf_counter() - started:.0f} s (run {result.id}, audited as llm.* events)",
                  highlight=False)
    if apply is not None:
        rec = result.recommended_chunk_tokens
        if rec is None:
            fail(f"no chunk budget to write into {apply}: no length retrieved every needle at every depth "
                 f"(threshold {threshold:.0%})")
        if not rec:
            fail(f"no chunk budget to write into {apply}: an effective context of {result.effective_context} "
                 f"tokens leaves no room for a chunk after the extraction prompt "
                 f"({result.extraction_prompt_tokens} tokens)")
        try:
            line = apply_chunk_budget(apply, rec, note=f"clausewise probe context {result.started_at}: "
                                                       f"{result.model} reads {result.effective_context} tokens")
        except ProbeError as exc:
            fail(str(exc), 2)
        console.print(f"wrote {escape(line)} into {escape(str(apply))} (was {cfg.chunk_tokens})", highlight=False)
