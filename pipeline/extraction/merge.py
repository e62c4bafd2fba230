"""Deterministic merge of partial extractions (one per chunk) into one ContractExtraction, and the
reading of its values from their evidence spans.

Pure functions, no model and no database:

- :func:`merge_partials` merges the partials (:func:`pipeline.extraction.partial.chunk_to_partial`)
  in chunk order:

  * parties: one canonical party per entity. Two entries are the same entity when their
    normalized legal names match (case, punctuation, "Co."/"Company", "Corp."/"Corporation",
    "Inc.", "LLC" ... folded) or when one's name is a defined term, role, d/b/a name or former name
    of the other. A name carrying "d/b/a X", "(formerly known as Y)", "on behalf of itself and its
    Affiliates" or ", a Texas limited liability company" is cut there and the rest goes to
    attributes. Names are never split at "&" or "and". An entry that is only another party's d/b/a,
    former name, affiliate or alias, or a generic term ("Party", "Affiliate"), is not a party.
  * obligor / obligee / termination holder: resolved to the canonical legal name through every
    alias ("H&P", "the Supplier" → "Harbor & Pine Supply Co."); left as written when unknown.
  * single-valued fields: the first chunk's value stays; when later chunks state a different
    value, ``candidates[field]`` lists every distinct value (first one first) with its evidence.
  * list fields (fees, obligations, termination rights, key dates): concatenated, duplicates from
    chunk overlap and greedy repetition removed.

- :func:`recover_legal_names` replaces a party name that is only an alias by the legal name the
  text defines it for (used by the preamble reader, :mod:`pipeline.extraction.readers.preamble`).
- :func:`normalize_values` decides the day/month order once per document
  (:func:`rules.text.dates.decide_date_order` on the whole text and the governing law) and parses
  every date and duration from its evidence span into ``parsed`` (the model's value is kept in
  ``model_value`` when the text says otherwise: the rule engine judges); :func:`read_list_dates`
  reads the dates of key dates, obligation deadlines and fees, relative ones from the effective date.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from typing import Any

from pipeline.extraction.anchors import EFFECTIVE_TERM_RE, TERM_QUALIFIER_RE
from rules.text import ABBREVIATED_SUFFIXES, AFFILIATES, DBA, FORMER_NAME, NOT_A_PARTY_TERMS, name_key
from rules.text import core_key, decide_date_order, find_durations, fiscal_period_in, fold_quotes, parse_date
from rules.text import has_legal_form, is_role_or_title, parse_duration, short_form_definition
from schemas import ContractExtraction, DateClaim, Deadline, Duration, Party

# --- party names -------------------------------------------------------------------------

# the phrases are the grammar's (rules.text.names); these patterns say where each one ends in a name
_DBA = re.compile(rf"\s*,?\s*\b{DBA}\s+", re.I)
_FORMERLY = re.compile(rf"\s*[,(]?\s*\b{FORMER_NAME}\s+([^)]+?)\s*(?:\)|,|$)", re.I)
_AFFILIATES = re.compile(rf"\s*,?\s*{AFFILIATES}\b.*$", re.I)
_ENTITY_TAIL = re.compile(
    r",\s+(?:a|an)\s+(?P<desc>(?:[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*\s+)?"
    r"(?:limited liability company|corporation|company|limited partnership|partnership|public limited company|"
    r"banking corporation|trust|association|LLC|GmbH))\b.*$"
)


def clean_party(p: Party) -> Party:
    """Move a d/b/a name, a former name, "and its Affiliates" and an entity description written
    into ``name`` to their attributes; never splits at "&"/"and"."""
    name = fold_quotes(p.name).strip(" ,;")
    dba, former, affiliates_note = list(p.dba), list(p.former_names), False
    entity_type, jurisdiction = p.entity_type, p.jurisdiction
    m = _FORMERLY.search(name)
    if m:
        former.append(m.group(1).strip(" ,;\"'"))
        name = (name[: m.start()] + " " + name[m.end():]).strip(" ,;")
    m = _AFFILIATES.search(name)
    if m:
        affiliates_note = True
        name = name[: m.start()].strip(" ,;")
    m = _DBA.search(name)
    if m:
        rest = name[m.end():]
        name = name[: m.start()].strip(" ,;")
        t = _ENTITY_TAIL.search(rest)
        if t:
            entity_type = entity_type or t.group("desc")
            rest = rest[: t.start()]
        dba.append(rest.strip(" ,;\"'"))
    t = _ENTITY_TAIL.search(name)
    if t and t.start() > 0:
        entity_type = entity_type or t.group("desc")
        name = name[: t.start()].strip(" ,;")
    name = name.strip(" ,;\"'()")
    q = p.model_copy(deep=True)
    q.name = name or p.name
    q.dba = _uniq([d for d in dba if d and name_key(d) != name_key(q.name)])
    q.former_names = _uniq([f for f in former if f and name_key(f) != name_key(q.name)])
    q.entity_type, q.jurisdiction = entity_type, jurisdiction
    q.defined_terms = _uniq([fold_quotes(d).strip(" \"'") for d in p.defined_terms
                             if d and name_key(d) != name_key(q.name)])
    if affiliates_note and "Affiliates" not in q.affiliates and not q.affiliates:
        q.affiliates = ["Affiliates"]
    return q


def _uniq(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for i in items:
        k = name_key(i)
        if k and k not in seen:
            seen.add(k)
            out.append(i)
    return out


def _aliases(p: Party) -> set[str]:
    keys = {name_key(n) for n in [*p.defined_terms, *p.dba, *p.former_names]}
    if p.role:
        keys.add(name_key(p.role))
    return {k for k in keys if k}


def _same_entity(a: Party, b: Party) -> bool:
    if name_key(a.name) == name_key(b.name) or (core_key(a.name) and core_key(a.name) == core_key(b.name)):
        return True
    return name_key(b.name) in _aliases(a) or name_key(a.name) in _aliases(b)


def _absorb(into: Party, other: Party) -> None:
    into.role = into.role or other.role
    into.entity_type = into.entity_type or other.entity_type
    into.jurisdiction = into.jurisdiction or other.jurisdiction
    extra_terms = list(other.defined_terms)
    if name_key(other.name) != name_key(into.name) and name_key(other.name) not in {
        name_key(n) for n in [*into.dba, *into.former_names]
    } and core_key(other.name) != core_key(into.name):
        extra_terms.append(other.name)
    into.defined_terms = _uniq([*into.defined_terms, *extra_terms])
    into.dba = _uniq([*into.dba, *other.dba])
    into.former_names = _uniq([*into.former_names, *other.former_names])
    into.affiliates = _uniq([*into.affiliates, *other.affiliates])
    if into.evidence is None:
        into.evidence = other.evidence


def _is_alias_entry(p: Party, others: list[Party]) -> bool:
    """``p`` is only another party's alias, d/b/a, former name or named affiliate (not a party)."""
    k = name_key(p.name)
    for o in others:
        if o is p:
            continue
        if k in {name_key(n) for n in [*o.defined_terms, *o.dba, *o.former_names, *o.affiliates]} or (
            o.role and k == name_key(o.role)
        ):
            # An alias entry that is itself a full legal name of a different entity stays.
            if k == name_key(o.name):
                continue
            return True
    return False


