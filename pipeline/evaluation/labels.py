"""Labelled contracts: a document file and the right value of each field it labels, from three sources.

Scored fields use the extraction's names (:data:`SCORED_FIELDS`); a set scores the subset it labels, and
:data:`FIELD_LABELS` keeps each set's display label per field (CUAD's column names for CUAD).

The gold value of one field is a :class:`Gold`, in a form common to every set:

- :class:`GoldParties`: party names; ``complete`` when the label lists every party (the samples, a gold
  file: the extraction must name the same parties), else each labelled name must be matched (CUAD, whose
  labels carry typos and sentences);
- :class:`GoldDate`: a calendar date with unknown parts (CUAD's ``[]/[]/2000``), or ``perpetual`` (no
  expiration date);
- :class:`GoldDurations`: one or more accepted durations (CUAD's ``180 days / 6 months``);
- :class:`GoldJurisdiction`: the governing law's state or country;
- :class:`GoldPaymentDays`: the days allowed for payment;
- :class:`Absent`: labelled as not stated (the right extraction is none);
- :class:`Unlabelled`: no right value known (the set does not label it, or labels it in a form that cannot be
  compared), so the field is not scored.

Loaders return :class:`LabelledDocument` lists: :func:`cuad_set` (CUAD v1's ``master_clauses.csv`` and a
folder of its PDFs or TXTs), :func:`samples_set` (``samples/*.pdf`` with ``*.expected.json``) and
:func:`gold_set` (an organisation's own labels, the format below). :func:`select` picks the documents to run.

Gold file format (``clausewise eval gold FILE.jsonl``): UTF-8, one JSON object per line (blank lines are
skipped), one line per contract::

    {"path": "contracts/acme-msa.pdf", "fields": {
        "parties": ["Acme Corp.", "Beta LLC"], "agreement_date": "2024-02-12",
        "effective_date": "2024-03-01", "expiration_date": "2027-03-01", "initial_term": "3 years",
        "renewal_term": {"value": 1, "unit": "years"}, "renewal_notice": ["60 days", "2 months"],
        "confidentiality_survival": "5 years", "governing_law": "New York", "payment_terms": 45}}

- ``path``: the contract file (PDF or text), relative to the gold file's folder or absolute. Optional:
  ``name`` (shown in reports; default the file name) and ``pages`` (default: counted for a PDF).
- ``fields``: any of :data:`SCORED_FIELDS`; a field left out is not scored, a field set to ``null`` (or
  ``[]`` for parties) is labelled "not stated", so a value the extraction gives there counts as invented.
- ``parties``: the legal names of all parties (strings, or objects with a ``name``); the extraction is right
  when it names the same parties, compared by :func:`rules.text.name_key` ("Acme, Inc." = "ACME Inc").
- dates: ISO 8601 ``YYYY-MM-DD``; ``YYYY-MM`` or ``YYYY`` when a part is unknown; ``"perpetual"`` for an
  expiration date the contract does not have (the extraction is right when it gives none).
- durations (``initial_term``, ``renewal_term``, ``renewal_notice``, ``confidentiality_survival``): text as a
  contract writes it (``"3 years"``, ``"sixty (60) days"``, ``"10 business days"``), an object
  ``{"value": 3, "unit": "years"}`` (units: days, business_days, weeks, months, years), or a list of them,
  any of which is right. Equivalent durations agree (1 year = 12 months, 2 weeks = 14 days; business days
  never equal calendar days).
- ``governing_law``: the state or country; right when one of the extraction's jurisdiction and the label
  contains the other, ignoring case, "the", "State of", "Commonwealth of", "Province of", "laws".
- ``payment_terms``: days allowed for payment, a number or ``{"days": 45}``.

A line that is not such an object raises :class:`LabelError` (a ``ValueError``) naming the file and line; a ``path`` that does
not exist raises :class:`FileNotFoundError`.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import json
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from rules import DATE_FIELDS, DURATION_FIELDS
from rules.text import find_durations, is_blank_date
from schemas import ClausewiseError, Duration, DurationUnit


class LabelError(ClausewiseError, ValueError):
    """A labelled set that cannot be read: a gold file line, an ``*.expected.json`` value or a CUAD answer of
    the wrong shape. The message names the file and line where it has them."""

SCORED_FIELDS: tuple[str, ...] = (
    "parties", "agreement_date", "effective_date", "expiration_date", "initial_term", "renewal_term",
    "renewal_notice", "confidentiality_survival", "governing_law", "payment_terms",
)
"""The fields an evaluation scores, by the extraction's names, in display order."""


