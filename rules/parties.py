"""Parties: at least two, distinct, real names (not defined terms, headings or labels, short forms, cut or merged
names, signatories), every obligor/obligee resolves.

Names are compared by :func:`rules.text.names.name_key`, the key the merge of the model's answers groups
parties by; a name first listed as a party of a document the contract refers to is found by
:func:`rules.text.party_of_other_document`; a defined term or document title is told from a legal name by
:func:`rules.text.names.is_role_or_title`; a d/b/a, former-name, affiliates or "a/k/a" phrase in a name by
:data:`rules.text.names.NAME_PHRASE`, the phrases the merge cuts out of a party name. How the text writes a
name (the legal name a short form stands for, a longer name, two names in one, a signatory's line) is read by
:mod:`rules.text.party_names`, the grammar the preamble reader repairs the names with: what these rules flag is
what the reader could not repair.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rules.registry import Hit, rule
from rules.text import NAME_PHRASE, find_normalized, is_heading_or_label, is_role_or_title, name_key
from rules.text import ShortFormDefinition, has_legal_form, is_signatory_only, longer_names, merged_names
from rules.text import party_of_other_document, short_form_definition
from schemas import ContractExtraction, Party, SourceDocument


def _excerpt(text: str, d: ShortFormDefinition) -> str:
    return " ".join(text[d.start:d.end].split())[:80]


def resolves(name: str | None, parties: list[Party]) -> bool:
    """``name`` equals (by :func:`name_key`) a party's legal name, defined term, d/b/a or former name."""
    k = name_key(name)
    return any(name_key(n) == k for p in parties for n in p.all_names())


