"""What a contract's preamble says about each party, read by code, and the parties named by their legal names.

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

Nothing is removed from a party: what the model gave stays, code adds what the text states (the reader
drops only what the text shows to be another party's: a term defined for another legal name).

The reader (:data:`READER`, :func:`read_parties`) runs first: it replaces a party name that is a short
form by the legal name the text defines for it, completes a name cut at a line or page end, splits a
name holding two names, drops a person named only as a signatory, adds what the preamble states, merges
parties that then name the same entity, and resolves every obligor, obligee and termination holder to a
legal name (an obligation without an obligor gets the party named before the duty verb, :func:`obligor_in`).
"""

from __future__ import annotations

import re

from pipeline.extraction.merge import merge_parties, recover_legal_names, resolve_party
from pipeline.extraction.readers.base import DocumentContext, Located, Reader
from rules.text import (
    ABBREVIATED_SUFFIXES,
    DBA,
    ENTITY_SUFFIX,
    FORMER_NAME,
    NOT_A_PARTY_TERMS,
    ON_BEHALF_OF_AFFILIATES,
    PRONOUN_AND_DOCUMENT_TERMS,
    ShortFormDefinition,
    core_key,
    defined_short_forms,
    find_normalized,
    has_legal_form,
    is_document_title,
    is_person_name,
    is_role_or_title,
    is_signatory_only,
    longer_names,
    merged_names,
    name_key,
    occurs_in,
    short_form_definition,
    split_is_certain,
    stands_alone,
)
from schemas import ContractExtraction, Party

_ENTITY_TYPES = (
    "limited liability company", "limited liability partnership", "limited partnership", "public limited company",
    "private limited company", "corporation", "company", "partnership", "limited company", "trust", "GmbH",
)
_ENTITY = re.compile(
    r",\s+an?\s+(?P<juris>[A-Z][A-Za-z.]*(?:\s+[A-Z][A-Za-z.]*){0,3}?)\s+(?P<etype>(?i:"
    + "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in _ENTITY_TYPES) + r"))\b",
)
# the d/b/a name ends at a comma, a parenthesis, a line end, or words that start the next part of the preamble
_DBA = re.compile(rf"^\s*,?\s*\(?{DBA}\s+"
                  r"(?P<dba>[A-Z0-9][^,()\n]*?)(?=\s*(?:[,()\n]|\band\b|\bwith\b|\bwhose\b|\bhaving\b|\blocated\b|"
                  r"\bof\s+\d|$))", re.I)
_FORMER = re.compile(rf"[(,]\s*{FORMER_NAME}\s+"
                     r"(?P<former>[^),]+?(?:,\s*" + ENTITY_SUFFIX + r")?)\s*(?=[),]|$)", re.I)
_QUOTED_PAREN = re.compile(r"\([^()]*[\"“‘][^()]*\)")
_QUOTED = re.compile(r"[\"“‘]([^\"”’]{1,40})[\"”’]")
_FOR_AFFILIATES = re.compile(rf"\b{ON_BEHALF_OF_AFFILIATES}\b", re.I)
# the list after "including": ends at a sentence end (". " + a capitalised word + a lower-case word), ";" or a line end
_AFFILIATE_DEF = re.compile(r"[\"“]Affiliates?[\"”]\s+(?:means|shall\s+mean)[^;]*?\bincluding(?:,?\s+without\s+limitation,?)?\s+"
                            r"(?P<names>.+?)(?=\.\s*(?:\n|$)|(?-i:\.\s+[A-Z][a-z]+\s+[a-z])|;|\n\s*\n|$)", re.I | re.S)
_NAME_END = re.compile(ENTITY_SUFFIX + r"$")
_LIST_SPLIT = re.compile(r",(?!\s*" + ENTITY_SUFFIX + r"(?:\W|$))\s*(?:and\s+)?|\s+and\s+(?=[A-Z])")
_ABBREVIATED_END = re.compile(rf"\b(?:{'|'.join(ABBREVIATED_SUFFIXES)})$")
_GENERIC = NOT_A_PARTY_TERMS | PRONOUN_AND_DOCUMENT_TERMS


