"""Where the text writes a party's name: the legal name a short form stands for, a name continued on the
next line or page, two names printed side by side, and a person named only as a signatory.

- :func:`short_form_definition` finds where the text defines a short form ("Acme", "the Company",
  "Licensee") as a quoted term and reads the legal name it stands for, in the drafting forms
  ``Acme Widgets Holdings, Inc., a Delaware corporation ("Acme")``, ``(the "Company")``, ``(hereinafter
  "Acme")``, ``(referred to herein as "Licensee")``, ``, hereinafter called "Acme",``, a definition after
  the address (``..., with offices at 12 Main Street, Springfield ("Acme")``) and ``"Acme" means Acme
  Widgets Holdings, Inc.``. The legal name is the text before the definition back to the previous party
  boundary ("between", "), and", ", and", a sentence end, "WHEREAS,"), cut after its legal form ("Inc.",
  "LLC") or before its description (", a Delaware corporation", ", residing at", ", 12 Main Street").
- :func:`longer_names` lists the longer names the text writes that start with a name and end in a legal
  form: "Northwind Trading" → "Northwind Trading Company, LLC" where the rest of the name stands on the
  next line or page. The rest is capitalised words ("&", "of" too) ending in corporate suffixes
  (:data:`rules.text.names.ENTITY_SUFFIX`), across at most one line break (or a form feed), never across a
  column gap (a tab, three spaces), a comma before an ordinary word ("Acme, Beta Supply LLC" is a list)
  or a word after "Inc.", "LLC", "Ltd." (another name begins there).
- :func:`merged_names` splits a name holding two names that each end in a legal form ("ACME WIDGETS, INC.
  BETA SUPPLY LLC": two company names printed side by side in a signature block and read as one line);
  :func:`split_is_certain` says whether the text confirms the split.
- :func:`is_signatory_only` tells a person the text names only in signature-block or notice lines ("By:
  John Smith", "Name: Jane Doe", "Attention: ...", "John Smith, President") from a party
  (:func:`is_person_name`: the shape of a person's name).

Also: :func:`defined_short_forms` (every quoted term the text defines, with the legal name before it),
:func:`stands_alone` (a name the text also writes without a longer name going on) and
:func:`has_legal_form`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rules.text.names import (
    ABBREVIATED_SUFFIXES,
    ALSO_KNOWN_AS,
    DBA,
    ENTITY_SUFFIX,
    FORMER_NAME,
    NOT_NAME_WORDS,
    is_role_or_title,
    name_key,
)

_SUFFIX = re.compile(ENTITY_SUFFIX + r"\Z")
#: Corporate suffix words that also stand inside a name ("Texas Company Holdings Inc.", "Co." before
#: "Incorporated"): another name does not necessarily begin after them.
_INNER_SUFFIXES = frozenset({"company", "co", "corporation", "limited",
                             # a first part: "Pte. Ltd.", "Pty Ltd", "Sdn. Bhd.", "GmbH & Co. KG", "Co., Ltd."
                             "pte", "pty", "sdn", "gmbh"})
_Q = "\"“”‘’'"
_QUOTED = f"[{_Q}]"


def _is_suffix(token: str) -> bool:
    return bool(_SUFFIX.match(token.rstrip(",")))


def _ends_a_name(token: str) -> bool:
    """A suffix after which no word of the same name follows ("Inc.", "LLC", "Ltd.", "GmbH")."""
    return _is_suffix(token) and token.rstrip(",.").lower() not in _INNER_SUFFIXES


def has_legal_form(name: str) -> bool:
    """``name`` holds a corporate suffix as written (:data:`rules.text.names.ENTITY_SUFFIX`: "Inc.", "LLC",
    "Company", "GmbH"), as a word of its own."""
    return any(_is_suffix(t) for t in name.replace(",", " ").split())


def _words_pattern(name: str) -> str:
    return r"\s+".join(re.escape(w) for w in name.split())


# --- short forms ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ShortFormDefinition:
    """Where the text defines a short form: ``term`` as written between the quotes, ``start``/``end`` the
    offsets of the definition (the parenthesis, the "hereinafter" phrase, the "means" sentence), and
    ``legal_name`` the legal name it stands for as the text writes it (whitespace collapsed), or ``None``
    when none can be read there."""

    term: str
    start: int
    end: int
    legal_name: str | None


#: Where a name before a definition begins: after "between"/"among", a closing definition and "and", ", and"
#: before a capitalised word, a description ending in "and" before one, a semicolon or colon, "WHEREAS", a
#: sentence end (not after "Inc.", "No.", "St.", an initial ...), a blank line (not before a lower-case word:
#: "Foundation Medicine, Inc." / "with an office at ...").
_ABBREV_LOOKBEHIND = "".join(rf"(?<!\b{w})" for w in (*ABBREVIATED_SUFFIXES, "No", "St", "Ave", "Rd", "Ste", "Blvd",
                                                        "Mr", "Ms", "Mrs", "Dr", "Jr", "Sr", "Bldg", "Fl"))
_BOUNDARY = re.compile(
    r"\bby\s+and\s+between\b|\bbetween\b|\bamong\b|\bBETWEEN\b|\bAMONG\b|\)\s*[,;]?\s*and\b|;\s*and\b|[;:]\s"
    r"|,\s+and\s+(?=[A-Z(])|\b(?:corporation|company|partnership|association|individual|entity)\s*,?\s+and\s+(?=[A-Z])"
    r"|\b(?:WHEREAS|Whereas|RECITALS?)\b,?"
    r"|" + _ABBREV_LOOKBEHIND + r"(?<!\b[A-Za-z])\.\s+(?=[A-Z(])|\n[ \t]*\n(?!\s*[a-z])"
)
#: Another party's definition: a parenthesis holding a quoted term ("(“Heritage”)").
_OTHER_DEFINITION = re.compile(r"\([^()]*[\"“”‘’'][^()]*\)")
#: What may stand before the name at the start of its segment: connectors, a party number ("(1)", "1.",
#: "(a)"), an opening quote.
_LEAD = re.compile(r"^(?:\s|[,\"“]|\((?:\d{1,2}|[a-z]|[ivx]{1,4})\)|\d{1,2}[.)]\s|(?:and|or|by|with|the|to|of)\b)+",
                   re.I)
_LEAD_KEEP_THE = re.compile(r"^The\s+[A-Z]")
#: What follows a name and is not part of it: an entity description (", a Delaware corporation", ", an
#: individual"), an address (", 12 Main Street", " with offices at", " located in"), a registration.
_AFTER_NAME = re.compile(
    r",\s*(?:an?|the)\s+(?!Inc\b|Ltd\b)[A-Za-z]"
    r"|,?\s+(?:with|having|whose|which|located|residing|resident|domiciled|organi[sz]ed|incorporated|existing|duly|"
    r"acting|at|c/o|registered)\b"
    r"|,\s*(?:of\s+)?\d|\s+of\s+\d|\s*\(|,\s*(?:P\.?\s?O\.?\s+Box|Suite|Attn)\b"
)
#: Lower-case words a legal name may hold ("Quill and Ember Retail, LLC", "Bank of the West", "XIMAGE
#: corporation").
_NAME_CONNECTORS = frozenset({"and", "of", "the", "for", "de", "du", "la", "le", "von", "van", "der", "&",
                              "corporation", "company", "limited", "incorporated", "inc.", "inc", "ltd.", "llc", "plc"})
_NAME_SHAPE = re.compile(r"^[A-Z0-9][\w.,&'’()/\- ]{1,118}$")  # "/" of "A/S"
_TOKEN = re.compile(r"[^\s,()\"“”]+|,")
_TRAILING_NAME = re.compile(r"((?:[A-Z][\w&'’.\-]*|&|of|the|de)(?:\s+(?:[A-Z][\w&'’.\-]*|&|of|the|de))*),?\s*$")
#: Words before a name that make it part of a description or an address, not a party: "a Nevada
#: Corporation", "c/o Corporation Service Company", "at", "Attn".
_NOT_A_PARTY_BEFORE = frozenset({"a", "an", "c/o", "at", "attn", "attn.", "attention", "of"})


#: A d/b/a, former name or alias phrase right before a name: that name is another name of the party before.
_ANOTHER_NAME_BEFORE = re.compile(rf"\b(?:{DBA}|{FORMER_NAME}|{ALSO_KNOWN_AS}|a\.k\.a\.?)\s*$", re.I)


def _is_name_word(tok: str) -> bool:
    return bool(re.match(r"[A-Z]", tok)) and tok.lower().strip(".:") not in NOT_NAME_WORDS


def _names_ending_in_legal_form(segment: str) -> list[tuple[int, int]]:
    """Offsets of the names in ``segment`` that end in a corporate suffix, left to right, none inside
    another: capitalised words (joined by "and", "&", "of", "the", "de"; digits only right before the
    suffix, a comma only before a suffix), then suffixes; a name is never continued after "Inc.", "LLC".
    A name in a parenthesis, after "d/b/a" or "formerly known as", or in a description or an address ("a
    Nevada Corporation", "c/o ...") is left out."""
    toks = list(_TOKEN.finditer(segment))
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        prev_tok = toks[i - 1].group(0) if i else ""
        if not _is_name_word(toks[i].group(0)) or _is_suffix(toks[i].group(0)) or _is_suffix(prev_tok) \
                or (_is_name_word(prev_tok) and prev_tok.lower() != "the"):
            i += 1  # a name starts after a word that is not part of one ("a Limited Liability Company")
            continue
        before = toks[i - 1].group(0).lower() if i else ""
        end_tok, j, prev = None, i + 1, toks[i].group(0)
        while j < len(toks):
            t = toks[j].group(0)
            if t == ",":
                if j + 1 < len(toks) and _is_suffix(toks[j + 1].group(0)):
                    j += 1
                    continue
                break
            if _is_suffix(t):
                end_tok, prev = j, t
                j += 1
                continue
            if _ends_a_name(prev):
                break
            if _is_name_word(t) or t in ("&", "and", "of", "the", "de", "du", "AND", "OF", "THE") or (
                    t[:1].isdigit() and j + 1 < len(toks) and (_is_suffix(toks[j + 1].group(0))
                                                              or toks[j + 1].group(0) == ",")):
                prev = t
                j += 1
                continue
            break
        if end_tok is None:
            i += 1
            continue
        head = segment[:toks[i].start()]
        if (before not in _NOT_A_PARTY_BEFORE and head.count("(") <= head.count(")")
                and not _ANOTHER_NAME_BEFORE.search(head)):
            start = toks[i - 1].start() if before == "the" and toks[i - 1].group(0)[:1].isupper() else toks[i].start()
            out.append((start, toks[end_tok].end()))
        i = end_tok + 1  # a name left out is skipped whole ("a division of Arkansas Western Gas Company")
    return out


def _valid_name(name: str, alias: str) -> bool:
    words = [w.strip("()") for w in name.split() if w.strip("()")]
    return bool(_NAME_SHAPE.match(name) and len(words) <= 12
                and not is_role_or_title(name)
                and all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _NAME_CONNECTORS for w in words)
                and any(w[:1].isupper() and w.lower() not in NOT_NAME_WORDS for w in words))


