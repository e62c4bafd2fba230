"""Governing law: the words that state a contract's governing law, and the place they name.

One vocabulary, read three ways:

- :func:`phrase` makes a regular expression of plain phrases (lower case, one space between words; a
  match takes any whitespace between words and is read with ``re.IGNORECASE``). The phrases:
  :data:`GOVERNED_BY` ("governed by", "construed in accordance with"), :data:`GOVERNING_LAW` (the
  heading), :data:`LAWS_OF` ("laws of", "law of"), :data:`FORUM` ("courts of", "jurisdiction of") and
  :data:`POLITIES` ("State of", "Commonwealth of" before a place).
- :data:`LAW_PLACE` finds a law or forum phrase and the place after it (group ``place``, up to 60
  characters); the jurisdiction it names decides the day/month order of a document's numeric dates
  (:func:`rules.text.dates.decide_date_order`).
- :data:`STATES_GOVERNING_LAW` is what a sentence that states a governing law holds: a
  :data:`GOVERNED_BY` phrase or the :data:`GOVERNING_LAW` heading, and a :data:`LAWS_OF` phrase
  ("This Agreement shall be governed by the laws of the State of New York").
- :data:`LAW_CUES` are the cue words of a governing-law clause, matched at the start of a word of
  :func:`rules.text.normalize.norm` text (:mod:`rules.cues`); every phrase above is matched by one.

The phrases are matched where they stand, with no word boundary before them ("bylaws of" holds "laws of").
"""

from __future__ import annotations

import re

#: The verb phrases that bind a contract to a law.
GOVERNED_BY: tuple[str, ...] = ("governed by", "construed in accordance with")
#: The heading of a governing-law clause.
GOVERNING_LAW = "governing law"
#: The phrases before the name of the law's place.
LAWS_OF: tuple[str, ...] = ("laws of", "law of")
#: The phrases before the place of a forum.
FORUM: tuple[str, ...] = ("courts of", "court of", "jurisdiction of")
#: The words for a state that stand before its name with "of" ("the State of New York").
POLITIES: tuple[str, ...] = ("state", "commonwealth", "province", "republic", "kingdom")

#: The cue words of a governing-law clause, in the order a finding lists them.
LAW_CUES: tuple[str, ...] = (
    "governed by", GOVERNING_LAW, *LAWS_OF, "construed", "governed in accordance", "applicable law",
    "laws applicable", "governs",
)


def phrase(words: tuple[str, ...] | list[str]) -> str:
    """A regular expression (no groups) matching any of ``words`` (plain phrases), whitespace runs between
    their words; alternatives in the order given. ``phrase(("laws of", "law of")) == r"laws\\s+of|law\\s+of"``."""
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in words)


#: A law or forum phrase, an optional "the" and "State of" (any of :data:`POLITIES`), and the place
#: named (group ``place``: letters, spaces, ".", ",", "&"; 2 to 60 characters). Case-insensitive.
LAW_PLACE = re.compile(
    rf"(?:{phrase((*LAWS_OF, *GOVERNED_BY, *FORUM))})\s+(?:the\s+)?(?:(?:{phrase(POLITIES)})\s+of\s+)?"
    r"(?P<place>[A-Za-z .,&]{2,60})",
    re.IGNORECASE,
)

#: Two patterns, both found in a sentence that states a governing law (read with ``re.IGNORECASE``).
STATES_GOVERNING_LAW: tuple[str, str] = (phrase((*GOVERNED_BY, GOVERNING_LAW)), phrase(LAWS_OF))
