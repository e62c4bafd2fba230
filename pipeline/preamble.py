"""What a contract's preamble says about each party, read by code (issue 4, item 4; failcases F22, F24).

A small model names the parties but often drops what follows the name: the defined terms in the
parenthesis (``("H&P" or the "Supplier")``), a d/b/a name, a former name, the entity description
(``, a Washington corporation``) and "on behalf of itself and its Affiliates". These follow the
legal name in a few fixed drafting forms, so code reads them from the text after the name's first
occurrence, up to the first parenthesis holding a quoted term (or the next party's name):

- ``<name> d/b/a <dba>`` (also "doing business as", "trading as") → ``dba``;
- ``<name> (formerly known as <former>)`` (also "formerly", "f/k/a") → ``former_names``;
- ``<name>, a <Jurisdiction> <entity type>`` → ``jurisdiction`` and ``entity_type`` (the text's reading
  replaces the model's);
- ``("H&P" or the "Supplier")`` → every quoted term joins ``defined_terms`` (not "Party"/"Parties");
- ``on behalf of itself and its Affiliates`` → the affiliates the contract names in its "Affiliate"
  definition (``including X and Y``) join ``affiliates``; they never become parties.

Nothing is removed: what the model gave stays, code adds what the text states.
"""

from __future__ import annotations

import re

from schemas import Party

_ENTITY_TYPES = (
    "limited liability company", "limited liability partnership", "limited partnership", "public limited company",
    "private limited company", "corporation", "company", "partnership", "limited company", "trust", "GmbH",
)
_ENTITY = re.compile(
    r",\s+an?\s+(?P<juris>[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*){0,3})\s+(?P<etype>"
    + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in _ENTITY_TYPES) + r")\b",
)
_DBA = re.compile(r"^\s*,?\s*(?:d/b/a|d\.b\.a\.?|doing\s+business\s+as|trading\s+as|t/a)\s+(?P<dba>[A-Z][^,(\n]*(?:\n[^,(\n]+)?)",
                  re.I)
_FORMER = re.compile(r"\(\s*(?:formerly\s+known\s+as|formerly|f/k/a|previously\s+known\s+as)\s+(?P<former>[^)]+)\)", re.I)
_QUOTED_PAREN = re.compile(r"\([^()]*[\"“][^()]*\)")
_QUOTED = re.compile(r"[\"“]([^\"”]{1,40})[\"”]")
_FOR_AFFILIATES = re.compile(r"\bon\s+behalf\s+of\s+itself\s+and\s+(?:its|their)\s+affiliates\b", re.I)
_AFFILIATE_DEF = re.compile(r"[\"“]Affiliates?[\"”]\s+(?:means|shall\s+mean)[^.]*?\bincluding\s+(?P<names>[^.;]+)", re.I)
_NAME_END = re.compile(r"\b(?:LLC|L\.L\.C\.|Inc\.?|Corp\.?|Corporation|Ltd\.?|Limited|LLP|LP|plc|GmbH|Co\.)$")
_GENERIC = {"party", "parties", "affiliate", "affiliates", "agreement", "this agreement"}


def _flat(s: str) -> str:
    return " ".join(s.split())


def _find_name(name: str, text: str) -> re.Match | None:
    pat = r"\s+".join(re.escape(w) for w in name.split())
    return re.search(pat, text, re.I) if pat else None


def _named_affiliates(text: str) -> list[str]:
    m = _AFFILIATE_DEF.search(text)
    if not m:
        return []
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+(?=[A-Z])", _flat(m["names"]))
    return [p.strip() for p in parts if _NAME_END.search(p.strip())]


def enrich_parties(parties: list[Party], text: str) -> list[Party]:
    """Copies of ``parties`` with what the text states right after each legal name added (see the
    module docstring). ``text`` is the document text; a party whose name is not in it is unchanged.
    Raises nothing."""
    found = {id(p): _find_name(p.name, text) for p in parties}
    starts = sorted(m.start() for m in found.values() if m)
    out = []
    for p in parties:
        m = found[id(p)]
        if m is None:
            out.append(p)
            continue
        q = p.model_copy(deep=True)
        nxt = next((s for s in starts if s > m.start()), len(text))
        window = text[m.end():min(nxt, m.end() + 300)]
        paren = _QUOTED_PAREN.search(window)
        head = window[: paren.end()] if paren else window
        d = _DBA.match(head)
        if d:
            dba = _flat(d["dba"]).strip(" ,")
            if dba and dba.lower() not in {x.lower() for x in q.dba}:
                q.dba.append(dba)
        f = _FORMER.search(head)
        if f:
            former = _flat(f["former"]).strip(" ,")
            if former.lower() not in {x.lower() for x in q.former_names}:
                q.former_names.append(former)
        e = _ENTITY.search(head)
        if e:
            q.jurisdiction, q.entity_type = _flat(e["juris"]), _flat(e["etype"]).lower()
        if paren:
            for term in _QUOTED.findall(paren.group(0)):
                term = _flat(term)
                if term.lower() not in _GENERIC and term.lower() not in {t.lower() for t in q.defined_terms}:
                    q.defined_terms.append(term)
        if _FOR_AFFILIATES.search(head):
            for a in _named_affiliates(text):
                if a.lower() not in {x.lower() for x in q.affiliates}:
                    q.affiliates.append(a)
        out.append(q)
    return out


_SUBJECT = re.compile(
    r"(?:^|(?<=[.;:]\s)|(?<=\n))\s*(?:\(?[0-9]+(?:\.[0-9]+)*\)?\s+)?(?:the\s+|each\s+)?"
    r"(?P<subj>[A-Z][\w&'.\-]*(?:\s+[A-Z][\w&'.\-]*){0,5})\s+(?:shall|must|will|agrees\s+to|undertakes\s+to)\b",
)


def obligor_in(sentence: str, parties: list[Party]) -> str | None:
    """The party that is the subject of the first "X shall / must / will / agrees to" in ``sentence``
    ("H&P shall ship ..." → "Harbor & Pine Supply Co." when "H&P" is a defined term of that party),
    as its legal name; ``None`` when the subject is no party (F22: obligors resolved to legal names)."""
    from pipeline.merge import resolve_party

    for m in _SUBJECT.finditer(sentence or ""):
        name = resolve_party(m["subj"], parties)
        if name in {p.name for p in parties}:
            return name
    return None