def _name_in(segment: str, alias: str, *, nearest_end: bool) -> str | None:
    """The legal name in ``segment``: the text before a definition back to a party boundary
    (``nearest_end``: the name nearest its end), or the text after "means" (the first name)."""
    cut_at_other = False
    others = list(_OTHER_DEFINITION.finditer(segment)) if nearest_end else []
    if others:
        segment, cut_at_other = segment[others[-1].end():], True
    flat = " ".join(segment.split())
    found = [(s, e) for s, e in _names_ending_in_legal_form(flat) if _valid_name(flat[s:e].strip(" ,"), alias)]
    if found:
        k = 0
        # before a definition: the nearest name, unless a description or an address separates it from an
        # earlier one ("GALEN (CHEMICALS) LIMITED of 4 Adelaide Street, Dun Laoghaire, Co. Dublin")
        while nearest_end and k + 1 < len(found):
            between = flat[found[k][1]:found[k + 1][0]]
            if re.search(r"\d", between) or _AFTER_NAME.search(between):
                break
            k += 1
        return flat[found[k][0]:found[k][1]].strip(" ,")
    if cut_at_other:  # "... , a Delaware corporation at 12 Main St and John Smith ("Consultant")"
        ands = list(re.finditer(r"\band\s+(?=[A-Z])", segment))
        segment = segment[ands[-1].end():] if ands else segment
    cols = [c for c in re.split(r" {3,}|\t", segment) if c.strip()]
    if len(cols) > 1 and any(ch.isdigit() for c in cols[1:] for ch in c):
        segment = cols[0]  # a name followed by an address laid out in columns
    lines = segment.split("\n")
    for k in range(len(lines)):  # the whole segment first, then without its leading lines (a title above it)
        cand = " ".join(" ".join(lines[k:]).split())
        if not _LEAD_KEEP_THE.match(cand):
            cand = _LEAD.sub("", cand)
        m = _AFTER_NAME.search(cand)
        name = (cand[:m.start()] if m else cand).strip(" ,;:\"'“”")
        if not re.search(r"\d", name) and _valid_name(name, alias):  # a digit here is an address's
            return name
    flat = " ".join(segment.split())
    run = _TRAILING_NAME.search(flat) if nearest_end and not re.search(r"\d", flat) else None
    if run and re.search(r"\b[a-z]+\s*$", flat[:run.start()]):
        # in running text, no address: the capitalised words right before the definition ("... of Peyton Manning")
        name = _LEAD.sub("", run.group(1)).strip()
        words = name.split()
        if (name and _valid_name(name, alias) and not all(_is_suffix(w) for w in words)
                and not any(w.lower() in NOT_NAME_WORDS for w in words if w not in _NAME_CONNECTORS)):
            return name
    return None


