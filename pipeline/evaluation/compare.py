"""The backend scorecard of ``clausewise eval compare``: stored evaluation runs side by side on the axes of a
vendor review, a weighted score and the total cost of ownership per year.

Input: runs as :meth:`~pipeline.evaluation.runner.EvalResult.to_dict` writes them (the ``summary`` column of
``eval_runs``), read into :class:`RunFigures` by :func:`run_figures`, and the :class:`Weights` of a YAML file
(:func:`load_weights`; the shipped ``weights.yaml`` beside this module, :data:`DEFAULT_WEIGHTS`, states every
input and its meaning; a user file overrides it key by key).

Axes (:data:`AXES`), each a figure of one run:

- capability: auto-accept precision (of the values with no warning or error finding, the share right),
  flag recall (of the wrong or invented values, the share with a finding), field recall (right / (right +
  wrong + missing)); higher better. The findings that count are the playbook's (built-in rules and the
  playbook, as verify routes documents) or the built-in rules' alone (``findings`` in the YAML);
- review load: the share of labelled fields with a warning or error finding; lower better;
- latency: model seconds per page, p50 across documents; lower better;
- cost: USD per 1,000 pages = token cost (the run's price table) + CPU cost (CPU-seconds of a local model ×
  ``cpu_usd_per_hour`` ÷ 3,600); lower better;
- privacy: 1 when the contract text stays on this machine, else 0 (:func:`text_leaves_machine`: the
  ``local`` and ``replay`` backends keep it; ``openai`` sends it to its base URL, which stays on the machine
  only when it names a loopback address);
- operational overhead: operator hours per month the backend needs, as the YAML states per backend; lower
  better.

Normalisation (:func:`scale`): on each axis the compared runs are scaled to 0..1, higher always better:
score = (value − worst) / (best − worst), so the best run scores 1 and the worst 0; when every run has the
same value each scores 1. An axis on which any run has no figure (e.g. flag recall 0/0 when nothing was
wrong, cost of a model with no price, a backend the YAML does not describe) is left out of every run's
weighted score, and the scorecard says so. Weighted score = Σ weight × score ÷ Σ weight over the axes kept,
in 0..1. A run is marked worse on an axis when its value is the worst of the compared runs and another run's
is better; for the capability rates the mark says whether the two Wilson 95 % intervals overlap (then the
difference may be chance).

Total cost of ownership per year at ``pages_per_month`` (:func:`tco_per_year`), in USD:

- tokens: 12 × pages per month ÷ 1,000 × token USD per 1,000 pages;
- CPU: 12 × pages per month ÷ 1,000 × CPU-seconds per 1,000 pages ÷ 3,600 × ``cpu_usd_per_hour``;
- reviewers: 12 × pages per month × review items per page × ``reviewer_minutes_per_flagged_field`` ÷ 60 ×
  ``reviewer_usd_per_hour``, where review items per page = the distinct field paths with a warning or error
  finding per document (what verify sends to review; a document-level finding is one item), summed over the
  run's documents, ÷ its pages.

Operator hours are an axis, not part of the TCO.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from rich.markup import escape
from rich.table import Table

from schemas import ClausewiseError

DEFAULT_WEIGHTS = Path(__file__).with_name("weights.yaml")
"""The shipped weights, costs and backend statements."""


class WeightsError(ClausewiseError, ValueError):
    """A weights file that cannot be read or has a key or value of the wrong shape (the message names the
    file and the key)."""


@dataclass(frozen=True)
class Axis:
    """One scorecard axis: its key (as in the YAML's ``weights``), a display label, the group it belongs to
    and whether a higher value is better."""

    key: str
    label: str
    group: str
    higher_better: bool


AXES: tuple[Axis, ...] = (
    Axis("auto_accept_precision", "auto-accept precision", "capability", True),
    Axis("flag_recall", "flag recall", "capability", True),
    Axis("field_recall", "field recall", "capability", True),
    Axis("review_load", "review load (share of fields flagged)", "review load", False),
    Axis("latency", "latency (p50 model s/page)", "latency", False),
    Axis("cost", "cost per 1,000 pages (USD)", "cost", False),
    Axis("privacy", "privacy (text stays on the machine)", "privacy", True),
    Axis("overhead", "operational overhead (operator h/month)", "operational overhead", False),
)
"""The axes in scorecard order."""
_RATE_AXES = {"auto_accept_precision": "auto_accept_precision", "flag_recall": "flag_recall",
              "field_recall": "recall", "review_load": "fields_flagged"}
"""Axis -> the :class:`~pipeline.evaluation.trust.FieldSummary` rate it reads (overall)."""
ROUTING_SEVERITIES = ("warning", "error")


# ------------------------------------------------------------------------------------------ weights


@dataclass(frozen=True)
class BackendProfile:
    """What one backend costs to operate: operator hours per month and what they are spent on."""

    overhead_hours_per_month: float
    overhead: str = ""


@dataclass(frozen=True)
class Weights:
    """The scorecard's inputs (see ``weights.yaml``): axis weights, which findings count (``playbook`` or
    ``builtin``), pages per month, USD per CPU-hour, USD per reviewer hour, reviewer minutes per review item,
    the profile of each backend, and the files read (``source``)."""

    weights: dict[str, float]
    findings: str = "playbook"
    pages_per_month: float = 5000.0
    cpu_usd_per_hour: float = 0.0
    reviewer_usd_per_hour: float = 0.0
    reviewer_minutes_per_flagged_field: float = 0.0
    backends: dict[str, BackendProfile] = field(default_factory=dict)
    source: str = ""

    def with_pages_per_month(self, pages: float | None) -> Weights:
        """A copy with ``pages_per_month`` replaced (``None``: unchanged)."""
        return self if pages is None else replace(self, pages_per_month=float(pages))

    def to_dict(self) -> dict[str, Any]:
        """The inputs as plain values."""
        return {"weights": dict(self.weights), "findings": self.findings, "pages_per_month": self.pages_per_month,
                "cpu_usd_per_hour": self.cpu_usd_per_hour, "reviewer_usd_per_hour": self.reviewer_usd_per_hour,
                "reviewer_minutes_per_flagged_field": self.reviewer_minutes_per_flagged_field,
                "backends": {k: vars(v) for k, v in self.backends.items()}, "source": self.source}


_SECTIONS = {"weights", "findings", "volume", "costs", "backends"}
_COSTS = ("cpu_usd_per_hour", "reviewer_usd_per_hour", "reviewer_minutes_per_flagged_field")


def _number(path: Path, key: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise WeightsError(f"{path}: {key} must be a number, not {value!r}")
    if value < 0 or (positive and value == 0):
        raise WeightsError(f"{path}: {key} must be {'above' if positive else 'at least'} 0, not {value!r}")
    return float(value)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise WeightsError(f"{path}: cannot read the weights file ({exc.strerror or exc})") from None
    except yaml.YAMLError as exc:
        raise WeightsError(f"{path}: not YAML ({exc})") from None
    if not isinstance(data, dict):
        raise WeightsError(f"{path}: the file must be a mapping of {', '.join(sorted(_SECTIONS))}")
    unknown = set(data) - _SECTIONS
    if unknown:
        raise WeightsError(f"{path}: unknown keys {sorted(unknown)} (known: {', '.join(sorted(_SECTIONS))})")
    for name in ("weights", "volume", "costs", "backends"):
        if not isinstance(data.get(name, {}), dict):
            raise WeightsError(f"{path}: {name} must be a mapping")
    return data


def load_weights(user_file: Path | None = None, *, default: Path = DEFAULT_WEIGHTS) -> Weights:
    """The shipped weights (``default``) overridden key by key by ``user_file``: an axis weight, a cost, the
    volume, ``findings``, or one key of one backend at a time.

    Raises:
        WeightsError: a file is missing, is not YAML, names an unknown axis, section or key, or has a value
            that is not a number (or a negative one; pages per month must be above 0), or all weights are 0.
    """
    weights: dict[str, float] = {}
    findings = "playbook"
    volume: dict[str, float] = {}
    costs: dict[str, float] = {}
    backends: dict[str, dict[str, Any]] = {}
    sources = []
    known_axes = {a.key for a in AXES}
    for path in (default, user_file):
        if path is None:
            continue
        path = Path(path)
        sources.append(str(path))
        data = _read(path)
        for key, value in (data.get("weights") or {}).items():
            if key not in known_axes:
                raise WeightsError(f"{path}: weights.{key} is not an axis (axes: {', '.join(sorted(known_axes))})")
            weights[key] = _number(path, f"weights.{key}", value)
        if "findings" in data:
            if data["findings"] not in ("playbook", "builtin"):
                raise WeightsError(f"{path}: findings must be playbook or builtin, not {data['findings']!r}")
            findings = data["findings"]
        for key, value in (data.get("volume") or {}).items():
            if key != "pages_per_month":
                raise WeightsError(f"{path}: volume.{key} is not known (known: pages_per_month)")
            volume[key] = _number(path, "volume.pages_per_month", value, positive=True)
        for key, value in (data.get("costs") or {}).items():
            if key not in _COSTS:
                raise WeightsError(f"{path}: costs.{key} is not known (known: {', '.join(_COSTS)})")
            costs[key] = _number(path, f"costs.{key}", value)
        for name, raw in (data.get("backends") or {}).items():
            if not isinstance(raw, dict):
                raise WeightsError(f"{path}: backends.{name} must be a mapping")
            unknown = set(raw) - {"overhead_hours_per_month", "overhead"}
            if unknown:
                raise WeightsError(f"{path}: backends.{name} has unknown keys {sorted(unknown)}")
            entry = backends.setdefault(str(name), {})
            if "overhead_hours_per_month" in raw:
                entry["overhead_hours_per_month"] = _number(
                    path, f"backends.{name}.overhead_hours_per_month", raw["overhead_hours_per_month"])
            if "overhead" in raw:
                entry["overhead"] = str(raw["overhead"] or "")
    missing = [k for k in _COSTS if k not in costs] + (["volume.pages_per_month"] if not volume else [])
    if missing:
        raise WeightsError(f"{', '.join(sources)}: no value for {', '.join(missing)}")
    if not any(weights.values()):
        raise WeightsError(f"{', '.join(sources)}: every axis weight is 0")
    profiles = {}
    for name, entry in backends.items():
        if "overhead_hours_per_month" not in entry:
            raise WeightsError(f"{', '.join(sources)}: backends.{name} has no overhead_hours_per_month")
        profiles[name] = BackendProfile(entry["overhead_hours_per_month"], entry.get("overhead", ""))
    return Weights(weights={a.key: weights.get(a.key, 0.0) for a in AXES}, findings=findings,
                   pages_per_month=volume["pages_per_month"], backends=profiles, source=" + ".join(sources),
                   **costs)


# ------------------------------------------------------------------------------------------ one run


def text_leaves_machine(backend: str, base_url: str | None) -> bool:
    """Whether a backend sends the contract text off this machine: ``local`` and ``replay`` never;
    ``openai`` unless ``base_url`` names a loopback host (``localhost``, ``*.localhost``, 127.0.0.0/8,
    ``::1``); no base URL means the vendor's API. Any other backend name: assumed to send it."""
    if backend in ("local", "replay"):
        return False
    if not base_url:
        return True
    host = (urlsplit(base_url if "//" in base_url else f"//{base_url}").hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


def privacy_statement(backend: str, base_url: str | None) -> str:
    """One sentence on where the contract text of a run's backend goes."""
    if backend == "local":
        return "local: the model runs in this process; no contract text leaves the machine"
    if backend == "replay":
        return "replay: recorded answers read from disk; no contract text leaves the machine"
    if not text_leaves_machine(backend, base_url):
        return f"{backend}: the server at {base_url} is on this machine (loopback); no contract text leaves it"
    where = base_url or "the vendor's API (no base URL set)"
    return f"{backend}: every chunk of contract text is sent to {where}"


@dataclass(frozen=True)
class AxisValue:
    """A figure of one run on one axis: ``value`` (``None`` when the run has none), and for a rate its
    ``count`` of ``total`` and Wilson 95 % ``interval``."""

    value: float | None
    count: int | None = None
    total: int | None = None
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class RunFigures:
    """What the scorecard reads from one stored run: identity, where its text goes, the figure of each axis
    but overhead (``figures``), cost inputs per 1,000 pages, and review items per page."""

    id: str
    set_name: str
    backend: str
    model: str
    base_url: str | None
    created_at: str
    documents: tuple[str, ...]
    pages: int
    figures: dict[str, AxisValue]
    token_usd_per_1000_pages: float | None
    """USD of tokens per 1,000 pages; 0 for a local model; ``None`` when the model has no price."""
    cpu_seconds_per_1000_pages: float | None
    """CPU-seconds per 1,000 pages of a local model; 0 for a remote one; ``None`` when unknown."""
    review_items_per_page: float | None

    @property
    def label(self) -> str:
        """``<first 8 characters of the id> <backend>/<model>``."""
        return f"{self.id[:8]} {self.backend}/{self.model}"

    @property
    def leaves_machine(self) -> bool:
        """Whether its backend sends the contract text off the machine (:func:`text_leaves_machine`)."""
        return text_leaves_machine(self.backend, self.base_url)


COMPARE_KEYS = ("id", "set", "backend", "model", "settings", "summary", "speed", "cost", "documents")
"""Top-level keys of a run dict the scorecard reads."""


def missing_for_compare(run: Mapping[str, Any]) -> list[str]:
    """What :func:`run_figures` needs and ``run`` lacks (dotted paths); empty when it can be read."""
    missing = [k for k in COMPARE_KEYS if k not in run]
    for view in ("builtin", "playbook"):
        overall = ((run.get("summary") or {}).get(view) or {}).get("overall")
        if overall is None:
            missing.append(f"summary.{view}.overall")
            continue
        missing += [f"summary.{view}.overall.{k}" for k in _RATE_AXES.values() if k not in overall]
    missing += [f"speed.{k}" for k in ("pages", "seconds_per_page_p50") if k not in (run.get("speed") or {})]
    return missing


def _rate(raw: Mapping[str, Any] | None) -> AxisValue:
    raw = raw or {}
    iv = raw.get("interval")
    return AxisValue(raw.get("value"), raw.get("count"), raw.get("total"), tuple(iv) if iv else None)


def review_items(findings: Sequence[Mapping[str, Any]]) -> int:
    """The review items of one document: distinct field paths with a warning or error finding (a finding with
    no field path counts as the item ``document``)."""
    return len({f.get("field_path") or "document" for f in findings if f.get("severity") in ROUTING_SEVERITIES})


def run_figures(run: Mapping[str, Any], *, findings: str = "playbook") -> RunFigures:
    """The scorecard's reading of one run dict (``findings``: ``playbook`` or ``builtin``, which findings
    count for the rates and the review items).

    Raises:
        ValueError: ``run`` lacks what the scorecard needs (the message lists it).
    """
    missing = missing_for_compare(run)
    if missing:
        raise ValueError(f"run {run.get('id', '?')} lacks what the scorecard needs: {', '.join(missing)}")
    overall = run["summary"][findings]["overall"]
    settings = run.get("settings") or {}
    backend = str(settings.get("backend") or run["backend"])
    speed, cost = run["speed"], run["cost"] or {}
    pages = int(speed.get("pages") or 0)
    figures = {axis: _rate(overall.get(key)) for axis, key in _RATE_AXES.items()}
    figures["latency"] = AxisValue(speed.get("seconds_per_page_p50"))
    local = bool(cost.get("local"))
    token = cost.get("usd_per_1000_pages") if cost.get("priced") else None
    cpu = cost.get("cpu_seconds_per_1000_pages") if local else (0.0 if token is not None else None)
    key = "findings_playbook" if findings == "playbook" else "findings_builtin"
    items = sum(review_items(d.get(key) or []) for d in run["documents"])
    selection = run.get("selection") or {}
    names = selection.get("documents") or [d.get("name") for d in run["documents"]]
    return RunFigures(
        id=str(run["id"]), set_name=str(run["set"]), backend=backend, model=str(run["model"]),
        base_url=settings.get("openai_base_url") if backend == "openai" else None,
        created_at=str(run.get("created_at", "")), documents=tuple(names), pages=pages, figures=figures,
        token_usd_per_1000_pages=token, cpu_seconds_per_1000_pages=cpu,
        review_items_per_page=items / pages if pages else None,
    )


# ------------------------------------------------------------------------------------------ arithmetic


def compute_usd_per_1000_pages(run: RunFigures, cpu_usd_per_hour: float) -> float | None:
    """Token USD + CPU-seconds ÷ 3,600 × ``cpu_usd_per_hour``, per 1,000 pages; ``None`` when either is
    unknown."""
    if run.token_usd_per_1000_pages is None or run.cpu_seconds_per_1000_pages is None:
        return None
    return run.token_usd_per_1000_pages + run.cpu_seconds_per_1000_pages / 3600.0 * cpu_usd_per_hour


@dataclass(frozen=True)
class Tco:
    """Total cost of ownership per year in USD: tokens, CPU, reviewers (each ``None`` when unknown)."""

    tokens: float | None
    cpu: float | None
    reviewers: float | None

    @property
    def total(self) -> float | None:
        """The sum; ``None`` when a part is unknown."""
        parts = (self.tokens, self.cpu, self.reviewers)
        return None if any(p is None for p in parts) else sum(parts)  # type: ignore[arg-type]


def tco_per_year(run: RunFigures, weights: Weights) -> Tco:
    """The run's cost of ownership per year at ``weights.pages_per_month`` (formulas in the module doc)."""
    thousands = 12.0 * weights.pages_per_month / 1000.0
    tokens = None if run.token_usd_per_1000_pages is None else thousands * run.token_usd_per_1000_pages
    cpu = (None if run.cpu_seconds_per_1000_pages is None
           else thousands * run.cpu_seconds_per_1000_pages / 3600.0 * weights.cpu_usd_per_hour)
    reviewers = (None if run.review_items_per_page is None
                 else 12.0 * weights.pages_per_month * run.review_items_per_page
                 * weights.reviewer_minutes_per_flagged_field / 60.0 * weights.reviewer_usd_per_hour)
    return Tco(tokens, cpu, reviewers)


def scale(values: Sequence[float | None], higher_better: bool) -> list[float | None]:
    """Each value scaled to 0..1 across ``values``, higher better: (value − worst) / (best − worst); 1 for
    all when they are equal; ``None`` stays ``None`` (and is left out of best and worst)."""
    known = [v for v in values if v is not None]
    if not known:
        return [None for _ in values]
    lo, hi = min(known), max(known)
    if hi == lo:
        return [None if v is None else 1.0 for v in values]
    return [None if v is None else ((v - lo) if higher_better else (hi - v)) / (hi - lo) for v in values]


def axis_values(run: RunFigures, weights: Weights) -> dict[str, float | None]:
    """The value of each axis of :data:`AXES` for ``run`` (privacy 1/0; overhead ``None`` when the YAML does
    not describe the backend)."""
    profile = weights.backends.get(run.backend)
    return {
        **{axis: run.figures[axis].value for axis in _RATE_AXES},
        "latency": run.figures["latency"].value,
        "cost": compute_usd_per_1000_pages(run, weights.cpu_usd_per_hour),
        "privacy": 0.0 if run.leaves_machine else 1.0,
        "overhead": None if profile is None else profile.overhead_hours_per_month,
    }


@dataclass(frozen=True)
class AxisScore:
    """One run on one axis: its value, its 0..1 score, whether it is marked worse, and for a marked capability
    rate whether its Wilson interval overlaps the best run's (``None`` otherwise)."""

    value: float | None
    score: float | None
    worse: bool = False
    overlaps_best: bool | None = None


@dataclass(frozen=True)
class RunScore:
    """One run's line of the scorecard."""

    run: RunFigures
    axes: dict[str, AxisScore]
    weighted: float | None
    cost_per_1000_pages: float | None
    cost_per_month: float | None
    tco: Tco

    def to_dict(self) -> dict[str, Any]:
        """Plain values (the TCO with its ``total``)."""
        r = self.run
        return {"id": r.id, "label": r.label, "set": r.set_name, "backend": r.backend, "model": r.model,
                "pages": r.pages, "leaves_machine": r.leaves_machine,
                "privacy": privacy_statement(r.backend, r.base_url),
                "review_items_per_page": r.review_items_per_page,
                "axes": {k: vars(a) for k, a in self.axes.items()}, "weighted": self.weighted,
                "cost_per_1000_pages": self.cost_per_1000_pages, "cost_per_month": self.cost_per_month,
                "tco_per_year": {**vars(self.tco), "total": self.tco.total}}


@dataclass(frozen=True)
class Scorecard:
    """The comparison: one :class:`RunScore` per run (in the order given), the inputs, the axes left out of
    the weighted score with why, and notes (e.g. runs on different documents)."""

    runs: list[RunScore]
    weights: Weights
    left_out: dict[str, str]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """Plain values, JSON-serialisable."""
        return {"runs": [r.to_dict() for r in self.runs], "inputs": self.weights.to_dict(),
                "left_out": dict(self.left_out), "notes": list(self.notes),
                "axes": [vars(a) for a in AXES]}


def _overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool | None:
    if a is None or b is None:
        return None
    return a[0] <= b[1] and b[0] <= a[1]


def scorecard(runs: Sequence[RunFigures], weights: Weights) -> Scorecard:
    """Score ``runs`` against each other with ``weights`` (normalisation, marks and TCO in the module doc).

    Raises:
        ValueError: no run given.
    """
    if not runs:
        raise ValueError("no run to compare")
    values = [axis_values(r, weights) for r in runs]
    per_axis: dict[str, list[AxisScore]] = {}
    left_out: dict[str, str] = {}
    for axis in AXES:
        column = [v[axis.key] for v in values]
        unknown = [r.label for r, v in zip(runs, column) if v is None]
        if unknown:
            left_out[axis.key] = f"no {axis.label} for {', '.join(unknown)}"
        scores = scale(column, axis.higher_better)
        known = [v for v in column if v is not None]
        worst = (min(known) if axis.higher_better else max(known)) if known else None
        best_i = next((i for i, v in enumerate(column) if v is not None
                       and v == (max(known) if axis.higher_better else min(known))), None)
        spread = len(set(known)) > 1
        cells = []
        for i, (v, s) in enumerate(zip(column, scores)):
            worse = spread and v is not None and v == worst
            overlaps = None
            if worse and axis.key in _RATE_AXES and best_i is not None:
                overlaps = _overlap(runs[i].figures[axis.key].interval, runs[best_i].figures[axis.key].interval)
            cells.append(AxisScore(v, s, worse, overlaps))
        per_axis[axis.key] = cells
    kept = [a.key for a in AXES if a.key not in left_out and weights.weights.get(a.key, 0.0) > 0]
    total_weight = sum(weights.weights[k] for k in kept)
    notes = []
    if len({r.documents for r in runs}) > 1 or len({r.set_name for r in runs}) > 1:
        notes.append("the runs were not made on the same documents: their figures compare different contracts")
    out = []
    for i, r in enumerate(runs):
        axes = {k: cells[i] for k, cells in per_axis.items()}
        weighted = (sum(weights.weights[k] * axes[k].score for k in kept) / total_weight  # type: ignore[operator]
                    if total_weight else None)
        per_1000 = axes["cost"].value
        out.append(RunScore(r, axes, weighted, per_1000,
                            None if per_1000 is None else per_1000 * weights.pages_per_month / 1000.0,
                            tco_per_year(r, weights)))
    return Scorecard(out, weights, left_out, notes)


# ------------------------------------------------------------------------------------------ display


def _usd(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"${value:,.{digits}f}"


def _value_text(axis: Axis, run: RunFigures, value: float | None) -> str:
    if axis.key in _RATE_AXES:
        f = run.figures[axis.key]
        if f.value is None:
            return f"– ({f.count or 0}/{f.total or 0})"
        text = f"{f.value:.2f} ({f.count}/{f.total})"
        if axis.key == "auto_accept_precision" and f.interval:
            text += f" [{f.interval[0]:.2f}–{f.interval[1]:.2f}]"
        return text
    if value is None:
        return "–"
    if axis.key == "latency":
        return f"{value:.1f} s"
    if axis.key == "cost":
        return _usd(value, 4 if value < 1 else 2)
    if axis.key == "privacy":
        return "stays" if value else "leaves"
    return f"{value:g} h"


def scorecard_table(card: Scorecard) -> Table:
    """The scorecard as a rich table: one row per axis (value, score 0..1, a red mark where the run is worse
    than the others), then the weighted score, cost per month and the TCO per year with its parts."""
    w = card.weights
    table = Table(title=f"Backend scorecard at {w.pages_per_month:,.0f} pages a month (findings: {w.findings})")
    table.add_column("axis")
    table.add_column("weight", justify="right")
    for r in card.runs:
        table.add_column(escape(r.run.label), justify="right")
    for i, axis in enumerate(AXES):
        cells = []
        for r in card.runs:
            a = r.axes[axis.key]
            text = escape(_value_text(axis, r.run, a.value))
            if a.score is not None and axis.key not in card.left_out:
                text += f" → {a.score:.2f}"
            if a.worse:
                text += " [red]▼ worse[/red]" + (" [dim](intervals overlap)[/dim]" if a.overlaps_best else "")
            cells.append(text)
        name = f"{axis.group}: {axis.label}" if axis.group == "capability" else axis.label
        weight = f"{w.weights.get(axis.key, 0):g}" + (" (left out)" if axis.key in card.left_out else "")
        table.add_row(escape(name), weight, *cells, end_section=i == len(AXES) - 1)
    table.add_row("[b]weighted score (0..1)[/b]", "",
                  *[f"[b]{'–' if r.weighted is None else f'{r.weighted:.2f}'}[/b]" for r in card.runs])
    table.add_row("cost per month (tokens + CPU)", "", *[_usd(r.cost_per_month) for r in card.runs])
    table.add_row("[b]TCO per year[/b]", "", *[f"[b]{_usd(r.tco.total, 0)}[/b]" for r in card.runs])
    for part, name in (("tokens", "  tokens"), ("cpu", "  CPU"), ("reviewers", "  reviewers")):
        table.add_row(name, "", *[_usd(getattr(r.tco, part), 0) for r in card.runs])
    return table


def scorecard_notes(card: Scorecard) -> list[str]:
    """Plain-text lines under the table: the runs, where their text goes, the backends' overhead, the inputs,
    the normalisation, the axes left out and any caution."""
    w = card.weights
    lines = [f"run {r.run.label}: id {r.run.id}, set {r.run.set_name}, {len(r.run.documents)} documents, "
             f"{r.run.pages} pages, {r.run.created_at}" for r in card.runs]
    lines += [f"privacy: {s}" for s in dict.fromkeys(privacy_statement(r.run.backend, r.run.base_url)
                                                      for r in card.runs)]
    for backend in dict.fromkeys(r.run.backend for r in card.runs):
        p = w.backends.get(backend)
        lines.append(f"overhead: {backend}: " + (f"{p.overhead_hours_per_month:g} operator hours a month ({p.overhead})"
                                                 if p else "not stated in the weights file"))
    lines.append(f"inputs: CPU ${w.cpu_usd_per_hour:g}/CPU-hour; reviewer ${w.reviewer_usd_per_hour:g}/hour, "
                 f"{w.reviewer_minutes_per_flagged_field:g} minutes per review item; "
                 + "; ".join(f"review items per page {r.run.label.split()[0]} "
                             f"{'–' if r.run.review_items_per_page is None else f'{r.run.review_items_per_page:.2f}'}"
                             for r in card.runs) + f"; weights from {w.source}")
    lines.append("scores: each axis scaled 0..1 across these runs (best 1, worst 0, all equal 1); weighted score = "
                 "sum of weight x score / sum of weights over the axes kept; TCO = tokens + CPU + reviewer time "
                 "per year (operator hours are an axis, not in the TCO)")
    lines += [f"left out of the weighted score: {k}: {why}" for k, why in card.left_out.items()]
    lines += [f"caution: {n}" for n in card.notes]
    return lines