def _flat(s: str) -> str:
    return " ".join(s.split())


def _find_name(name: str, text: str) -> re.Match | None:
    pat = r"\s+".join(re.escape(w) for w in name.split())
    return re.search(pat, text, re.I) if pat else None


def _find_all(name: str, text: str) -> list[re.Match]:
    pat = r"\s+".join(re.escape(w) for w in name.split())
    return list(re.finditer(pat, text, re.I)) if pat else []


def _named_affiliates(text: str) -> list[str]:
    m = _AFFILIATE_DEF.search(text)
    if not m:
        return []
    names = _flat(m["names"])
    if text[m.end("names"):m.end("names") + 1] == "." and _ABBREVIATED_END.search(names):
        names += "."  # the sentence's full stop is also the abbreviation's ("... and Acme Canada Inc.")
    parts = _LIST_SPLIT.split(names)
    return [p.strip(" ,") for p in parts if _NAME_END.search(p.strip(" ,"))]


def _same_name(a: str, b: str) -> bool:
    """Two spellings of one legal name: equal :func:`rules.text.names.core_key` once apostrophes are
    dropped ("Stremick's Heritage Foods, LLC" = "Stremicks Heritage Foods LLC")."""
    def key(n: str) -> str:
        return core_key(re.sub(r"['’]", "", n))
    return bool(key(a)) and key(a) == key(b)


def _definitions(text: str) -> dict[str, ShortFormDefinition]:
    """The first definition of each quoted term of ``text`` that names a legal name
    (:func:`rules.text.party_names.defined_short_forms`), by :func:`rules.text.names.name_key` of the term."""
    out: dict[str, ShortFormDefinition] = {}
    for d in defined_short_forms(text):
        k = name_key(d.term)
        if d.legal_name and k not in out:
            out[k] = d
    return out


def _defined_for_another(term: str, name: str, defs: dict[str, ShortFormDefinition]) -> bool:
    """The text defines ``term`` for a legal name other than ``name``."""
    d = defs.get(name_key(term))
    return d is not None and d.legal_name is not None and not _same_name(d.legal_name, name)


def drop_misattributed_terms(parties: list[Party], text: str) -> list[Party]:
    """Copies of ``parties`` without the defined terms that name another party: a term the text defines
    for another legal name, or another party's name (or the legal name its short form stands for). A
    model answer listing the other party's names among a party's terms ("XIMAGE", "XIMAGE corporation"
    as terms of SAGEM S.A.) would otherwise make the merge join the two parties."""
    def names_of(p: Party) -> list[str]:
        out = [p.name]
        if not has_legal_form(p.name) or is_role_or_title(p.name):
            d = short_form_definition(p.name, text)
            if d is not None and d.legal_name:
                out.append(d.legal_name)
        return out

    names = {id(p): names_of(p) for p in parties}
    out = []
    for p in parties:
        own = names[id(p)]
        others = [n for q in parties if q is not p for n in names[id(q)] if not any(_same_name(n, o) for o in own)]
        keep = []
        for t in p.defined_terms:
            if any(_same_name(t, n) for n in others):
                continue
            d = short_form_definition(t, text) if name_key(t) != name_key(p.name) else None
            if d is None or d.legal_name is None or any(_same_name(d.legal_name, n) for n in own):
                keep.append(t)
        out.append(p if len(keep) == len(p.defined_terms) else p.model_copy(update={"defined_terms": keep}, deep=True))
    return out