def _definition_patterns(alias: str) -> tuple[re.Pattern, ...]:
    a = _words_pattern(alias)
    term = rf"{_QUOTED}\s*{a}\s*[,.]?{_QUOTED}"
    paren = re.compile(rf"\((?:[^()]{{0,80}}?[\s(\"“”‘’'])?(?:the\s+)?{term}", re.I)
    others = rf"(?:{_QUOTED}[^\"“”\n]{{1,40}}{_QUOTED}\s*(?:,|or|and)\s*(?:the\s+)?)*"
    called = re.compile(
        rf"\b(?:hereinafter|herein|hereafter|referred\s+to|called|known\s+as|defined\s+as)\b[^()\n\"“”]{{0,40}}?"
        rf"(?:the\s+)?{others}{term}", re.I)
    # "(hereinafter referred to as XIMAGE)": unquoted, but named a short form by the words before it
    # ", hereinafter called the Carrier, and ...": unquoted, between commas, after "hereinafter" and a naming verb
    unquoted = re.compile(rf"\(\s*(?:hereinafter|herein|hereafter)?\s*(?:referred\s+to\s+(?:herein\s+)?as|called|"
                          rf"known\s+as|defined\s+as)\s+(?:the\s+)?{a}\s*\)"
                          rf"|,\s*(?:hereinafter|herein|hereafter)\s+(?:referred\s+to\s+(?:herein\s+)?as|called|"
                          rf"known\s+as|defined\s+as)\s+(?:the\s+)?{a}\s*(?=[,;:)]|\.(?:\s|$)|$)", re.I)
    means = re.compile(rf"{term}\s+(?:shall\s+)?(?:means?|refers?\s+to|shall\s+refer\s+to)\s+", re.I)
    return paren, called, unquoted, means