_GENERIC_LABELS = {
    "parties": "Parties", "agreement_date": "Agreement Date", "effective_date": "Effective Date",
    "expiration_date": "Expiration Date", "initial_term": "Initial Term", "renewal_term": "Renewal Term",
    "renewal_notice": "Renewal Notice", "confidentiality_survival": "Confidentiality Survival",
    "governing_law": "Governing Law", "payment_terms": "Payment Terms",
}
_CUAD_COLUMNS = {
    "parties": "Parties", "agreement_date": "Agreement Date", "effective_date": "Effective Date",
    "expiration_date": "Expiration Date", "renewal_term": "Renewal Term",
    "renewal_notice": "Notice Period to Terminate Renewal", "governing_law": "Governing Law",
}

FIELD_LABELS: dict[str, dict[str, str]] = {
    "cuad": dict(_CUAD_COLUMNS),
    "samples": dict(_GENERIC_LABELS),
    "gold": dict(_GENERIC_LABELS),
}
"""Set name → field → display label, for the fields the set scores, in display order. CUAD's are its
``master_clauses.csv`` column names (seven fields; its "Notice Period to Terminate Renewal" is
``renewal_notice``)."""


# ---------------------------------------------------------------------------------------------- gold values


@dataclass(frozen=True)
class Gold:
    """The gold value of one field. ``label`` is the answer as the set writes it (``""`` when it gives none).
    Use a subclass; this base is what every gold value shares."""

    label: str = field(default="", kw_only=True)

    @property
    def answered(self) -> bool:
        """The set gives an answer for the field (a value, or one that cannot be compared)."""
        return True

    @property
    def text(self) -> str:
        """The gold value for a report: the label as written, else a description."""
        return self.label

    def to_dict(self) -> dict[str, Any]:
        """JSON form: ``{"kind": ..., "label": ..., "text": ...}`` and the subclass's fields."""
        out: dict[str, Any] = {"kind": _KINDS[type(self)], "label": self.label, "text": self.text}
        for name in self.__dataclass_fields__:
            if name != "label":
                out[name] = _json_value(getattr(self, name))
        return out


@dataclass(frozen=True)
class Absent(Gold):
    """Labelled as not stated: the right extraction is none, and a value there is invented."""

    @property
    def answered(self) -> bool:
        return False

    @property
    def text(self) -> str:
        return "(not stated)"


@dataclass(frozen=True)
class Unlabelled(Gold):
    """No right value known: the set marks the field present but gives no comparable answer (a CUAD clause
    with an empty answer, a "perpetual" renewal term), so the field is not scored. ``reason`` says which."""

    reason: str = ""

    @property
    def answered(self) -> bool:
        return bool(self.label.strip())

    @property
    def text(self) -> str:
        return self.label or f"(not labelled: {self.reason})"


@dataclass(frozen=True)
class GoldParties(Gold):
    """Party names. ``complete``: the names are every party, and the extraction must name the same ones
    (compared by :func:`rules.text.name_key`); otherwise each name must be matched by an extracted party's
    name with token F1 ≥ 0.6 (CUAD's labels, with typos and sentences), extra extracted parties allowed."""

    names: tuple[str, ...] = ()
    complete: bool = True

    @property
    def text(self) -> str:
        return self.label or "; ".join(self.names)


