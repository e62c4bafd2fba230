"""References to another document: "that certain License Agreement dated May 8, 2008", "the Original Lease,
dated as of ...", "as amended by the Amendment effective ...".

A contract names the dates of the agreements it amends, terminates or follows; those dates are not its own.
:func:`other_document_before` reads the words just before a date and tells whether they introduce the date
of another document: a determiner that points away from this one ("the", "that certain", "a", "an", "such",
"said", "each", "any", "prior", "original", "existing"), up to eight more words (none of them "the",
"this" or "that"), a document noun
(:data:`DOCUMENT_NOUNS`), an optional "between ..." naming its parties, an optional parenthesis or comma,
and a verb of dating ("dated", "dated as of",
"effective as of", "entered into on", "made on", "executed on") or a bare "on" or "of" ("entered into a Supply
Agreement on May 8, 2008", "the Mutual Nondisclosure Agreement of May 8, 2008"). "This Agreement, dated as of" is this
contract; "the Effective Date" is not a document noun.

A contract names the parties of those documents too ("as an amendment to that certain Joint Venture Agreement
dated March 7, 2016 by and among Alder Holdings, Inc. and ..."): :func:`party_of_other_document` tells whether
a name at a place in the text is listed as a party of another document.
"""

from __future__ import annotations

import re

from rules.text.sentences import CONTRACT_ABBREVIATIONS

#: The nouns of documents a contract may refer to (singular; a plural "s" is allowed).
DOCUMENT_NOUNS: tuple[str, ...] = (
    "agreement", "contract", "lease", "sublease", "license", "licence", "amendment", "addendum", "plan", "note",
    "indenture", "deed", "memorandum", "letter", "order", "statement of work", "sow", "policy", "charter",
)

_DETERMINER = r"(?:the|that\s+certain|certain|a|an|such|said|each|any|prior|original|existing|earlier)"
_WORD = r"(?!(?:the|this|that)\b)[A-Za-z0-9&.,'’\-]+"
_DATING = (r"(?:(?:dated|effective|entered\s+into|made|executed|signed)(?:\s+(?:as\s+of|on|effective(?:\s+as\s+of)?|"
           r"and\s+effective(?:\s+as\s+of)?))?(?:\s+the)?|on|of)")
_NOUNS = "|".join(r"\s+".join(n.split()) for n in DOCUMENT_NOUNS)
_REFERENCE = re.compile(
    rf"\b(?P<ref>{_DETERMINER}\s+(?:{_WORD}\s+){{0,8}}?(?:{_NOUNS})s?)"
    rf"(?:\s+(?:by\s+and\s+)?between\s+[^();]{{0,100}}?)?\s*(?:\([^()]{{0,80}}\)\s*)?,?\s*{_DATING}\s*$",
    re.IGNORECASE,
)


#: A full stop that ends a sentence: after a word, before a capital (group ``word``: the word before it).
_SENTENCE_END = re.compile(r"(?P<word>[A-Za-z]+)\.\s+(?=[A-Z(\"“])")
#: Words a full stop follows without ending the sentence: the sentence splitter's abbreviations, company
#: forms written without inner dots, and single letters ("U.S.", "L.P.").
_ABBREVIATIONS = CONTRACT_ABBREVIATIONS | {"lp", "llp", "sa", "ag", "bv", "nv"}


def other_document_before(text: str, start: int, window: int = 160) -> str | None:
    """The reference to another document that introduces the date at ``start`` in ``text`` ("that certain
    License Agreement"), or ``None`` when the words before it (at most ``window`` characters, within the
    sentence) do not refer to another document. ``start``: offset of the date's first character."""
    head = text[max(0, start - window):start]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)
            if len(m.group("word")) > 1 and m.group("word").lower() not in _ABBREVIATIONS]
    cut = max([head.rfind(";") + 1, head.rfind("\n\n") + 1, *ends])
    head = head[cut:]
    m = _REFERENCE.search(head)
    if m is None:
        return None
    ref = " ".join(m.group("ref").split())
    return None if re.match(r"(?i)this\b", ref) else ref