def add_defined_terms(parties: list[Party], text: str) -> list[Party]:
    """``parties`` with every quoted term the text defines for a party's legal name added to its
    ``defined_terms`` (``Stremicks Heritage Foods, LLC ("Heritage")`` → "Heritage"), wherever the
    definition stands (:func:`rules.text.party_names.defined_short_forms`); "Party", "Agreement" and
    document titles are not terms of a party. Mutates and returns the list."""
    for d in defined_short_forms(text):
        if not d.legal_name or d.term.lower() in _GENERIC or is_document_title(d.term):
            continue
        for p in parties:
            if _same_name(d.legal_name, p.name) and name_key(d.term) != name_key(p.name):
                if name_key(d.term) not in {name_key(t) for t in p.defined_terms}:
                    p.defined_terms.append(d.term)
                break
    return parties


def enrich_parties(parties: list[Party], text: str) -> list[Party]:
    """Copies of ``parties`` with what the text states right after each legal name added (see the
    module docstring). ``text`` is the document text; a party whose name is not in it is unchanged.
    Raises nothing."""
    found = {id(p): _find_name(p.name, text) for p in parties}
    defs = _definitions(text)
    out = []
    for p in parties:
        m = found[id(p)]
        if m is None:
            out.append(p)
            continue
        q = p.model_copy(deep=True)
        # the window ends where any other party's legal name occurs next (its own later mentions included)
        others = [o for o in parties if o is not p and o.name]
        nxt = min([om.start() for o in others for om in _find_all(o.name, text) if om.start() > m.start()] + [len(text)])
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
                term = _flat(term).strip(" ,;")
                if term.lower() not in _GENERIC and term.lower() not in {t.lower() for t in q.defined_terms} \
                        and not is_document_title(term) and not _defined_for_another(term, q.name, defs):
                    q.defined_terms.append(term)
        if _FOR_AFFILIATES.search(head):
            for a in _named_affiliates(text):
                if a.lower() not in {x.lower() for x in q.affiliates}:
                    q.affiliates.append(a)
        out.append(q)
    return out


_DUTY_VERB = r"\s*,?\s+(?:hereby\s+)?(?:shall|must|will|agrees?\s+to|undertakes?\s+to)\b"


def obligor_in(sentence: str, parties: list[Party]) -> str | None:
    """The party named right before the first "shall / must / will / agrees to" in ``sentence``, as its
    legal name: "H&P shall ship ..." → "Harbor & Pine Supply Co." when "H&P" is a defined term of that
    party; "Upon termination, the Distributor shall ..." and "Quill and Ember Retail, LLC shall pay" work
    too (any of a party's names: legal name, defined terms, d/b/a, former names; case-insensitive).
    ``None`` when no party's name stands before a duty verb."""
    best: tuple[int, str] | None = None
    for p in parties:
        for n in [*p.all_names(), *([p.role] if p.role else [])]:
            words = n.split()
            if not words:
                continue
            pat = r"(?<![\w&])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w&])" + _DUTY_VERB
            m = re.search(pat, sentence or "", re.I)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), p.name)
    return best[1] if best else None


def complete_cut_names(parties: list[Party], text: str) -> tuple[list[Party], dict[str, str]]:
    """Copies of ``parties`` where a name cut short (the rest of it on the next line or page: "Northwind
    Trading" for "Northwind Trading Company, LLC") becomes the one longer name the text writes for it
    (:func:`rules.text.party_names.longer_names`), and ``{name_key(old name): new name}``. A name the text
    continues in two different ways, a person's name the text also writes alone ("John Smith, an
    individual" beside "John Smith Consulting LLC") and a longer name that is another party's are left
    as they are (rule P010 flags them)."""
    out, renamed = [], {}
    taken = {name_key(n) for p in parties for n in p.all_names()}
    for p in parties:
        longer = [] if is_person_name(p.name) and stands_alone(p.name, text) else longer_names(p.name, text)
        if len(longer) == 1 and name_key(longer[0]) not in taken:
            q = p.model_copy(deep=True)
            q.name = longer[0]
            renamed[name_key(p.name)] = q.name
            out.append(q)
        else:
            out.append(p)
    return out, renamed