@dataclass(frozen=True)
class GoldDate(Gold):
    """A calendar date with unknown parts: ``month`` and ``day`` or ``None`` when unknown, ``year`` the digits
    known from the left (``"2000"``, ``"19"`` for CUAD's ``19[]``, ``None`` when unknown). ``perpetual``: the
    contract has no expiration date (right when the extraction gives none)."""

    year: str | None = None
    month: int | None = None
    day: int | None = None
    perpetual: bool = False
    #: The labelled clause is a date form left blank in the contract ("this ___ day of _______, 2004", which
    #: CUAD labels ``[]/[]/2004``; :func:`rules.text.is_blank_date`): the contract states no calendar date
    #: there, so no date is the right answer.
    blank: bool = False

    @property
    def text(self) -> str:
        if self.label:
            return self.label
        if self.perpetual:
            return "perpetual"
        year = (self.year or "").ljust(4, "?")
        month = "??" if self.month is None else f"{self.month:02d}"
        day = "??" if self.day is None else f"{self.day:02d}"
        return f"{year}-{month}-{day}"


@dataclass(frozen=True)
class GoldDurations(Gold):
    """One or more accepted durations; an extracted duration is right when it equals one of them after
    :meth:`schemas.Duration.canonical` (1 year = 12 months; business days stay apart from days)."""

    accepted: tuple[Duration, ...] = ()

    @property
    def text(self) -> str:
        return self.label or " / ".join(str(d) for d in self.accepted)