def _legal_name_before(text: str, pos: int, alias: str) -> str | None:
    """The legal name a definition at ``text[pos]`` stands for: the name in the 400 characters before it,
    from the last party boundary (:data:`_BOUNDARY`)."""
    window = text[max(0, pos - 400):pos]
    cut = 0
    for b in _BOUNDARY.finditer(window):
        rest = window[b.end():]
        if b.end() < len(window.rstrip()) and rest.count(")") <= rest.count("("):  # not inside "(OTC: XYZ)"
            cut = b.end()
    return _name_in(window[cut:], alias, nearest_end=True)


_DEFINING_PAREN = re.compile(r"\((?P<inside>[^()]{0,120})\)")
_TERM_IN_PAREN = re.compile(r"[\"“‘]\s*([^\"“”‘’]{1,40}?)\s*[,.]?[\"”’]")
_CALLED_TERM = re.compile(r"\b(?:hereinafter|herein|hereafter|referred\s+to|called|known\s+as)\b[^()\n\"“”]{0,40}?"
                          r"(?:the\s+)?[\"“]([^\"“”]{1,40}?)[,.]?[\"”]", re.I)


def defined_short_forms(text: str) -> list[ShortFormDefinition]:
    """Every quoted term ``text`` defines in a parenthesis (``("H&P" or the "Supplier")``) or after
    "hereinafter" / "referred to as" / "called", with the legal name written before it (``legal_name``
    ``None`` where none can be read: a document's title, a defined date), in text order. One pass over
    the text, for assigning a party's defined terms."""
    out: list[ShortFormDefinition] = []
    for m in _DEFINING_PAREN.finditer(text):
        terms = [t for t in _TERM_IN_PAREN.findall(m["inside"]) if t.strip()]
        if not terms:
            continue
        legal = _legal_name_before(text, m.start(), terms[0])
        out.extend(ShortFormDefinition(" ".join(t.split()), m.start(), m.end(), legal) for t in terms
                   if legal is None or name_key(legal) != name_key(t))
    for m in _CALLED_TERM.finditer(text):
        if text.rfind("(", 0, m.start()) > text.rfind(")", 0, m.start()):
            continue  # inside a parenthesis: read above
        legal = _legal_name_before(text, m.start(), m.group(1))
        if legal is None or name_key(legal) != name_key(m.group(1)):
            out.append(ShortFormDefinition(" ".join(m.group(1).split()), m.start(), m.end(), legal))
    out.sort(key=lambda d: d.start)
    return out