#: The end of another document: its reference, then at most its dating (", dated March 1, 2010") and a
#: parenthesis ("(the "Master Lease")"), then the verb of its end ("expires on", "shall terminate on", "is scheduled
#: to expire on"), right before the date.
_ENDING = re.compile(
    rf"\b(?P<ref>{_DETERMINER}\s+(?:{_WORD}\s+){{0,8}}?(?:{_NOUNS})s?)"
    r"(?:\s*,?\s*(?:dated|of|effective)\b[^;()\n]{0,60}?)?(?:\s*,?\s*\([^()]{0,80}\))?\s*,?\s*"
    r"(?:shall\s+|will\s+|is\s+(?:scheduled|due|set)\s+to\s+)?(?:expire|terminate|end)s?\s+"
    r"(?:on|at\s+(?:the\s+)?(?:end|close)\s+of|as\s+of)?\s*(?:the\s+)?$",
    re.IGNORECASE,
)


def other_document_ending(text: str, start: int, window: int = 200) -> str | None:
    """The reference to another document whose end the date at ``start`` in ``text`` states ("the Master Lease
    dated March 1, 2010 expires on June 30, 2030" in a sublease), or ``None`` when the words right before the
    date (at most ``window`` characters, within the sentence) are not such a reference and the verb of its
    end; "this Sublease expires on" and "the Term expires on" give ``None``, and so does a reference that may
    name this contract: a bare noun ("the Agreement shall terminate on") or a name the text also writes after
    "this" ("the Supply Agreement" where the text says "This Supply Agreement"). ``start``: offset of the
    date's first character."""
    head = text[max(0, start - window):start]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)
            if len(m.group("word")) > 1 and m.group("word").lower() not in _ABBREVIATIONS]
    head = head[max([head.rfind(";") + 1, head.rfind("\n\n") + 1, *ends]):]
    m = _ENDING.search(head)
    if m is None:
        return None
    ref = " ".join(m.group("ref").split())
    name = re.sub(rf"(?i)^{_DETERMINER}\s+", "", ref)
    if " " not in name or re.search(r"(?i)\bthis\s+" + r"\s+".join(map(re.escape, name.split())) + r"\b", text):
        return None  # "the Agreement", "the Supply Agreement" of "This Supply Agreement ...": this contract
    return ref


_REFERENCE_NOUN = re.compile(rf"\b(?P<ref>{_DETERMINER}\s+(?:{_WORD}\s+){{0,8}}?(?:{_NOUNS})s?)\b"
                             r"(?!\s+(?:date|term|period)\b)", re.IGNORECASE)
#: "This is a managed hosting agreement between ...": the document named is this one.
_PREDICATE = re.compile(r"\b(?:is|was)\s+$", re.IGNORECASE)
#: After the document noun: its date or description (no semicolon, at most 80 characters), "between" or
#: "(by and) among", then the names listed before the one asked about (at most 300 characters, no semicolon).
_PARTY_LIST_TAIL = re.compile(r"(?P<mid>[^;]{0,80}?)\b(?:between|among(?:st)?)\b[^;]{0,300}$", re.IGNORECASE)
#: A verb in the date or description makes the list that follows this contract's ("the Supply Agreement dated
#: May 1, 2010 is made between ..." is an amendment made between its own parties).
_CLAUSE_VERB = re.compile(r"\b(?:is|are|was|were|shall|will|hereby|agree|agrees)\b", re.IGNORECASE)


def party_of_other_document(text: str, start: int, window: int = 400) -> str | None:
    """The reference to another document ("that certain Joint Venture Agreement") whose list of parties
    ("... dated March 7, 2016 by and among Alder Holdings, Inc. and ...") the name at ``start`` in ``text``
    belongs to, or ``None`` when the words before it (at most ``window`` characters, within the sentence)
    list it as a party of no other document. "This Agreement is made between" and "This is a hosting
    agreement between" list this contract's parties: ``None``; so does "the Agreement Date ... between". ``start``: offset of the name's first character."""
    head = text[max(0, start - window):start]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)
            if len(m.group("word")) > 1 and m.group("word").lower() not in _ABBREVIATIONS]
    cut = max([head.rfind(";") + 1, head.rfind("\n\n") + 1, *ends])
    head = head[cut:]
    found = None
    for m in _REFERENCE_NOUN.finditer(head):
        tail = _PARTY_LIST_TAIL.match(head, m.end())
        if (tail and not _CLAUSE_VERB.search(tail.group("mid")) and not re.match(r"(?i)this\b", m.group("ref"))
                and not _PREDICATE.search(head, 0, m.start())):
            found = " ".join(m.group("ref").split())
    return found