@dataclass(frozen=True)
class GoldJurisdiction(Gold):
    """The governing law's state or country, e.g. ``"New York"``, ``"England and Wales"``."""

    name: str = ""

    @property
    def text(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class GoldPaymentDays(Gold):
    """Days allowed for payment, e.g. 45 for "within forty-five (45) days after receipt of invoice"."""

    days: int = 0

    @property
    def text(self) -> str:
        return self.label or f"{self.days} days"


_KINDS: dict[type, str] = {
    Gold: "gold", Absent: "absent", Unlabelled: "unlabelled", GoldParties: "parties", GoldDate: "date",
    GoldDurations: "durations", GoldJurisdiction: "jurisdiction", GoldPaymentDays: "payment_days",
}


def _json_value(v: Any) -> Any:
    if isinstance(v, Duration):
        return {"value": v.value, "unit": v.unit.value}
    if isinstance(v, tuple):
        return [_json_value(x) for x in v]
    return v


@dataclass(frozen=True)
class LabelledDocument:
    """A contract file and its gold values. ``pages`` and ``bytes`` are ``None`` when unknown (a text file has
    no pages); ``gold`` maps a field of :data:`SCORED_FIELDS` to its gold value, for the fields the set labels."""

    path: Path
    name: str
    pages: int | None
    bytes: int | None
    gold: dict[str, Gold]

    def to_dict(self) -> dict[str, Any]:
        """JSON form: path (as a string), name, pages, bytes and each field's :meth:`Gold.to_dict`."""
        return {"path": str(self.path), "name": self.name, "pages": self.pages, "bytes": self.bytes,
                "gold": {f: g.to_dict() for f, g in self.gold.items()}}


# ---------------------------------------------------------------------------------------------- CUAD


_CUAD_DATE = re.compile(r"(\d{1,2}|\[\])/(\d{1,2}|\[\])/([0-9\[\]]{2,6})")
_NOT_A_NAME = re.compile(r"\b(?:individually|collectively|referred to)\b")


def _context_given(context: str) -> bool:
    """A CUAD context cell (a Python literal list of clause strings) holds at least one clause."""
    s = (context or "").strip()
    try:
        parsed = ast.literal_eval(s) if s else []
    except (ValueError, SyntaxError):
        return s not in ("", "[]")
    return bool(parsed)


def _cuad_party_names(answer: str) -> list[str]:
    """Entity names of a CUAD ``Parties-Answer``: ``;``-separated, aliases in parentheses and blanks (``[]``,
    ``[ * * * ]``) dropped, sentences about the parties ("Each of the foregoing parties ...", "(the
    "Parties" ... referred to collectively)") and the parties' quoted aliases listed together ("Company and
    AGI (each a "Party")" where "Company" and "AGI" are aliases in the answer) skipped."""
    names = []
    aliases = {a.lower() for a in re.findall(r"[\"“]([^\"“”]{1,60})[\"”]", answer)}
    for part in answer.split(";"):
        part = part.strip().lstrip("(")
        name = re.sub(r"\([^()]*\)|\[[^\]]*\]", "", part).strip(" ,.\n\"'")
        lowered = name.lower()
        if lowered.startswith(("each of", "the ")) or _NOT_A_NAME.search(lowered):
            continue
        pieces = [w.strip() for w in re.split(r",|&|\band\b", lowered) if w.strip()]
        if pieces and all(w in aliases for w in pieces):
            continue  # "Company and AGI (each a "Party")": the parties' aliases, not a party
        if name and re.search(r"[A-Za-z]", name):
            names.append(name)
    return names


def _cuad_date(answer: str) -> GoldDate | None:
    """CUAD's ``m/d/yyyy`` without zero padding, ``[]`` for an unknown part (``[]/[]/200[]``); of two dates
    joined by ``;`` the first. ``None`` when the answer is no such date."""
    m = _CUAD_DATE.fullmatch(answer.split(";")[0].strip())
    if not m:
        return None

    def part(s: str) -> int | None:
        return int(s) if s.isdigit() else None

    year = m.group(3).split("[")[0] or None
    return GoldDate(year, part(m.group(1)), part(m.group(2)), label=answer.strip())


def _cuad_field(fld: str, answer: str, context: str) -> Gold:
    a = (answer or "").strip()
    if not a:
        if _context_given(context):
            return Unlabelled(reason="the clause is marked but its answer is empty")
        return Absent()
    if fld == "parties":
        names = _cuad_party_names(a)
        if not names:
            return Unlabelled(reason="no party name in the answer", label=a)
        return GoldParties(tuple(names), complete=False, label=a)
    if fld in DATE_FIELDS:
        if a.lower() == "perpetual":
            return GoldDate(perpetual=True, label=a)
        got = _cuad_date(a)
        if got is not None and is_blank_date(context):
            return replace(got, blank=True)
        return got or Unlabelled(reason="not a m/d/yyyy date", label=a)
    if fld in DURATION_FIELDS:
        if "perpetual" in a.lower():
            return Unlabelled(reason="perpetual: no duration to compare", label=a)
        found = tuple(f.value for f in find_durations(a) if f.value is not None)
        return GoldDurations(found, label=a) if found else Unlabelled(reason="no duration in the answer", label=a)
    if fld == "governing_law":
        return GoldJurisdiction(a, label=a)
    raise LabelError(f"CUAD labels no field {fld!r}")


def cuad_gold(row: Mapping[str, str]) -> dict[str, Gold]:
    """The gold values of one ``master_clauses.csv`` row (columns ``<Category>`` = context, a Python literal
    list of clauses, and ``<Category>-Answer``) for the seven fields of ``FIELD_LABELS["cuad"]``.

    Follows CUAD's conventions (``../shared/corpus/cuad/NOTES.md``): an empty answer with an empty context
    is labelled absent; an empty answer whose context holds a clause is "present but not normalizable",
    i.e. :class:`Unlabelled`; as are a "perpetual" renewal term or notice and an answer with no date,
    duration or party name in it."""
    return {f: _cuad_field(f, row.get(f"{col}-Answer", ""), row.get(col, "")) for f, col in _CUAD_COLUMNS.items()}


def _file_key(name: str) -> str:
    """A CUAD file name compared across ``Filename``, PDF and TXT: extension dropped, lower case, ``&`` and
    ``'`` as ``_``, trailing dots, spaces, dashes and underscores dropped (``MOELIS&CO_...PDF`` =
    ``MOELIS_CO_....pdf``, ``... INC..PDF`` = ``... INC.txt``)."""
    stem = re.sub(r"\.(?:pdf|txt)$", "", name.strip(), flags=re.I)
    return re.sub(r"[&']", "_", stem.lower()).rstrip(" ._-")


def _pdf_pages(path: Path) -> int | None:
    if path.suffix.lower() != ".pdf":
        return None
    from pipeline.reading import RenderError, page_count

    try:
        return page_count(path)
    except RenderError:
        return None


def _doc_files(docs: Path) -> list[Path]:
    if docs.is_file():
        return [docs]
    return sorted(p for p in docs.rglob("*") if p.suffix.lower() in (".pdf", ".txt") and p.is_file())


def _prefer_pdf(paths: Iterable[Path]) -> Path | None:
    ordered = sorted(paths, key=lambda p: (p.suffix.lower() != ".pdf", str(p)))
    return ordered[0] if ordered else None


def cuad_set(labels_csv: Path, docs: Path) -> list[LabelledDocument]:
    """The CUAD contracts of ``labels_csv`` (CUAD v1's ``master_clauses.csv``, or a file of its shape) whose
    file is under ``docs`` (searched recursively for ``.pdf`` and ``.txt``; any subset), in the order of the
    CSV rows. A row whose file is not there is left out; with both a PDF and a TXT of one contract, the PDF.

    Rows are joined to files through ``manifest.csv`` when it sits beside the labels (its PDF and TXT paths;
    pages and bytes of the PDF from it), else, and for rows the manifest lacks, by file name after
    normalisation (``&``/``'`` written ``_``, trailing ``.``, space or ``-`` dropped; a unique file whose name
    starts with the row's, for names the release truncated). Pages of a PDF the manifest does not give are
    counted (PyMuPDF); a TXT has ``pages=None``. Gold values: :func:`cuad_gold`."""
    labels_csv, docs = Path(labels_csv), Path(docs)
    with labels_csv.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    files = _doc_files(docs)
    by_name: dict[str, list[Path]] = {}
    by_key: dict[str, list[Path]] = {}
    for p in files:
        by_name.setdefault(p.name, []).append(p)
        by_key.setdefault(_file_key(p.name), []).append(p)
    manifest: dict[str, dict[str, str]] = {}
    manifest_csv = labels_csv.with_name("manifest.csv")
    if manifest_csv.is_file():
        with manifest_csv.open(encoding="utf-8", newline="") as fh:
            manifest = {r["master_clauses_filename"]: r for r in csv.DictReader(fh)}

    out = []
    for row in rows:
        filename = row.get("Filename", "")
        found: Path | None = None
        pages: int | None = None
        size: int | None = None
        m = manifest.get(filename)
        if m is not None:
            candidates = []
            for col in ("pdf_file", "txt_file"):
                rel = (m.get(col) or "").strip()
                if rel:
                    hits = by_name.get(Path(rel).name, [])
                    candidates += [h for h in hits if str(h).endswith(rel)] or hits
            found = _prefer_pdf(candidates)
            if found is not None and found.name == Path(m.get("pdf_file") or "").name:
                pages = int(m["pdf_pages"]) if (m.get("pdf_pages") or "").strip() else None
                size = int(m["pdf_bytes"]) if (m.get("pdf_bytes") or "").strip() else None
        if found is None:
            key = _file_key(filename)
            candidates = by_key.get(key, [])
            if not candidates and key:
                longer = [k for k in by_key if k.startswith(key)]
                if len(longer) == 1:
                    candidates = by_key[longer[0]]
            found = _prefer_pdf(candidates)
        if found is None:
            continue
        if pages is None:
            pages = _pdf_pages(found)
        if size is None:
            size = found.stat().st_size
        out.append(LabelledDocument(found, found.name, pages, size, cuad_gold(row)))
    return out


# ---------------------------------------------------------------------------------------------- samples, gold file


_DATE_PARTS = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def _gold_date(raw: Any) -> GoldDate:
    if isinstance(raw, dt.date):
        return GoldDate(str(raw.year), raw.month, raw.day, label=raw.isoformat())
    if not isinstance(raw, str):
        raise LabelError(f"a date is ISO 8601 text, not {raw!r}")
    s = raw.strip()
    if s.lower() == "perpetual":
        return GoldDate(perpetual=True, label=s)
    m = _DATE_PARTS.fullmatch(s)
    if not m:
        raise LabelError(f"not an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY): {raw!r}")
    year, month, day = m.group(1), m.group(2), m.group(3)
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise LabelError(f"not a calendar date: {raw!r}") from exc
    return GoldDate(year, int(month) if month else None, int(day) if day else None, label=s)


def _one_duration(raw: Any) -> Duration:
    if isinstance(raw, Mapping):
        unit = str(raw.get("unit", "")).strip().lower().replace(" ", "_")
        try:
            return Duration(value=float(raw["value"]), unit=DurationUnit(unit))
        except (KeyError, TypeError, ValueError) as exc:
            units = ", ".join(u.value for u in DurationUnit)
            raise LabelError(f"a duration object is {{\"value\": number, \"unit\": one of {units}}}, "
                             f"not {raw!r}") from exc
    if isinstance(raw, str):
        found = [f.value for f in find_durations(raw) if f.value is not None]
        if len(found) != 1:
            raise LabelError(f"not one duration: {raw!r}")
        return found[0]
    raise LabelError(f"a duration is text or {{\"value\", \"unit\"}}, not {raw!r}")


def _label_text(raw: Any) -> str:
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)