def short_form_definition(alias: str, text: str) -> ShortFormDefinition | None:
    """Where ``text`` defines ``alias`` (a short form: "Acme", "the Company"; a leading "the" is dropped)
    as a quoted term (or, after "referred to as" / "called" in a parenthesis, unquoted), and the legal
    name it stands for (see the module docstring for the forms). Before a definition, the legal name is
    the name nearest it that ends in a legal form, after another party's definition and not in a
    description or address ("a Nevada Corporation", "c/o ..."); failing that, the text from the party
    boundary up to a description or address; failing that, the capitalised words right before the
    definition ("the endorsement of Peyton Manning (hereinafter called \"Manning\")").

    The first definition whose legal name can be read wins; failing that, the first definition with
    ``legal_name`` ``None``. ``None`` when the text defines no such term (a name defined as itself,
    'Veoneer AB, a Swedish corporation ("Veoneer AB")', is no short form). Case-insensitive; straight or
    typographic quotes. Example: ``short_form_definition("the Company", 'Acme Widgets Holdings, Inc., a
    Delaware corporation (the "Company")').legal_name == "Acme Widgets Holdings, Inc."``."""
    alias = " ".join(alias.split())
    alias = re.sub(r"^the\s+", "", alias, flags=re.I).strip(" \"'“”‘’")
    return _short_form_definition(alias, text) if alias else None


@functools.lru_cache(maxsize=512)
def _short_form_definition(alias: str, text: str) -> ShortFormDefinition | None:
    """:func:`short_form_definition` of a cleaned ``alias``; cached: the reader and the rules ask for the
    same names of one document."""
    paren, called, unquoted, means = _definition_patterns(alias)
    found: list[ShortFormDefinition] = []
    for pat in (paren, called, unquoted):
        for m in pat.finditer(text):
            legal = _legal_name_before(text, m.start(), alias)
            if legal is None or name_key(legal) != name_key(alias):  # 'Veoneer AB ("Veoneer AB")' is no short form
                found.append(ShortFormDefinition(alias, m.start(), m.end(), legal))
    for m in means.finditer(text):
        after = text[m.end():m.end() + 300]
        stop = re.search(r"[;\n]|" + _ABBREV_LOOKBEHIND + r"\.(?:\s|$)", after)
        body = after[:stop.start()] if stop else after
        legal = _name_in(body, alias, nearest_end=False)
        if legal is None or name_key(legal) != name_key(alias):
            found.append(ShortFormDefinition(alias, m.start(), m.end() + len(body), legal))
    found.sort(key=lambda d: d.start)
    return next((d for d in found if d.legal_name), found[0] if found else None)


