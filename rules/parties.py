"""Parties: at least two, distinct, real names (not defined terms, headings or labels), every obligor/obligee resolves.

Names are compared by :func:`rules.text.names.name_key`, the key the merge of the model's answers groups
parties by; a name first listed as a party of a document the contract refers to is found by
:func:`rules.text.party_of_other_document`; a defined term or document title is told from a legal name by
:func:`rules.text.names.is_role_or_title`; a d/b/a, former-name, affiliates or "a/k/a" phrase in a name by
:data:`rules.text.names.NAME_PHRASE`, the phrases the merge cuts out of a party name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rules.registry import Hit, rule
from rules.text import NAME_PHRASE, find_normalized, is_heading_or_label, is_role_or_title, name_key
from rules.text import party_of_other_document
from schemas import ContractExtraction, Party, SourceDocument


def resolves(name: str | None, parties: list[Party]) -> bool:
    """``name`` equals (by :func:`name_key`) a party's legal name, defined term, d/b/a or former name."""
    k = name_key(name)
    return any(name_key(n) == k for p in parties for n in p.all_names())


@rule(
    "P001",
    title="Fewer than two parties",
    severity="error",
    fields=("parties",),
    source="issue 5 (parties): at least two",
)
def too_few(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    if len(x.parties) < 2:
        yield Hit("parties", f"{len(x.parties)} part{'y' if len(x.parties) == 1 else 'ies'} extracted; a contract has at least two")


@rule(
    "P002",
    title="Same party listed twice",
    severity="error",
    fields=("parties",),
    source="issue 5 (parties): distinct (case, whitespace and punctuation ignored)",
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
    source="issue 5 (parties): every obligor and obligee resolves to a party (legal name, defined term, d/b/a); F22",
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
    source="issue 5 (parties): 'Party', 'Licensee' is not itself a party; failcase F22",
)
def generic_name(x: ContractExtraction, doc: SourceDocument) -> Iterator[Hit]:
    for i, p in enumerate(x.parties):
        if is_role_or_title(p.name):
            yield Hit(f"parties[{i}]", f"party name {p.name!r} is a defined term or a document title, not a legal "
                                       "name", p.evidence)


@rule(
    "P005",
    title="d/b/a, former name or alias listed as a separate party",
    severity="error",
    fields=("parties",),
    source="issue 5 (parties); failcase F24 (d/b/a and former name are attributes, not parties)",
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
    source="failcase F24: 'Greenfield Holdings, LLC d/b/a Greenfield Fresh Market, a Texas' as one name",
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
    source="a termination-and-amendment agreement (CUAD, tests/recordings/eval-random7) whose recorded answer "
           "listed the three parties of the joint venture agreement it amends ('... that certain Joint Venture "
           "Agreement dated March 7, 2016 by and among Autoliv ASP, Inc. ...') as its own parties; fires only where "
           "another party is first named outside such a list (an amendment between the parties of the agreement it "
           "amends names them so)",
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