def gold_value(fld: str, raw: Any) -> Gold:
    """The gold value of ``fld`` from its JSON form in a gold file or an ``*.expected.json`` (see the module
    docstring for the forms each field takes). ``None`` (and ``[]`` for parties) is :class:`Absent`.
    Raises :class:`LabelError` on an unknown field or a value of the wrong shape."""
    if fld not in SCORED_FIELDS:
        raise LabelError(f"unknown field {fld!r}; fields: {', '.join(SCORED_FIELDS)}")
    if raw is None:
        return Absent()
    label = _label_text(raw)
    if fld == "parties":
        if not isinstance(raw, list):
            raise LabelError(f"parties is a list of names, not {raw!r}")
        names = []
        for p in raw:
            name = p.get("name") if isinstance(p, Mapping) else p
            if not isinstance(name, str) or not name.strip():
                raise LabelError(f"a party is a name or an object with a \"name\", not {p!r}")
            names.append(name.strip())
        if not names:
            return Absent()
        return GoldParties(tuple(names), complete=True, label="; ".join(names))
    if fld in DATE_FIELDS:
        return _gold_date(raw)
    if fld in DURATION_FIELDS:
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            return Absent()
        accepted = tuple(_one_duration(d) for d in items)
        return GoldDurations(accepted, label=" / ".join(str(d) for d in accepted))
    if fld == "governing_law":
        if not isinstance(raw, str) or not raw.strip():
            raise LabelError(f"governing_law is a state or country name, not {raw!r}")
        return GoldJurisdiction(raw.strip(), label=raw.strip())
    days = raw.get("days") if isinstance(raw, Mapping) else raw
    if days is None:
        return Absent()
    if isinstance(days, bool) or not isinstance(days, (int, float)) or days < 0 or days != int(days):
        raise LabelError(f"payment_terms is a whole number of days or {{\"days\": n}}, not {raw!r}")
    return GoldPaymentDays(int(days), label=label if isinstance(raw, str) else f"{int(days)} days")