def split_merged_names(parties: list[Party], text: str) -> list[Party]:
    """``parties`` with a name that holds two or more names (two company names printed side by side in a
    signature block and read as one line: "ACME WIDGETS, INC. BETA SUPPLY LLC") replaced by one party per
    name, each with the merged entry's evidence, where the split is certain
    (:func:`rules.text.party_names.merged_names`, :func:`rules.text.party_names.split_is_certain`; rule
    P011 flags the others)."""
    out = []
    for p in parties:
        parts = merged_names(p.name)
        if parts and split_is_certain(p.name, parts, text):
            out.extend(Party(name=n, evidence=p.evidence) for n in parts)
        else:
            out.append(p)
    return out


def _cite_where_written(p: Party, ctx: DocumentContext) -> None:
    """Point the evidence of a party the reader renamed at the first sentence that writes its new name
    (found by code), unless its evidence already quotes the name; nothing when the text does not write it."""
    if p.evidence is not None and occurs_in(p.name, p.evidence.quote or ""):
        return
    found = find_normalized(ctx.text, p.name, lowercase=True)
    if found is None:
        return
    sentence = next((s for s in ctx.sentences if s.start <= found[0] < s.end), None)
    if sentence is None:
        return
    p.evidence = Located(sentence.start, max(sentence.end, found[1]), found[0], found[1], p.name).evidence(ctx.doc)


def read_parties(x: ContractExtraction, ctx: DocumentContext) -> None:
    """Name the parties of ``x`` (a merged extraction) as the document defines them, in place, in this
    order: the model's defined terms that the text defines for another party are dropped
    (:func:`drop_misattributed_terms`); a short-form name becomes the legal name the text defines for it
    (:func:`pipeline.extraction.merge.recover_legal_names`); a name cut at a line or page end becomes the
    whole name (:func:`complete_cut_names`); a name holding two names becomes two parties
    (:func:`split_merged_names`); a person the text names only as a signatory or contact ("By:", "Name:",
    "Attention:") is no party (:func:`rules.text.party_names.is_signatory_only`); what the preamble states
    after each legal name is added (:func:`enrich_parties`); parties that then name the same entity (one
    is another's d/b/a name or defined term) are merged again; each party gets the quoted terms the text
    defines for it (:func:`add_defined_terms`); a party the reader renamed is cited where the text writes
    its new name, found by code, unless its evidence already quotes it. Obligors, obligees and termination holders are resolved
    to the legal names (a name the reader replaced, to its new name); an obligation without an obligor
    gets the party named before the duty verb of its cited sentence, else of the model's own action text
    (:func:`obligor_in`)."""
    text = ctx.text
    answered = {name_key(p.name) for p in x.parties}
    parties = recover_legal_names(drop_misattributed_terms(x.parties, text), text)
    parties, renamed = complete_cut_names(parties, text)
    parties = [p for p in split_merged_names(parties, text) if not is_signatory_only(p.name, text)]
    x.parties = add_defined_terms(merge_parties(enrich_parties(parties, text)), text)
    for p in x.parties:
        if name_key(p.name) not in answered:
            _cite_where_written(p, ctx)

    def resolve(name: str | None) -> str | None:
        return resolve_party(renamed.get(name_key(name), name) if name else name, x.parties)

    for o in x.obligations:
        o.obligor = resolve(o.obligor)
        o.obligee = resolve(o.obligee)
        if o.obligor is None:  # the subject of the cited duty sentence, else of the model's own action text
            o.obligor = obligor_in(o.evidence.quote or "", x.parties) if o.evidence is not None else None
            o.obligor = o.obligor or obligor_in(o.action, x.parties)
    for t in x.termination_rights:
        t.holder = resolve(t.holder)


READER = Reader("preamble", ("parties", "obligations.obligor", "obligations.obligee", "termination_rights.holder"),
                read_parties)
