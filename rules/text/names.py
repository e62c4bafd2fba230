"""Party names: the key two spellings of one name share, and the words that are no party's legal name.

- :func:`name_key` is the one comparison key of a party name (legal name, defined term, d/b/a, former
  name, obligor as written): "Acme, Inc." = "ACME Inc" = "the Acme Incorporated", "H&P" = "H and P".
  The merge of the model's answers groups parties by it and the party rules judge by it, so a name the
  merge took for one entity is one entity for the rules too.
- :func:`core_key` drops trailing corporate suffixes ("Ashgrove Systems Corp." → "ashgrove systems").
- :func:`occurs_in` says whether a name (a party, a place) is written in a cited text.
- :data:`NOT_A_PARTY_TERMS`, :data:`PRONOUN_AND_DOCUMENT_TERMS` and :data:`ROLE_TERMS` are the words
  that are no party's legal name, by what they are; :func:`is_role_or_title` tells a defined term or a
  document title from a legal name.
"""

from __future__ import annotations

import re

from rules.text.normalize import fold_quotes, norm

#: Corporate suffix words (one word of a :func:`name_key`) and the form they are compared in:
#: "Company" = "Co.", "Corporation" = "Corp.", "Incorporated" = "Inc.", "Limited" = "Ltd.".
ENTITY_SUFFIXES: dict[str, str] = {
    "company": "co", "co": "co", "corporation": "corp", "corp": "corp", "incorporated": "inc", "inc": "inc",
    "limited": "ltd", "ltd": "ltd", "llc": "llc", "l l c": "llc", "lp": "lp", "llp": "llp", "plc": "plc",
    "gmbh": "gmbh", "ag": "ag", "sa": "sa", "bv": "bv", "nv": "nv", "pty": "pty", "pte": "pte",
}
_SUFFIX_FORMS = frozenset(ENTITY_SUFFIXES.values())

#: Terms (in :func:`name_key` form) that name no single party: the parties together or any of them, the
#: affiliates, or a fragment of such a phrase the model cut ("Company and ..."). An extracted party of
#: this name is dropped by the merge.
NOT_A_PARTY_TERMS = frozenset({
    "party", "parties", "each party", "the parties", "both parties", "affiliate", "affiliates", "its affiliates",
    "either party", "other party", "the party", "company and", "licensor and licensee",
})
#: The writer, the reader and the document itself ("we", "you", "this Agreement"), as a preamble may quote
#: them: never a party's defined term (lower case).
PRONOUN_AND_DOCUMENT_TERMS = frozenset({"agreement", "this agreement", "we", "us", "you", "our", "your"})
#: Capitalized role words that contracts define as terms for a party ("the Supplier"): an alias of a
#: party, never its legal name.
ROLE_TERMS = frozenset({
    "Disclosing Party", "Receiving Party", "Licensee", "Licensor", "Sublicensee", "Supplier", "Vendor", "Company",
    "Customer", "Client", "Buyer", "Seller", "Purchaser", "Distributor", "Reseller", "Contractor", "Subcontractor",
    "Consultant", "Provider", "Service Provider", "Manufacturer", "Lessor", "Lessee", "Landlord", "Tenant",
    "Employer", "Employee", "Franchisor", "Franchisee", "Borrower", "Lender", "Agent", "Principal", "Recipient",
    "Discloser", "Owner", "Developer", "Publisher", "Sponsor", "Partner", "Member", "Investor", "Guarantor",
    "Licensors", "Customers", "Suppliers", "Corporation", "Bank", "Trust", "Holder",
})

_DOCUMENT_WORDS = re.compile(r"\b(?:agreement|contract|addendum|amendment|order form|schedule|exhibit|annex|"
                             r"appendix|terms and conditions|key terms)\b")
_LEGAL_FORM = re.compile(rf"\b(?:{'|'.join(sorted(_SUFFIX_FORMS))}|trust|bank|university)\b")


def name_key(name: str | None) -> str:
    """Comparison key of a name: NFKC, typographic quotes made ASCII, lower case, "&" read as "and",
    punctuation dropped, a leading "the" dropped, corporate suffixes folded (:data:`ENTITY_SUFFIXES`).
    Never splits the name; ``""`` for ``None``. Example: ``name_key("The Acme Company, Inc.") == "acme co inc"``."""
    s = fold_quotes(name or "").lower().replace("&", " and ")
    s = re.sub(r"[^\w\s]", " ", s)
    words = s.split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(ENTITY_SUFFIXES.get(w, w) for w in words)


def core_key(name: str) -> str:
    """:func:`name_key` without trailing corporate suffixes ("Ashgrove Systems Corp." → "ashgrove systems");
    a name that is only a suffix keeps it."""
    words = name_key(name).split()
    while len(words) > 1 and words[-1] in _SUFFIX_FORMS:
        words.pop()
    return " ".join(words)


def occurs_in(needle: str | None, haystack: str | None) -> bool:
    """``needle`` occurs in ``haystack`` after :func:`rules.text.normalize.norm` or, failing that, as whole
    words after :func:`name_key` (so "Acme, Inc." occurs in "between ACME Inc and ...")."""
    n, h = norm(needle), norm(haystack)
    if not n:
        return False
    if n in h:
        return True
    k = name_key(needle)
    return bool(k) and f" {k} " in f" {name_key(haystack)} "


_NOT_A_LEGAL_NAME = frozenset(name_key(t) for t in (*ROLE_TERMS, *NOT_A_PARTY_TERMS))


def is_role_or_title(name: str) -> bool:
    """A defined term ("Supplier", "the Parties", "each Party": :data:`ROLE_TERMS`, :data:`NOT_A_PARTY_TERMS`)
    or a document's title ("MASTER PURCHASE AGREEMENT": a document word and no legal form such as "Inc."
    or "Trust") rather than a legal name."""
    k = re.sub(r"^(the|each|either|any) ", "", name_key(name))
    return k in _NOT_A_LEGAL_NAME or (bool(_DOCUMENT_WORDS.search(k)) and not _LEGAL_FORM.search(k))