def samples_gold(expected: Mapping[str, Any]) -> dict[str, Gold]:
    """The gold values of one ``samples/*.expected.json`` (its shape is described in ``samples/README.md``):
    every field of :data:`SCORED_FIELDS`; ``null`` is labelled absent."""
    return {f: gold_value(f, expected.get(f)) for f in SCORED_FIELDS}


def samples_set(folder: Path) -> list[LabelledDocument]:
    """The samples: each ``*.expected.json`` in ``folder`` (sorted by name) with the PDF its ``file`` names
    beside it; pages from its ``page_count``. Raises :class:`FileNotFoundError` when a PDF is missing."""
    out = []
    for exp in sorted(Path(folder).glob("*.expected.json")):
        want = json.loads(exp.read_text(encoding="utf-8"))
        path = exp.parent / want["file"]
        if not path.is_file():
            raise FileNotFoundError(f"{exp}: {path} does not exist")
        pages = want.get("page_count")
        out.append(LabelledDocument(path, path.name, int(pages) if pages is not None else _pdf_pages(path),
                                    path.stat().st_size, samples_gold(want)))
    return out


def gold_set(jsonl: Path) -> list[LabelledDocument]:
    """An organisation's labelled contracts from a gold file (format: the module docstring), in file order.
    Raises :class:`LabelError` (file and line named) on a malformed line and :class:`FileNotFoundError`
    when a ``path`` does not exist."""
    jsonl = Path(jsonl)
    out = []
    for n, line in enumerate(jsonl.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{jsonl}, line {n}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or not isinstance(obj.get("path"), str) or not isinstance(obj.get("fields"), dict):
            raise LabelError(f"{where}: expected an object with \"path\" (text) and \"fields\" (an object)")
        unknown = set(obj) - {"path", "name", "pages", "fields"}
        if unknown:
            raise LabelError(f"{where}: unknown keys {sorted(unknown)}")
        path = Path(obj["path"])
        path = path if path.is_absolute() else jsonl.parent / path
        if not path.is_file():
            raise FileNotFoundError(f"{where}: {path} does not exist")
        try:
            gold = {f: gold_value(f, v) for f, v in obj["fields"].items()}
        except ValueError as exc:
            raise LabelError(f"{where}: {exc}") from exc
        pages = obj.get("pages")
        if pages is not None and (isinstance(pages, bool) or not isinstance(pages, int) or pages < 0):
            raise LabelError(f"{where}: pages is a whole number, not {pages!r}")
        ordered = {f: gold[f] for f in SCORED_FIELDS if f in gold}
        out.append(LabelledDocument(path, str(obj.get("name") or path.name),
                                    pages if pages is not None else _pdf_pages(path), path.stat().st_size, ordered))
    return out


# ---------------------------------------------------------------------------------------------- selection


Selection = Literal["fewest-pages", "random", "as-listed"]
SELECTIONS: tuple[str, ...] = ("fewest-pages", "random", "as-listed")
"""The ways :func:`select` picks documents."""

FEWEST_PAGES_MAX = 6
"""Page limit of the ``fewest-pages`` selection when none is given (``scripts/eval_cuad.py``'s set: short
contracts, so that 10 of them take minutes of CPU model time)."""


def _answered(d: LabelledDocument, fld: str) -> bool:
    g = d.gold.get(fld)
    return g is not None and g.answered


def select(docs: Sequence[LabelledDocument], *, limit: int | None = None, max_pages: int | None = None,
           how: Selection | str = "fewest-pages", seed: int = 0) -> list[LabelledDocument]:
    """The documents to run, at most ``limit`` (all when ``None``).

    - ``fewest-pages``: documents with an answer for the governing law and for the agreement or effective
      date, of at most ``max_pages`` pages (default :data:`FEWEST_PAGES_MAX`), ordered by pages, bytes and
      path; on CUAD this picks the contracts of ``scripts/eval_cuad.py``.
    - ``random``: ``random.Random(seed).sample`` of the documents within ``max_pages``.
    - ``as-listed``: the documents within ``max_pages`` in the given order.

    With a page limit, a document of unknown page count (a text file) is left out. Raises
    :class:`ValueError` on another ``how`` or a negative ``limit``."""
    if how not in SELECTIONS:
        raise ValueError(f"unknown selection {how!r}; one of {', '.join(SELECTIONS)}")
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be 0 or more, not {limit}")
    cap = FEWEST_PAGES_MAX if how == "fewest-pages" and max_pages is None else max_pages
    pool = [d for d in docs if cap is None or (d.pages is not None and d.pages <= cap)]
    if how == "fewest-pages":
        pool = [d for d in pool if _answered(d, "governing_law")
                and (_answered(d, "effective_date") or _answered(d, "agreement_date"))]
        pool.sort(key=lambda d: (d.pages, d.bytes or 0, str(d.path)))
    elif how == "random":
        return random.Random(seed).sample(pool, len(pool) if limit is None else min(limit, len(pool)))
    return pool if limit is None else pool[:limit]
