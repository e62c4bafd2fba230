"""Party names: the key two spellings of one name share, and the words that are no party's legal name.

- :func:`name_key` is the one comparison key of a party name (legal name, defined term, d/b/a, former
  name, obligor as written): "Acme, Inc." = "ACME Inc" = "the Acme Incorporated", "H&P" = "H and P".
  The merge of the model's answers groups parties by it and the party rules judge by it, so a name the
  merge took for one entity is one entity for the rules too.
- :func:`core_key` drops trailing corporate suffixes ("Ashgrove Systems Corp." → "ashgrove systems").
- :func:`occurs_in` says whether a name (a party, a place) is written in a cited text.
- :data:`NOT_A_PARTY_TERMS`, :data:`PRONOUN_AND_DOCUMENT_TERMS` and :data:`ROLE_TERMS` are the words
  that are no party's legal name, by what they are; :func:`is_role_or_title` tells a defined term or a
  document title from a legal name (:func:`is_document_title` a title alone). :data:`NOT_NAME_WORDS` are
  the words that stand before a company name in running text without being part of it ("between",
  "Agreement", "President").
- :data:`ENTITY_SUFFIX` is a corporate suffix as written in running text ("Inc.", "L.L.C.", "GmbH"), the
  written forms of :data:`ENTITY_SUFFIXES`: a name ends with one. :data:`ABBREVIATED_SUFFIXES` are the
  ones written with a full stop that ends no sentence ("Inc.").
- :data:`DBA`, :data:`FORMER_NAME`, :data:`AFFILIATES` and :data:`ALSO_KNOWN_AS` are the phrases that
  attach another name to a legal name ("Greenfield Holdings, LLC d/b/a Greenfield Fresh Market",
  "(formerly known as Ashgrove Software Inc.)", "on behalf of itself and its Affiliates"). The merge cuts
  a d/b/a name, a former name and an affiliates phrase out of a party name into the party's attributes;
  a legal name holds none of them (:data:`NAME_PHRASE` finds any).
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
    # outside the US and UK: Malaysia (Sdn. Bhd., Berhad), Germany (KG, KGaA), the EU (SE), the Nordic countries
    # (AB, A/S, ASA, ApS, Oy, Oyj), Italy (S.p.A., S.r.l.), France (SAS, SARL), Spain (S.L.), Brazil (Ltda.),
    # Japan (K.K.)
    "sdn": "sdn", "bhd": "bhd", "berhad": "bhd", "kg": "kg", "kgaa": "kgaa", "se": "se", "ab": "ab", "as": "as",
    "asa": "asa", "aps": "aps", "oy": "oy", "oyj": "oyj", "spa": "spa", "srl": "srl", "sas": "sas", "sarl": "sarl",
    "sl": "sl", "ltda": "ltda", "kk": "kk",
}
_SUFFIX_FORMS = frozenset(ENTITY_SUFFIXES.values())

#: Corporate suffix words as written after a name, in title case and without a final full stop; each may
#: be written in capitals and end in a full stop ("Inc", "INC.", "Corporation").
_WRITTEN_SUFFIX_WORDS = ("Inc", "Incorporated", "Corp", "Corporation", "LLC", "L.L.C", "Ltd", "Limited", "Company",
                         "LLP", "PLC", "Plc", "Pte", "Pty", "Sdn", "Bhd", "Berhad", "Ltda")
#: Corporate suffixes written in one form only: abbreviations that take their full stop ("Co."), mixed-case,
#: lower-case and dotted forms.
_WRITTEN_SUFFIX_FORMS = (r"Co\.", r"CO\.", r"L\.P\.", "LP", "GmbH", "AG", r"S\.A\.", r"N\.V\.", r"B\.V\.", "plc",
                         "KGaA", "KG", "SE", "AB", "A/S", "ASA", "ApS", "Oyj", "Oy", r"S\.p\.A\.", "SpA", r"S\.r\.l\.",
                         "Srl", r"S\.A\.S\.", "SAS", "SARL", r"S\.A\.R\.L\.", r"S\.L\.", r"K\.K\.")
#: A corporate suffix as written in running text (a regular expression without groups; case-sensitive, so "a
#: Delaware company" holds none): "Inc", "Inc.", "INC.", "L.L.C.", "Corporation", "Co.", "GmbH", "S.A.".
#: Longer forms are tried first. Every form's :func:`name_key` (spaces removed) is a key of
#: :data:`ENTITY_SUFFIXES`.
ENTITY_SUFFIX = ("(?:" + "|".join(re.escape(w) + r"\.?" for w in sorted(
    {*_WRITTEN_SUFFIX_WORDS, *(w.upper() for w in _WRITTEN_SUFFIX_WORDS)}, key=lambda w: (-len(w), w)))
    + "|" + "|".join(_WRITTEN_SUFFIX_FORMS) + ")")

#: Corporate suffixes abbreviated with a full stop ("Inc.", "Ltd.", "Corp.", "Co."): the full stop of one may
#: end a name, not a sentence.
ABBREVIATED_SUFFIXES = ("Inc", "Ltd", "Corp", "Co", "Pte", "Pty", "Sdn", "Bhd", "Ltda")

# --- phrases that attach another name to a legal name (regular expressions without groups, read with re.I) --------
#: The words before a d/b/a name: "d/b/a", "d.b.a.", "dba", "doing business as", "trading as", "t/a".
DBA = r"(?:d/b/a|d\.b\.a\.?|dba|doing\s+business\s+as|trading\s+as|t/a)"
#: The words before a former name: "formerly known as", "formerly", "f/k/a", "fka", "previously known as".
FORMER_NAME = r"(?:formerly\s+known\s+as|formerly|f/k/a|fka|previously\s+known\s+as)"
#: "on behalf of itself and its Affiliates": the party contracts for its affiliates too (their names, if
#: any, are in the contract's "Affiliate" definition).
ON_BEHALF_OF_AFFILIATES = r"on\s+behalf\s+of\s+itself\s+and\s+(?:its|their)\s+affiliates"
#: An affiliates phrase after a name: "and its Affiliates", "for itself and its Affiliates",
#: :data:`ON_BEHALF_OF_AFFILIATES`.
AFFILIATES = r"(?:(?:on\s+behalf\s+of|for)\s+itself\s+)?and\s+(?:its|their)\s+affiliates"
#: The words before an alias that is neither a d/b/a nor a former name: "a/k/a", "also known as" (the merge
#: has no attribute for it and leaves it in the name).
ALSO_KNOWN_AS = r"(?:a/k/a|also\s+known\s+as)"
#: Any of the phrases above as whole words; a legal name holds none.
NAME_PHRASE = re.compile(rf"\b(?:{DBA}|{FORMER_NAME}|{AFFILIATES}|{ALSO_KNOWN_AS})\b", re.IGNORECASE)

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

#: Words that stand before a company name in running text without being part of it (lower case): articles,
#: prepositions and conjunctions ("between", "and"), document and party words ("Agreement", "Section", "Parties"),
#: signature-block titles and labels ("President", "Attn", "Signature") and possessives ("its").
NOT_NAME_WORDS = frozenset([
    "the", "this", "that", "these", "such", "each", "either", "any", "all", "and", "or", "of", "by", "between",
    "among", "agreement", "in", "on", "for", "to", "with", "from", "whereas", "now", "therefore", "section",
    "article", "exhibit", "schedule", "party", "parties", "dated", "made", "entered", "as", "is", "executive",
    "officer", "chief", "president", "vice", "director", "manager", "secretary", "treasurer", "chairman", "ceo",
    "cfo", "coo", "name", "title", "signature", "signed", "witness", "attention", "attn", "copy", "cc", "general",
    "counsel", "&", "its", "their", "our",
])

_DOCUMENT_WORDS = re.compile(r"\b(?:agreement|contract|addendum|amendment|order form|schedule|exhibit|annex|"
                             r"appendix|attachment|terms and conditions|key terms)\b")
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


def is_document_title(name: str) -> bool:
    """A document's title or name ("MASTER PURCHASE AGREEMENT", "Third Amendment": a document word and no
    legal form such as "Inc." or "Trust")."""
    k = name_key(name)
    return bool(_DOCUMENT_WORDS.search(k)) and not _LEGAL_FORM.search(k)


def is_role_or_title(name: str) -> bool:
    """A defined term ("Supplier", "the Parties", "each Party": :data:`ROLE_TERMS`, :data:`NOT_A_PARTY_TERMS`)
    or a document's title (:func:`is_document_title`) rather than a legal name."""
    k = re.sub(r"^(the|each|either|any) ", "", name_key(name))
    return k in _NOT_A_LEGAL_NAME or is_document_title(name)