@rule(
    "P001",
    title="Fewer than two parties",
    severity="error",
    fields=("parties",),
    source="a contract binds at least two parties",
)
def too_few(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    if len(x.parties) < 2:
        yield Hit("parties", f"{len(x.parties)} part{'y' if len(x.parties) == 1 else 'ies'} extracted; a contract has at least two")


@rule(
    "P002",
    title="Same party listed twice",
    severity="error",
    fields=("parties",),
    source="each party listed once (case, whitespace and punctuation ignored)",
)
def duplicate(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    # Both entries are flagged: which of the two the model got wrong is unknown.
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(x.parties):
        groups.setdefault(name_key(p.name), []).append(i)
    for idxs in groups.values():
        if len(idxs) < 2:
            continue
        for i in idxs:
            others = ", ".join(f"parties[{j}]" for j in idxs if j != i)
            yield Hit(f"parties[{i}]", f"party {x.parties[i].name!r} is listed again as {others}",
                      x.parties[i].evidence)


@rule(
    "P003",
    title="Obligor, obligee or termination holder is not a party",
    severity="error",
    fields=("obligations", "termination_rights", "parties"),
    source="every obligor, obligee and termination holder is a party of the contract, by its legal name, the term "
           "the contract defines for it or its d/b/a",
)
def unresolved(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, o in enumerate(x.obligations):
        for role in ("obligor", "obligee"):
            name = getattr(o, role)
            if name and not resolves(name, x.parties) and not re.fullmatch(r"(each|either|both) part(y|ies)",
                                                                             name_key(name)):
                yield Hit(f"obligations[{i}].{role}", f"{role} {name!r} is not one of the parties", o.evidence)
    for i, t in enumerate(x.termination_rights):
        if t.holder and not resolves(t.holder, x.parties) and not re.fullmatch(
                r"(each|either|both) part(y|ies)", name_key(t.holder)):
            yield Hit(f"termination_rights[{i}].holder", f"holder {t.holder!r} is not one of the parties", t.evidence)


@rule(
    "P004",
    title="Defined term or document title used as a party name",
    severity="error",
    fields=("parties",),
    source="drafting convention: 'Party', 'Licensee' or the document's title is a defined term standing for a party,"
           " not itself a party",
)
def generic_name(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        if is_role_or_title(p.name):
            d = short_form_definition(p.name, doc.text)
            said = ""
            if d is not None:
                said = (f"; the text defines it for {d.legal_name!r}" if d.legal_name else
                        f"; the text defines it ({_excerpt(doc.text, d)!r}) but writes no legal name before it")
            yield Hit(f"parties[{i}]", f"party name {p.name!r} is a defined term or a document title, not a legal "
                                       f"name{said}", p.evidence)


@rule(
    "P005",
    title="d/b/a, former name or alias listed as a separate party",
    severity="error",
    fields=("parties",),
    source="a d/b/a, a former name or an alias is an attribute of a party, not another party",
)
def alias_as_party(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        k = name_key(p.name)
        for j, other in enumerate(x.parties):
            if i == j or name_key(other.name) == k:
                continue
            aliases = {name_key(n): n for n in (*other.dba, *other.former_names, *other.defined_terms)}
            if k in aliases:
                yield Hit(f"parties[{i}]", f"party {p.name!r} is a d/b/a, former name or defined term of "
                                           f"parties[{j}] {other.name!r}", p.evidence)
                break


@rule(
    "P006",
    title="Party name swallows a d/b/a, former-name or affiliates phrase",
    severity="error",
    fields=("parties",),
    source="a party's name read with the phrase after it, as in 'Greenfield Holdings, LLC d/b/a Greenfield Fresh "
           "Market, a Texas' given as one name",
)
def swallowed_phrase(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        m = NAME_PHRASE.search(p.name)
        if m:
            yield Hit(f"parties[{i}]", f"party name {p.name!r} includes {m.group(0)!r}: keep only the legal name",
                      p.evidence)


@rule(
    "P007",
    title="Party name is only a heading or a field label in the text",
    severity="warning",
    fields=("parties",),
    source="a recorded 0.5B answer naming the headings 'Term' and 'Rent' of a key-terms lease as parties; "
           "on the 174 CUAD contracts' gold party names of up to 120 characters it flags 5 of 877: one name (in a "
           "signature block only) and four labels that are sentences, not names",
)
def heading_as_party(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        if not is_role_or_title(p.name) and is_heading_or_label(p.name, doc.text):
            yield Hit(f"parties[{i}]", f"party name {p.name!r} appears in the text only as a heading or a label "
                                       "(start of a line, before ':' or a dash), never in running text", p.evidence)


@rule(
    "P008",
    title="Party listed only as a party of another document",
    severity="warning",
    fields=("parties",),
    source="a termination-and-amendment agreement (CUAD) whose recorded answer listed the three parties of the joint"
           " venture agreement it amends ('... that certain Joint Venture Agreement dated March 7, 2016 by and among"
           " Autoliv ASP, Inc. ...') as its own parties; fires only where another party is first named outside such "
           "a list (an amendment between the parties of the agreement it amends names them so)",
)
def party_of_another_document(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    refs: dict[int, str | None] = {}
    for i, p in enumerate(x.parties):
        found = find_normalized(doc.text, p.name, lowercase=True)
        if found is not None:  # a name the text does not hold is the grounding rules' to report
            refs[i] = party_of_other_document(doc.text, found[0])
    if not any(r is None for r in refs.values()):
        return  # every party is named as one of the document referred to: an amendment between the same parties
    for i, ref in refs.items():
        if ref:
            p = x.parties[i]
            yield Hit(f"parties[{i}]", f"{p.name!r} is first named as a party of another document ({ref!r}), "
                                       "while the contract names its own parties elsewhere", p.evidence,
                      {"document": ref})


@rule(
    "P009",
    title="Party named by a short form the text defines",
    severity="error",
    fields=("parties",),
    source="drafting convention: the defined short form ('Acme' for 'Acme Widgets Holdings, Inc., a Delaware "
           "corporation (\"Acme\")') stands for the party but is not its legal name; role words are P004's",
)
def short_form_as_party(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        if has_legal_form(p.name) or is_role_or_title(p.name):
            continue
        d = short_form_definition(p.name, doc.text)
        if d is None:
            continue
        if d.legal_name:
            msg = f"party name {p.name!r} is the short form the text defines for {d.legal_name!r}: name the legal name"
        else:
            msg = (f"party name {p.name!r} is a short form the text defines ({_excerpt(doc.text, d)!r}), and no legal "
                   "name is written before its definition: the party's legal name is not known")
        yield Hit(f"parties[{i}]", msg, p.evidence, {"legal_name": d.legal_name})


@rule(
    "P010",
    title="Party name cut short of the name the text writes",
    severity="warning",
    fields=("parties",),
    source="a party name cut by a page break ('Northwind Trading' for 'Northwind Trading / Company, LLC') kept as "
           "its first half; the reader completes a name the text continues one way only",
)
def cut_name(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        longer = longer_names(p.name, doc.text)
        if longer:
            yield Hit(f"parties[{i}]", f"party name {p.name!r} is the start of a longer name the text writes: "
                                       + " or ".join(repr(n) for n in longer), p.evidence, {"longer_names": longer})


@rule(
    "P011",
    title="Party name holds two names",
    severity="warning",
    fields=("parties",),
    source="two company names printed on one line of a signature block read as one party ('ACME WIDGETS, INC. BETA "
           "SUPPLY LLC'); the reader splits the certain cases",
)
def two_names(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        parts = merged_names(p.name)
        if parts:
            yield Hit(f"parties[{i}]", f"party name {p.name!r} may be two names: "
                                       + " and ".join(repr(n) for n in parts), p.evidence, {"names": parts})


@rule(
    "P012",
    title="Signatory listed as a party",
    severity="error",
    fields=("parties",),
    source="drafting convention of signature blocks: the people who sign for a party ('By: John Smith', 'Name: Jane "
           "Doe') are not parties; an entity may sign for one ('By: X GP LLC, its general partner')",
)
def signatory_as_party(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        if is_signatory_only(p.name, doc.text):
            yield Hit(f"parties[{i}]", f"{p.name!r} is named only in signature or notice lines ('By:', 'Name:', "
                                       "'Attention:') or as acting for a party (', its general partner', ', its "
                                       "manager'): a signatory or contact, not a party", p.evidence)