def merge_parties(parties: Iterable[Party]) -> list[Party]:
    """One canonical party per entity, in order of first mention (see module doc)."""
    cleaned = [clean_party(p) for p in parties if name_key(p.name) not in NOT_A_PARTY_TERMS]
    canon: list[Party] = []
    for p in cleaned:
        for c in canon:
            if not _same_entity(c, p):
                continue
            pk, ck = name_key(p.name), name_key(c.name)
            if pk in _aliases(c):
                take_p = False  # p is named by an alias of c
            elif ck in _aliases(p):
                take_p = True  # c was named by an alias of p: p carries the legal name
            else:
                take_p = len(pk) > len(ck)  # same core name: keep the fuller one ("... Corp.")
            if take_p:
                old = c.name
                c.name = p.name
                p = p.model_copy(update={"name": old})
            _absorb(c, p)
            c.defined_terms = [d for d in c.defined_terms if name_key(d) != name_key(c.name)]
            break
        else:
            canon.append(p.model_copy(deep=True))
    # Entries that are another party's d/b/a, former name, affiliate or alias are not parties.
    return [p for p in canon if not _is_alias_entry(p, canon)]


def resolve_party(name: str | None, parties: list[Party]) -> str | None:
    """Canonical legal name for ``name`` (a legal name or any alias, "the Supplier", d/b/a, former
    name, role); ``name`` unchanged when no party matches; None stays None."""
    if not name:
        return name
    k = name_key(name)
    for p in parties:
        if k == name_key(p.name) or k in _aliases(p) or (core_key(name) and core_key(name) == core_key(p.name)):
            return p.name
    return name


