"""Canonical names of jurisdictions: "the laws of the State of New York", "New York law" and "NY" are one
place, "PRC" is the People's Republic of China.

:func:`jurisdiction_of` reads the place a text names and gives its ISO 3166 code and one canonical name:
countries (ISO 3166-1, from ``pycountry``: names, official and common names, alpha-2 and alpha-3 codes)
and the first-level subdivisions of the countries whose contracts name them as a governing law (ISO
3166-2: the US states, the District of Columbia and US territories, the Canadian provinces and territories,
the Australian states and territories, the nations of the United Kingdom, the provinces of China and the
states of India). A playbook and a scorer compare the codes, so "State of Delaware" and "Delaware" agree.

Reading order: the whole text, then the longest known name standing as whole words in it ("the laws of the
State of New York, without regard to ..." reads "New York", never "York"). A name that is both a US state
and a country ("Georgia") reads as the US state unless the text says "Republic of"; contracts filed with
the SEC (CUAD) name US states far more often. "England", "England and Wales" and "the laws of England and
Wales" are one jurisdiction, ``GB-ENG``, named "England and Wales" (one legal system; ISO 3166-2 has no code
for the pair). Codes (a US state's postal code, ISO alpha-2 and alpha-3) are read only as the whole text,
in capitals ("NY", "DE", "CHN"), never inside a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from rules.text.normalize import norm, strip_accents

#: Countries whose first-level subdivisions are read (ISO 3166-1 alpha-2).
SUBDIVISION_COUNTRIES = ("US", "CA", "AU", "GB", "CN", "IN")
#: ISO 3166-2 subdivision types read (the first level; counties, districts and cities are not).
_FIRST_LEVEL = {"State", "District", "Outlying area", "Province", "Territory", "Country", "Nation",
                "Autonomous region", "Municipality", "Special administrative region", "Union territory"}


@dataclass(frozen=True)
class Jurisdiction:
    """A place whose law may govern a contract: ``code`` ISO 3166-1 alpha-2 ("CN") or ISO 3166-2 ("US-NY"),
    ``name`` its canonical English name ("New York", "China")."""

    code: str
    name: str

    @property
    def country(self) -> str:
        """ISO 3166-1 alpha-2 code of the country ("US" for "US-NY")."""
        return self.code.split("-")[0]


def _key(text: str) -> str:
    """Lower case, accents and punctuation dropped, "&" read as "and", one space between words."""
    t = strip_accents(norm(text)).replace("&", " and ").replace("'s ", " s ")
    return " ".join(re.findall(r"[a-z0-9]+", t))


#: Names people write that ISO 3166 does not list, and readings that differ from it.
_ALIASES: dict[str, tuple[str, str]] = {
    "prc": ("CN", "China"), "p r c": ("CN", "China"), "people s republic of china": ("CN", "China"),
    "mainland china": ("CN", "China"), "china": ("CN", "China"),
    "uk": ("GB", "United Kingdom"), "u k": ("GB", "United Kingdom"), "great britain": ("GB", "United Kingdom"),
    "united kingdom": ("GB", "United Kingdom"),
    "usa": ("US", "United States"), "u s a": ("US", "United States"), "u s": ("US", "United States"),
    "united states": ("US", "United States"), "united states of america": ("US", "United States"),
    "england": ("GB-ENG", "England and Wales"), "england and wales": ("GB-ENG", "England and Wales"),
    "hong kong": ("HK", "Hong Kong"), "hong kong sar": ("HK", "Hong Kong"), "macau": ("MO", "Macao"),
    "taiwan": ("TW", "Taiwan"), "republic of china": ("TW", "Taiwan"), "south korea": ("KR", "South Korea"),
    "korea": ("KR", "South Korea"), "republic of korea": ("KR", "South Korea"), "russia": ("RU", "Russia"),
    "republic of georgia": ("GE", "Georgia (country)"), "washington d c": ("US-DC", "District of Columbia"),
    "washington dc": ("US-DC", "District of Columbia"), "d c": ("US-DC", "District of Columbia"),
    "the netherlands": ("NL", "Netherlands"), "holland": ("NL", "Netherlands"),
}


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]], re.Pattern[str]]:
    """(name key → (code, name), code as written → (code, name), one pattern of every name key, longest
    first). Subdivisions of :data:`SUBDIVISION_COUNTRIES` win over countries of the same name; a US state's
    postal code wins over a country's alpha-2 code ("DE" is Delaware)."""
    names: dict[str, tuple[str, str]] = {}
    codes: dict[str, tuple[str, str]] = {}
    for c in pycountry.countries:
        canonical = getattr(c, "common_name", None) or c.name
        for n in (c.name, getattr(c, "official_name", None), getattr(c, "common_name", None)):
            if n:
                names.setdefault(_key(n), (c.alpha_2, canonical))
        codes.setdefault(c.alpha_3, (c.alpha_2, canonical))
        codes.setdefault(c.alpha_2, (c.alpha_2, canonical))
    for country in SUBDIVISION_COUNTRIES:
        for s in pycountry.subdivisions.get(country_code=country) or []:
            if s.parent_code is not None or s.type not in _FIRST_LEVEL:
                continue
            names[_key(s.name)] = (s.code, s.name)  # a US state wins over a country of the same name
            if country == "US":
                codes[s.code.split("-")[1]] = (s.code, s.name)  # "NY" is New York, not a country
    names.update(_ALIASES)
    keys = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in keys) + r")\b")
    return names, codes, pattern


def jurisdiction_of(text: str | None) -> Jurisdiction | None:
    """The jurisdiction ``text`` names, or ``None`` when it names none this module knows.

    ``text`` is a jurisdiction as a model or a reader gave it ("State of Delaware", "PRC", "NY") or a
    governing-law sentence ("governed by the laws of the Province of Ontario"); see the module docstring for
    the reading order. Example: ``jurisdiction_of("the laws of the State of New York").code == "US-NY"``."""
    if not text or not text.strip():
        return None
    names, codes, pattern = _index()
    raw = text.strip().strip(".")
    if re.fullmatch(r"[A-Z]{2,3}", raw) and raw in codes:
        return Jurisdiction(*codes[raw])
    k = _key(raw)
    if k in names:
        return Jurisdiction(*names[k])
    m = pattern.search(k)
    return Jurisdiction(*names[m.group(0)]) if m else None


def jurisdictions_in(text: str | None) -> list[Jurisdiction]:
    """Every jurisdiction named in ``text``, in order, each once (longest names first at each place; codes
    are not read inside text). Example: ``jurisdictions_in("laws of Ontario and the federal laws of Canada")``
    gives Ontario (CA-ON) and Canada (CA)."""
    if not text:
        return []
    names, _, pattern = _index()
    out: list[Jurisdiction] = []
    for m in pattern.finditer(_key(text)):
        j = Jurisdiction(*names[m.group(0)])
        if j not in out:
            out.append(j)
    return out


def same_jurisdiction(a: str | None, b: str | None) -> bool:
    """Whether ``a`` and ``b`` name the same jurisdiction (:func:`jurisdiction_of` codes equal); ``False``
    when either names none."""
    ja, jb = jurisdiction_of(a), jurisdiction_of(b)
    return ja is not None and jb is not None and ja.code == jb.code