# --- names cut short -----------------------------------------------------------------------------------

#: Space between two words of one name: one or two spaces, or one line break or form feed (the next line or
#: page), never a blank line, a tab or a wider gap (another column).
_NAME_GAP = r"(?: {1,2}|[ ]*(?:\n|\f|\n\f|\f\n|\n\f\n)[ ]*)"
_NEXT_WORD = re.compile(r"(?P<comma>,?)" + _NAME_GAP + r"(?P<tok>[A-Z][\w&'’.\-]*|&|of)(?![\w&])")


def _continuation_end(text: str, pos: int, last_word: str) -> int | None:
    """End offset of the longest run of name words after ``text[pos]`` that ends in a corporate suffix,
    or ``None``."""
    end, prev = None, last_word
    for _ in range(8):
        m = _NEXT_WORD.match(text, pos)
        if not m:
            break
        tok = m["tok"].rstrip(",")
        suffix = _is_suffix(tok)
        if not suffix and tok not in ("&", "of") and tok.lower() in NOT_NAME_WORDS:
            break  # "AND", "THE", "BY": the name has ended
        if (m["comma"] or _is_suffix(prev) or prev.endswith(",")) and not suffix:
            break  # "Acme, Beta Supply LLC" is a list; after "Inc." or "Corporation" only suffixes follow
        pos = m.end("tok") - (len(m["tok"]) - len(tok))
        prev = tok
        if suffix:
            keep_stop = "." in tok[:-1] or tok.rstrip(".").lower() in {s.lower() for s in ABBREVIATED_SUFFIXES}
            end = pos if not tok.endswith(".") or keep_stop else pos - 1
    return end


def _occurrences(name: str, text: str) -> list[tuple[int, int | None]]:
    """(start, end of the longer name or ``None``) of each occurrence of ``name`` in ``text`` (see
    :func:`longer_names`)."""
    name = " ".join(name.split()).strip(" ,;")
    words = name.split()
    if not words or not name[:1].isalpha() or not any(_is_name_word(w) for w in words) or is_role_or_title(name):
        return []  # a role word before a name ("LICENSEE XACCT TECHNOLOGIES, INC.") is a label, not its start
    out = []
    for m in re.finditer(r"(?<![\w&])" + _words_pattern(name) + r"(?![\w&])", text, re.I):
        before = text[text.rfind("\n", 0, m.start()) + 1:m.start()].split()
        if before and before[-1][:1].isupper() and before[-1].lower().strip(",:") not in NOT_NAME_WORDS \
                and not before[-1].endswith((",", ":", ";", ".")):
            continue  # inside a longer name ("Alpha Beta Supply LLC" for "Beta Supply")
        out.append((m.start(), _continuation_end(text, m.end(), words[-1])))
    return out


def stands_alone(name: str, text: str) -> bool:
    """``text`` writes ``name`` at least once without a longer name going on from it (:func:`longer_names`):
    "John Smith, an individual" beside "John Smith Consulting LLC"."""
    return any(end is None for _, end in _occurrences(name, text))


def longer_names(name: str, text: str) -> list[str]:
    """The longer names ``text`` writes that begin with ``name`` (matched case-insensitively, as whole
    words, not inside a longer capitalised name) and end in a legal form, whitespace collapsed, distinct
    by :func:`rules.text.names.name_key`, in text order: ``longer_names("Northwind Trading", "between
    Northwind Trading\\nCompany, LLC, a Texas ...") == ["Northwind Trading Company, LLC"]``. After a
    suffix only suffixes follow ("Acme Company" → "Acme Company, LLC", never "Acme Company Beta LLC")."""
    out: list[str] = []
    seen = {name_key(name)}
    for start, end in _occurrences(name, text):
        if end is None:
            continue
        longer = " ".join(text[start:end].split())
        if name_key(longer) not in seen:
            seen.add(name_key(longer))
            out.append(longer)
    return out


# --- two names in one ----------------------------------------------------------------------------------