def legal_name_for_alias(alias: str, text: str) -> str | None:
    """The legal name the contract defines ``alias`` for, e.g. "Shun Li De Commerce & Trading Ltd"
    for ``SLD`` in '... and Shun Li De Commerce & Trading Ltd, ("SLD")', or None: the
    ``legal_name`` of :func:`rules.text.party_names.short_form_definition` (the forms it reads:
    ``("SLD")``, ``(the "Supplier")``, ``(hereinafter referred to as "SLD")``, ``, hereinafter "SLD"``,
    ``"SLD" means ...``; a leading "the" of ``alias`` is dropped). Never cuts at a bare "&" or "and"
    inside the name."""
    d = short_form_definition(alias, text)
    return d.legal_name if d else None


def recover_legal_names(parties: list[Party], text: str) -> list[Party]:
    """Replace a party name that is a short form (the model answered "H&P", "SLD", "Acme" or "the
    Company" for the party) by the legal name the text defines it for (:func:`legal_name_for_alias`);
    the short form moves to ``defined_terms``. Every name without a legal form ("Inc.", "LLC", ...) and
    every role word ("Supplier") is looked up, whatever the model put in ``defined_terms`` or ``role``
    (the merge drops a defined term equal to the name). Parties that then name the same entity are
    merged again."""
    changed = False
    out = []
    for p in parties:
        q = p
        if not has_legal_form(p.name) or is_role_or_title(p.name):
            legal = legal_name_for_alias(p.name, text)
            if legal and name_key(legal) != name_key(p.name):
                q = p.model_copy(deep=True)
                q.name = legal
                alias = re.sub(r"^the\s+", "", " ".join(p.name.split()), flags=re.I)
                q.defined_terms = _uniq([alias, *p.defined_terms])
                changed = True
        out.append(q)
    return merge_parties(out) if changed else out


# --- merge ---------------------------------------------------------------------------------


def _claim_key(field: str, v: Any) -> Any:
    """What makes two values of a single-valued field "the same"."""
    if v is None:
        return None
    if field == "governing_law":
        return name_key(v.jurisdiction or v.raw_text or "")
    if field == "payment_terms":
        return (v.days, v.day_type)
    if field == "liability_cap":
        return (v.amount.amount if v.amount else None, name_key(v.formula or ""))
    val = getattr(v, "value", None)
    if isinstance(val, Duration):
        return (val.value, val.unit)
    if val is not None:
        return val
    return name_key(getattr(v, "raw_text", None) or "")


def _text_key(s: str | None) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", fold_quotes(s or "").lower()).split())