#: What may stand before a heading or label on its line: nothing, or a clause number ("12.", "4.2",
#: "(a)", "Section 3").
_LINE_LEAD = re.compile(r"[ \t]*(?:(?:section|article|clause)[ \t]+)?(?:\d{1,3}(?:\.\d{1,3})*\.?|\([a-z0-9]{1,4}\))?[ \t]*",
                        re.I)
#: What follows a heading or label: a colon, a dash, or the end of the line.
_LINE_TAIL = re.compile(r"[ \t]*(?::|[-\u2013\u2014]\s|\n|$)")


def is_heading_or_label(name: str, text: str) -> bool:
    """True when ``name`` (case as written) occurs in ``text`` and every occurrence is a heading or a
    label: at the start of its line (after a clause number at most) and followed by ``:``, a dash or
    the end of the line ("Rent: USD 3,150 per month", "LEASE OF PREMISES - KEY TERMS"). A name with a
    legal form ("Inc.", "Trust") is never one. A party's legal name appears in running text at least
    once (the preamble, a notice clause), so one that only heads lines is a heading or a field label."""
    name = " ".join(name.split())
    if not name or _LEGAL_FORM.search(name_key(name.replace(".", ""))):  # "L.P." as "LP"
        return False
    pattern = re.compile(r"\s+".join(re.escape(w) for w in name.split()))
    found = False
    for m in pattern.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if not _LINE_LEAD.fullmatch(text[line_start:m.start()]):
            return False
        if not _LINE_TAIL.match(text, m.end()):
            return False
        found = True
    return found