def merged_names(name: str) -> list[str]:
    """The names ``name`` holds when it is two or more names each ending in a legal form and each with a
    word that is not a suffix ("ACME WIDGETS, INC. BETA SUPPLY LLC" → ``["ACME WIDGETS, INC.", "BETA SUPPLY
    LLC"]``, "Acme Inc. and Beta Supply LLC" → ``["Acme Inc.", "Beta Supply LLC"]``); ``[]`` for one name
    ("Morgan Stanley & Co. LLC", "Northwind Trading Company, LLC", "Corporation Service Company"). A name
    is cut only after a suffix followed by a capitalised word that is no suffix (or by "and" and one)."""
    flat = " ".join(name.split())
    toks = list(re.finditer(r"\S+", flat))
    words = [t.group(0) for t in toks]

    def starts_name(k: int) -> bool:
        return k < len(words) and _is_name_word(words[k]) and not _is_suffix(words[k])

    # a cut: (index of the suffix ending a name, index of the first word of the next name)
    cuts = [(k, k + 1) if starts_name(k + 1) else (k, k + 2) for k in range(len(words) - 1)
            if _is_suffix(words[k]) and (starts_name(k + 1) or (words[k + 1].lower() == "and" and starts_name(k + 2)))]

    def parts_for(cs: list[tuple[int, int]]) -> list[tuple[int, int]]:
        starts = [0, *(n for _, n in cs)]
        ends = [*(k for k, _ in cs), len(words) - 1]
        return list(zip(starts, ends))

    def valid(a: int, b: int) -> bool:
        return _is_suffix(words[b]) and any(not _is_suffix(w) for w in words[a:b + 1])

    while cuts:  # drop a cut that leaves a part without a name word or without a legal form
        bad = [i for i, (a, b) in enumerate(parts_for(cuts)) if not valid(a, b)]
        if not bad:
            break
        cuts.pop(min(bad[0], len(cuts) - 1))
    if not cuts:
        return []
    return [flat[toks[a].start():toks[b].end()].strip(" ,") for a, b in parts_for(cuts)]


def split_is_certain(name: str, parts: list[str], text: str) -> bool:
    """Whether ``parts`` (:func:`merged_names` of ``name``) are separate names for sure: every cut follows
    a suffix after which no name goes on ("Inc.", "LLC", "Ltd.", not "Company"), or the text writes each
    part apart from the others (another occurrence, or a tab, a wide gap or a line break between them)."""
    if not parts:
        return False
    if all(_ends_a_name(p.split()[-1]) for p in parts[:-1]):
        return True
    merged = len(re.findall(_words_pattern(name), text, re.I))
    for a, b in zip(parts, parts[1:]):
        if re.search(_words_pattern(a) + r"(?:\t|\s{3,}|\s*\n\s*)" + _words_pattern(b), text, re.I):
            continue
        if not all(len(re.findall(r"(?<![\w&])" + _words_pattern(p) + r"(?![\w&])", text, re.I)) > merged
                   for p in (a, b)):
            return False
    return True


# --- signatories ---------------------------------------------------------------------------------------

_TITLE_WORDS = (r"(?:(?:executive|senior|assistant|deputy)\s+)?(?:vice\s+president|president|chief\s+\w+(?:\s+\w+)?\s+"
                r"officer|ceo|cfo|coo|cto|cio|vp|evp|svp|director|managing\s+director|manager|managing\s+member|"
                r"member|general\s+partner|partner|secretary|treasurer|chairman|chairperson|chair|owner|principal|"
                r"authori[sz]ed\s+(?:signatory|representative|officer)|general\s+counsel|founder|trustee)")
_LABEL = (r"(?:by|name|print(?:ed)?\s+name|name\s+and\s+title|signature|signed(?:\s+by)?|witness(?:ed\s+by)?|"
          r"attention|attn|contact(?:\s+person)?|signatory)")