def _list_key(kind: str, item: Any) -> Any:
    if kind == "obligations":
        d = item.deadline
        return (name_key(item.obligor or ""), _text_key(item.action),
                (d.date, d.duration.value if d and d.duration else None) if d else None)
    if kind == "fees":
        return (_text_key(item.description), item.amount.amount if item.amount else None, item.due_date)
    if kind == "termination_rights":
        return (item.kind, name_key(item.holder or ""), (item.notice.value, item.notice.unit) if item.notice else None,
                item.fee.amount if item.fee else None)
    return (_text_key(item.label), item.value, _text_key(item.raw_text))


def merge_partials(partials: list[ContractExtraction]) -> ContractExtraction:
    """Merge partial extractions (in chunk order) into one; see the module doc for the rules.

    Returns a new ContractExtraction with ``chunk_ids`` the union of the partials' and
    ``candidates[field]`` (JSON dicts of each distinct claim, first one first) for every
    single-valued field stated differently by different chunks.
    """
    out = ContractExtraction()
    out.parties = merge_parties(p for x in partials for p in x.parties)
    for field in ContractExtraction.SINGLE_VALUED:
        seen: list[Any] = []
        keys: list[Any] = []
        for x in partials:
            v = getattr(x, field)
            if v is None:
                continue
            k = _claim_key(field, v)
            if k not in keys:
                keys.append(k)
                seen.append(v)
        if seen:
            setattr(out, field, seen[0].model_copy(deep=True))
        if len(seen) > 1:
            out.candidates[field] = [v.model_dump(mode="json") for v in seen]
    for kind in ("fees", "obligations", "termination_rights", "key_dates"):
        items: list[Any] = []
        keys = set()
        for x in partials:
            for it in getattr(x, kind):
                k = _list_key(kind, it)
                if k in keys:
                    continue
                keys.add(k)
                items.append(it.model_copy(deep=True))
        setattr(out, kind, items)
    for o in out.obligations:
        o.obligor = resolve_party(o.obligor, out.parties)
        o.obligee = resolve_party(o.obligee, out.parties)
    for t in out.termination_rights:
        t.holder = resolve_party(t.holder, out.parties)
    out.chunk_ids = sorted({c for x in partials for c in x.chunk_ids})
    out.chunk_failures = [f for x in partials for f in x.chunk_failures]
    return out


# --- normalization -----------------------------------------------------------------------

DATE_FIELDS = ("agreement_date", "effective_date", "expiration_date")
DURATION_FIELDS = ("initial_term", "renewal_term", "renewal_notice", "confidentiality_survival")


def _parse_date_claim(c: DateClaim, order: str | None, anchor: dt.date | None = None) -> None:
    src = c.raw_text or (c.evidence.span if c.evidence else None)
    if not src:
        return
    r = parse_date(src, order=order, anchor=anchor)
    c.parsed = r.value
    c.alternatives = [a for a in (r.alternatives or []) if a != r.value]
    c.ambiguous_order = bool(r.ambiguous)
    if c.value is None and r.value is not None and not c.computed:
        c.value = r.value
        c.note = ((c.note + "; ") if c.note else "") + "model gave no ISO date; value parsed from its span"
    elif r.value is not None and not r.ambiguous and c.value != r.value and not c.computed:
        c.model_value, c.value = c.value, r.value
        c.note = ((c.note + "; ") if c.note else "") + (
            f"value read by code from the cited text {src!r}; the model gave {c.model_value.isoformat()}")


