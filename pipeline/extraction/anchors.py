"""The names a contract gives the day its term starts, shared by the merge and the field readers.

A contract names its start date with a defined term (ABA/CUAD usage: "Effective Date"; English
drafting: "Commencement Date"; SaaS order forms: "Start Date"). Three places recognise a reference to
it: the definition of the effective date (:mod:`pipeline.extraction.readers.defined_dates`), a
deadline counted from the effective date (:mod:`pipeline.extraction.merge`) and a term clause that
starts on it (:mod:`pipeline.extraction.readers.term`). The patterns are strings, to be embedded in
larger regular expressions compiled with ``re.IGNORECASE``.
"""

from __future__ import annotations

#: Defined terms naming the day a contract takes effect.
EFFECTIVE_TERMS = ("Effective Date", "Commencement Date", "Start Date")

#: Alternation of :data:`EFFECTIVE_TERMS`, any run of whitespace between the words (no group).
EFFECTIVE_TERMS_RE = "|".join(t.replace(" ", r"\s+") for t in EFFECTIVE_TERMS)

#: The defined terms as one non-capturing group, for a pattern that recognises a reference to this
#: contract's start.
EFFECTIVE_TERM_RE = r"(?:" + EFFECTIVE_TERMS_RE + r")"

#: Words that may qualify the term and still name this contract's start ("Subscription Start Date");
#: other qualifiers name another date ("Rent Commencement Date").
TERM_QUALIFIER_RE = r"(?:subscription|agreement|contract|order|term)"
