"""Prices of model calls and the cost of reading 1,000 pages.

The shipped table is ``prices.yaml`` beside this module (:data:`DEFAULT_PRICES`); a user file
(``clausewise eval --prices FILE``) of the same shape overrides or adds entries::

    models:
      gpt-4o-mini:                 # the model id as the backend names it
        input: 0.15                # USD per million input (prompt) tokens
        output: 0.60               # USD per million output (generated) tokens
        source: "where the figures come from"
      my-model:
        local: true                # runs on this machine: no token price

A local model costs $0 per token; its cost is compute time, reported as CPU-seconds per 1,000 pages:
model seconds × CPU threads of the local backend (``Settings.n_threads``), an upper bound of the CPU time
(llama.cpp keeps its threads busy for the whole call). A model run by the ``local`` backend counts as
local even when the table does not name it. Money in US dollars, tokens as the backend counts them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from schemas import ClausewiseError

DEFAULT_PRICES = Path(__file__).with_name("prices.yaml")
"""The shipped price table."""


class PriceTableError(ClausewiseError, ValueError):
    """A price file that cannot be read or has an entry of the wrong shape (the message names the file and
    the model)."""


@dataclass(frozen=True)
class Price:
    """The price of one model: USD per million input and output tokens; ``local`` for a model that runs on
    this machine (both prices 0)."""

    model: str
    input_usd_per_mtok: float = 0.0
    output_usd_per_mtok: float = 0.0
    local: bool = False
    source: str = ""


def _entry(model: str, raw: Any, path: Path) -> Price:
    if not isinstance(raw, dict):
        raise PriceTableError(f"{path}: the entry of {model!r} is not a mapping")
    unknown = set(raw) - {"input", "output", "local", "source"}
    if unknown:
        raise PriceTableError(f"{path}: the entry of {model!r} has unknown keys {sorted(unknown)}")
    local = bool(raw.get("local", False))
    try:
        price_in = float(raw.get("input", 0.0) or 0.0)
        price_out = float(raw.get("output", 0.0) or 0.0)
    except (TypeError, ValueError):
        raise PriceTableError(f"{path}: the prices of {model!r} are not numbers") from None
    if price_in < 0 or price_out < 0:
        raise PriceTableError(f"{path}: the prices of {model!r} are negative")
    if not local and "input" not in raw and "output" not in raw:
        raise PriceTableError(f"{path}: {model!r} has neither input/output prices nor local: true")
    return Price(model, price_in, price_out, local, str(raw.get("source", "")))


def load_prices(user_file: Path | None = None, *, default: Path = DEFAULT_PRICES) -> dict[str, Price]:
    """``{model id: Price}`` from the shipped table, overridden entry by entry by ``user_file``.

    Raises:
        PriceTableError: a file is missing, is not YAML, or has an entry of the wrong shape.
    """
    table: dict[str, Price] = {}
    for path in (default, user_file):
        if path is None:
            continue
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise PriceTableError(f"{path}: cannot read the price file ({exc.strerror or exc})") from None
        except yaml.YAMLError as exc:
            raise PriceTableError(f"{path}: not YAML ({exc})") from None
        models = data.get("models") if isinstance(data, dict) else None
        if not isinstance(models, dict):
            raise PriceTableError(f"{path}: expected a mapping `models:` of model id to prices")
        for model, raw in models.items():
            table[str(model)] = _entry(str(model), raw, path)
    return table


def price_of(model: str, table: dict[str, Price]) -> Price | None:
    """The entry for ``model`` (exact id first, then ignoring case), or ``None`` when the table has none."""
    if model in table:
        return table[model]
    folded = {k.casefold(): v for k, v in table.items()}
    return folded.get(model.casefold())


def cost_per_1000_pages(model: str, table: dict[str, Price], *, backend: str, pages: int, input_tokens: int,
                        output_tokens: int, model_seconds: float, n_threads: int) -> dict[str, Any]:
    """What reading 1,000 pages costs at the measured tokens and seconds per page.

    Returns ``{"model", "priced", "local", "usd_per_1000_pages", "cpu_seconds_per_1000_pages",
    "model_seconds_per_1000_pages", "price", "note"}``: ``usd_per_1000_pages`` is ``None`` when the table
    has no price for a remote model (``priced`` false, the note says how to add one); for a local model it is
    0.0 and ``cpu_seconds_per_1000_pages`` is model seconds × ``n_threads``. With no pages every per-page
    figure is ``None``.
    """
    price = price_of(model, table)
    local = backend == "local" or (price is not None and price.local)
    if price is None and local:
        price = Price(model, local=True, source="run by the local backend")
    per = (1000.0 / pages) if pages else None
    usd = None
    if price is not None and per is not None:
        usd = 0.0 if local else (input_tokens * price.input_usd_per_mtok
                                 + output_tokens * price.output_usd_per_mtok) / 1e6 * per
    note = ""
    if price is None:
        note = f"no price for {model!r}: add it to a price file and pass --prices FILE"
    elif local:
        note = f"local model: $0 per token; CPU-seconds = model seconds x {n_threads} threads"
    return {
        "model": model,
        "priced": price is not None,
        "local": local,
        "usd_per_1000_pages": usd,
        "cpu_seconds_per_1000_pages": model_seconds * n_threads * per if (local and per is not None) else None,
        "model_seconds_per_1000_pages": model_seconds * per if per is not None else None,
        "price": asdict(price) if price is not None else None,
        "note": note,
    }