#: A label before a person's name in a signature block or a notice address (the line's text before the
#: name): a label with a colon or dash ("By:", "Name:", "Attn."), a label alone at the start of the line,
#: "represented by", "its President," or "/s/".
_LABEL_BEFORE = re.compile(
    rf"(?:\b{_LABEL}(?:\s*\([^()\n]{{1,20}}\))?\s*[:\-–.]|\A\s*{_LABEL}|\brepresented\s+by|\bacting\s+(?:by|through)"
    rf"|\b(?:its|their)\s+{_TITLE_WORDS}\s*,?|/s/)\s*(?:/s/\s*)?[\"“]?\s*\Z", re.I)
#: A title after a person's name on its line ("John Smith, President", "John Smith - CEO").
_TITLE_AFTER = re.compile(rf"\A\s*(?:,|-|–|\()?\s*(?:its\s+|the\s+)?{_TITLE_WORDS}\b", re.I)
#: A line of a signature block: "By ...", "/s/ ...", "Name:", "Title:", "Its:", "Date:", "Signed", "Signature".
_SIGNATURE_LINE = re.compile(r"\A\s*(?:by\b|/s/|(?:name|title|its|date)\s*:|signed\b|signature\b)", re.I)
_PERSON_WORD = re.compile(r"(?:[A-Z][a-zA-Z'’\-]+|[A-Z]\.|[A-Z][a-z]*\.)\Z")


def is_person_name(name: str) -> bool:
    """``name`` reads as a natural person's name: two to five capitalised words or initials ("John Smith",
    "Mary J. Jones", "JOHN SMITH"), no legal form, no digits, no role word or document title."""
    words = " ".join(name.split()).split()
    return (2 <= len(words) <= 5 and all(_PERSON_WORD.match(w) for w in words) and not has_legal_form(name)
            and not is_role_or_title(name) and not any(w.lower() in NOT_NAME_WORDS for w in words))


#: After an entity that acts for a party: ", its general partner", ", its managing member", ", its manager",
#: ", its sole member", ", its trustee", ", its attorney-in-fact" ("By: Larch GP LLC, its general partner" signs
#: for the partnership above it). "as general partner" is not one: a general partner may be a party itself.
_ACTS_FOR = re.compile(r"\s*,?\s*its\s+(?:sole\s+|managing\s+|general\s+)?(?:general\s+partner|managing\s+member|"
                       r"manager|member|trustee|attorney[\s-]+in[\s-]+fact)\b", re.I)


def acts_only_for_another(name: str, text: str) -> bool:
    """True when ``text`` writes ``name`` at least once and, every time, followed by the capacity in which it
    acts for the party before it (", its general partner", ", its managing member", ", its manager", ", its
    sole member", ", its trustee", ", its attorney-in-fact"): the entity signs for a party and is not one."""
    found = False
    for m in re.finditer(r"(?<![\w&])" + _words_pattern(name) + r"(?![\w&])", text, re.I):
        if not _ACTS_FOR.match(text, m.end()):
            return False
        found = True
    return found


def is_signatory_only(name: str, text: str) -> bool:
    """True when ``name`` is a person's name (:func:`is_person_name`) that ``text`` writes at least once and
    only in signature-block or notice lines: after a label ("By:", "Name:", "Signature:", "Attention:",
    "/s/", "its President,"), before a title on its line ("John Smith, President"), on a line of its own
    within two lines of a signature-block line ("By", "/s/", "Name:", "Title:", "Signed"). A person named
    in running text ("between Acme Inc. and John Smith, an individual") is not one. Also true for any name
    that acts only for another party (:func:`acts_only_for_another`: "By: Larch GP LLC, its general
    partner")."""
    if acts_only_for_another(name, text):
        return True
    if not is_person_name(name):
        return False
    found = False
    for m in re.finditer(r"(?<![\w&])" + _words_pattern(name) + r"(?![\w&])", text, re.I):
        found = True
        ls = text.rfind("\n", 0, m.start()) + 1
        le = text.find("\n", m.end())
        le = len(text) if le < 0 else le
        before, after = text[ls:m.start()], text[m.end():le]
        if _LABEL_BEFORE.search(before) or _TITLE_AFTER.match(after):
            continue
        alone = not before.strip(" \t_") and not after.strip(" \t,.")
        near = text[:ls].split("\n")[-3:-1] + text[le + 1:].split("\n")[:2]
        if alone and any(_SIGNATURE_LINE.match(line) for line in near):
            continue
        return False
    return found