def _text_date(raw: str | None, model: dt.date | None, order: str | None,
               anchor: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """(value, model_value) of a date in a list item (key date, fee due date): the date code reads
    from ``raw`` (its span) when it reads one unambiguously, else ``None``; ``model_value`` is the
    model's date when it differs from that, else ``None``."""

    if not raw:
        return None, model
    r = parse_date(raw, order=order, anchor=anchor if _EFFECTIVE_ANCHOR.search(raw) else None)
    if r.value is None or r.ambiguous or r.kind == "recurring":
        return None, model
    return r.value, (model if model != r.value else None)


#: A relative date counts from the effective date only when its text names it ("90 days after the
#: Effective Date"); "the 12th business day before expiry" has another anchor.
_EFFECTIVE_ANCHOR = re.compile(
    r"\bthe\s+(?:" + TERM_QUALIFIER_RE + r"\s+)?" + EFFECTIVE_TERM_RE + r"\b"
    r"(?!\s+of\s+(?!this\s+(?:agreement|contract)\b))"
    r"|\bdate\s+(?:of\s+this\s+agreement|hereof)\b", re.I)
#: A quarter named as a point in time: "the third fiscal quarter", "the next calendar quarter", "each quarter".
_NAMED_QUARTER = re.compile(r"\b(?:first|second|third|fourth|1st|2nd|3rd|4th|last|next|current|following|preceding|"
                            r"each|every|such)\s+(?:fiscal\s+|calendar\s+)?quarter\b", re.I)
#: A deadline with two limits ("..., and in any event within 90 days after ...", "... or June 30, 2021,
#: whichever is earlier", "but not before ...") has no single date code can read.
_TWO_LIMITS = re.compile(r"\bwhichever\b|\bin\s+any\s+event\b|\bbut\s+not\s+(?:before|after|later|earlier)\b|"
                         r"\bthe\s+(?:earlier|later)\s+of\b", re.I)


def read_list_dates(x: ContractExtraction) -> None:
    """Read the dates of list items from their spans, in place: key dates, obligation deadlines
    (:func:`_read_deadline`), fee due dates. Relative dates count from the effective date; call again
    when the effective date changes (the effective-date reader does). Uses ``x.date_order``.

    A key date whose span states no date the code can read keeps the model's date in
    ``model_value`` only: a date is taken from the cited text, never from the model's answer alone.
    """
    order = x.date_order
    eff = x.effective_date
    start = (eff.parsed or eff.value) if eff is not None else None
    for k in x.key_dates:
        model = k.model_value or k.value
        k.value, k.model_value = _text_date(k.raw_text or (k.evidence.span if k.evidence else None),
                                            model, order, start)
    for o in x.obligations:
        if o.deadline is not None:
            _read_deadline(o.deadline, order, start)
    for fee in x.fees:
        if fee.due_date is not None:
            read, _ = _text_date(fee.raw_text, fee.due_date, order, start)
            fee.due_date = read or fee.due_date  # a table row's span is often the amount, its date beside it


def _read_deadline(dl: Deadline, order: str | None, start: dt.date | None) -> None:
    """Read an obligation's deadline from its span (``dl.raw_text``), in place:

    - a fixed date written there ("no later than the fifteenth day of April, 2021") is the deadline's
      date, with ``inclusive`` from "on or before" / "no later than" / "by";
    - a date relative to the effective date ("within ninety (90) days after the Effective Date") is
      computed from ``start`` (the effective date), never from today; "the effective date of
      termination" or "the Rent Commencement Date" are other anchors and give no date;
    - a recurring day ("on the 1st of each month") sets ``day_of_month`` and clears date and duration;
    - a span with no date code can read, or with two limits ("whichever is earlier", "in any event"),
      leaves no date: a model's date is not taken on trust;
    - a duration written there replaces the model's number and unit ("two (2) calendar quarters" is 6
      months, :func:`rules.text.find_durations`); when the span writes a fixed date and no duration, a
      duration the model gave is not in the text (it read "fifteenth day" as 15 days) and is dropped; so is
      one for a span that names a quarter or a fiscal period and writes no duration ("the last day of the
      third fiscal quarter of 2024" is a point in time, not 3 months), and no date is read from a fiscal
      period (its calendar is the party's: rule D007 tells the reviewer).
    """

    raw = dl.raw_text
    if not raw:
        return
    r = parse_date(raw, order=order, anchor=start if _EFFECTIVE_ANCHOR.search(raw) else None)
    durs = [d for d in find_durations(raw) if d.value is not None]
    if r.kind == "recurring":  # "on the 1st of each month"; "within 10 Business Days, excluding Sundays" keeps its period
        within = [d for d in durs if re.search(r"\bwithin\s+$", raw[max(0, d.start - 10):d.start], re.I)]
        dl.day_of_month, dl.date = r.day_of_month, None
        dl.duration = within[0].value if within else None
        return
    if _TWO_LIMITS.search(raw) or len(durs) > 1:
        dl.date = None  # two limits: which one binds is for a reviewer, not for a guess
    elif r.value is not None and not r.ambiguous:
        dl.date = r.value
        if r.inclusive is not None:
            dl.inclusive = r.inclusive
    else:
        dl.date = None  # the span states no date code can read: the model's date is not taken on trust
    if len(durs) == 1:
        dl.duration = durs[0].value
    elif r.kind == "absolute" and r.value is not None and not durs:
        dl.duration = None
    elif not durs and (fiscal_period_in(raw) or _NAMED_QUARTER.search(raw)):
        dl.duration = None


def normalize_values(x: ContractExtraction, text: str) -> ContractExtraction:
    """Read the values of ``x`` from their evidence spans, in place: decide the day/month order once
    for the document (:func:`rules.text.dates.decide_date_order` on ``text`` and the governing law,
    stored in ``x.date_order``), parse every date and duration from its span into ``parsed`` (the
    text's reading becomes ``value`` and the model's moves to ``model_value`` when they differ), read
    the dates of list items (:func:`read_list_dates`) and of the date candidates. Parties and values
    found by the field readers are not touched (:mod:`pipeline.extraction.readers`). Mutates and
    returns ``x``. ``text`` is the whole document text (``documents.text``)."""

    law = x.governing_law.jurisdiction if x.governing_law else None
    order = decide_date_order(text, law)
    x.date_order = order
    for f in DATE_FIELDS:  # expiration last: "one year after the Effective Date" is anchored on it
        c = getattr(x, f)
        if c is not None:
            eff = x.effective_date
            anchor = (eff.parsed or eff.value) if (f == "expiration_date" and eff is not None) else None
            _parse_date_claim(c, order, anchor)
    for f in DURATION_FIELDS:
        c = getattr(x, f)
        if c is None:
            continue
        src = c.raw_text or (c.evidence.span if c.evidence else None)
        if src:
            c.parsed = parse_duration(src)
        if c.value is None and c.parsed is not None:
            c.value = c.parsed
            c.note = ((c.note + "; ") if c.note else "") + "model gave no number/unit; value parsed from its span"
        elif c.parsed is not None and not c.computed and c.value.canonical() != c.parsed.canonical():
            c.model_value, c.value = c.value, c.parsed
            c.note = ((c.note + "; ") if c.note else "") + (
                f"value read by code from the cited text {src!r}; the model gave {c.model_value}")
    read_list_dates(x)
    for cands_field in DATE_FIELDS:
        for cand in x.candidates.get(cands_field, []):
            c = DateClaim.model_validate(cand)
            _parse_date_claim(c, order)
            cand.update(c.model_dump(mode="json"))
    _drop_valueless_candidates(x)
    return x


def _drop_valueless_candidates(x: ContractExtraction) -> None:
    """A date candidate with no value once read (the model gave no date, and none could be read from its
    span, e.g. "the date first written above") states no value: it is dropped from
    ``x.candidates`` (so it conflicts with nothing), and when the chosen claim is such a one, the first
    candidate with a value is chosen instead. Candidate lists left with fewer than two distinct values go."""
    for f in DATE_FIELDS:
        cands = x.candidates.get(f)
        if not cands:
            continue
        valued = [c for c in cands if c.get("value") is not None]
        chosen = getattr(x, f)
        if chosen is not None and chosen.value is None and valued:
            setattr(x, f, DateClaim.model_validate(valued[0]))
        distinct = {json.dumps(c["value"], sort_keys=True, default=str) for c in valued}
        if len(distinct) > 1:
            x.candidates[f] = valued
        else:
            del x.candidates[f]
