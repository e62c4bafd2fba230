"""When this agreement takes effect, as contracts say it: the agreement as the subject of a clause, the verbs of
taking effect and of dating, the last signature, and the dates the signature blocks give.

A sentence says when the contract takes effect by its structure: a subject that is this agreement (or its
term), a verb of taking effect or of dating, an anchor ("as of", "on", "upon", "when") and a value (a date, a
reference to the agreement's own date, the last signature, or another event):

- the subject (:func:`effect_clauses`): "This Agreement", "THIS ENDORSEMENT AGREEMENT (this "Agreement")",
  "This Amendment", "The term of this Agreement", "The Initial Term"; it must open its clause (the sentence
  start, or after a punctuation mark, "that", "and"): in "No amendment to this Agreement shall be effective
  ..." or "either party may terminate this Agreement effective ..." this agreement is not the subject. Between
  the subject and the verb stand only parentheses ("(the "Agreement")"), auxiliaries ("is", "shall",
  "hereby", "be", "become"), an earlier dating ("is dated <date>, and") and a "by and between ..." clause;
- the verbs: of taking effect ("is effective", "shall become effective", "takes effect", "comes into force",
  "shall commence", "begins") and of dating ("is made", "made and entered into", "is dated", "executed"); a
  dating verb followed by "effective" ("entered into effective as of") takes effect too;
- the last signature (:data:`LAST_SIGNATURE`): "the date last signed below", "the date of the last
  signature", "the later of the dates below the parties' signatures", "when signed by both parties", "upon
  execution by both parties", "upon full execution";
- the signature dates (:func:`signature_dates`): the "Date:" labels of the signature blocks after the last
  "IN WITNESS WHEREOF" (else in the document's last 3,000 characters), each followed by a date or left blank.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Literal

from rules.text.dates import DateOrder, FoundDate, find_dates
from rules.text.references import DOCUMENT_NOUNS

#: Nouns a contract calls itself by in "This <...> Agreement" (the document nouns of rules.text.references).
_SELF_NOUNS = "|".join(r"\s+".join(n.split()) for n in DOCUMENT_NOUNS)
#: A word of a contract's title ("Master", "Supply", "and"), never a determiner or a preposition.
_TITLE_WORD = (r"(?!(?:the|this|that|of|to|in|under|for|with|by|from|upon|as|on|at|between|among|shall|will|is|are|was|"
               r"be|may|must|has|have|dated|made|entered|executed)\b)[\w&.'’/-]+")
_SUBJECT = re.compile(
    rf"\b(?:this|the\s+present)\s+(?:{_TITLE_WORD}\s+){{0,6}}(?:{_SELF_NOUNS})\b"
    r"|\b(?:the\s+)?(?:initial\s+)?term\s+(?:of\s+this\s+(?:agreement|contract)|hereof)\b"
    r"|\bthe\s+(?:initial\s+)?term\b",
    re.I,
)
#: What may stand before the subject when it opens its clause.
_CLAUSE_OPENS = re.compile(r"(?:^|[.;:,()\[\]\n\"“”]|\b(?:that|and|whereas|therefore|hereby|agree|agrees)\b|\d)\s*$", re.I)
#: The masked text of a date (see :func:`effect_clauses`).
_DATE_MASK = "§"
#: What may stand between a subject and its verb, as alternatives of a pattern string: a parenthesis, a comma, an
#: auxiliary, "and", a "by and between ..." clause, an earlier dating of a date written as ``§`` (dates masked).
GAP_ALTERNATIVES = (
    r"\s*\([^()]{0,160}\)"  # (the "Agreement"), (this "Amendment")
    r"|\s*,"
    r"|\s+(?:by\s+and\s+)?(?:between|among)\s+[^;§]{1,300}?(?=,?\s+(?:is|was|shall|will|dated|made|entered|effective)\b)"
    r"|\s+(?:(?:is|was|are|shall|will|would|hereby|be|been|has|have|become|becomes|deemed|to|only|and|"
    r"made|entered\s+into|executed|delivered|signed)\b)"
    r"|\s+(?:dated|made|entered\s+into|executed)\s+(?:as\s+of\s+|on\s+)?§+"  # "is dated <date>, and is effective as of"
)
_GAP = rf"(?:{GAP_ALTERNATIVES})*?"
_VERB = (
    r"\s*(?:(?P<effect>effective|take[sn]?\s+effect|taking\s+effect|come[s]?\s+into\s+(?:full\s+)?(?:force|effect)|"
    r"enter[s]?\s+into\s+force|commence[sd]?|commencing|begin[s]?|beginning)"
    r"|(?P<dated>(?:made|entered\s+into|executed|dated|signed)(?:\s*,?\s*(?:and\s+)?(?:made|entered\s+into|executed|"
    r"dated|signed|delivered))*))\b"
)
_CLAUSE = re.compile(_GAP + _VERB, re.I)
#: A later predicate of the same subject, after a comma and within the clause: ", to be effective", ", and is
#: effective".
_LATER_EFFECT = re.compile(r",\s*(?:and\s+)?(?:(?:is|shall\s+be|will\s+be|to\s+be|being|becomes?|shall\s+become)\s+)?"
                           r"(?P<effect>effective)\b(?=[^;]*$)", re.I)
_VERB_WORD = re.compile(r"\b(?:effect\w*|force|commenc\w*|begin\w*|dated|made|entered|executed|signed)\b", re.I)
#: What follows the verb before its value: "as of", "on", "effective as of", "upon", "when".
_ANCHOR = re.compile(r"\s*,?\s*(?P<eff>(?:and\s+(?:is\s+|shall\s+be\s+)?)?effective\s+)?(?P<anchor>as\s+(?:of|from)|on|from|upon|when|once|at|"
                     r"with\s+effect\s+from)?\s*", re.I)

_BY_ALL = (r"by\s+(?:(?:both|all|each)\s+(?:of\s+)?(?:the\s+)?(?:parties|party|signatories)|the\s+parties|"
           r"the\s+last\s+(?:of\s+the\s+)?(?:parties|party|signatory|signatories))(?:\s+hereto)?")
_IT = rf"(?:(?:it|this\s+(?:\w+\s+){{0,3}}?(?:{_SELF_NOUNS}))\s+)?"
_IS = r"(?:(?:is|was|has\s+been|have\s+been|shall\s+have\s+been)\s+)?"
#: The last signature as the day a contract takes effect (what follows its verb and anchor).
LAST_SIGNATURE = (
    r"(?:(?:as\s+of|on|upon|from|when|once|after|at)\s+)?(?:"
    rf"(?:the\s+)?(?:date|day)\s+(?:on\s+which\s+|that\s+|when\s+)?{_IT}{_IS}last\s+(?:signed|executed)"
    r"|(?:the\s+)?(?:date|day)\s+of\s+(?:the\s+)?(?:last|later|latest|final|second)\s+"
    r"(?:signature|execution|party\s+to\s+(?:sign|execute))"
    r"|(?:the\s+)?(?:last|later|latest)\s+(?:of\s+the\s+)?(?:signature|execution)\s+dates?"
    r"|(?:the\s+)?later\s+of\s+the\s+(?:two\s+|respective\s+)?(?:dates|signature\s+dates|dates\s+of\s+(?:signature|execution))"
    rf"|(?:(?:the\s+)?(?:date|day)\s+(?:(?:on\s+which|when|that)\s+)?)?{_IT}{_IS}(?:duly\s+)?(?:signed|executed)\s+"
    rf"(?:and\s+delivered\s+)?{_BY_ALL}"
    rf"|(?:its\s+|the\s+)?(?:execution|signature|signing)\s+(?:and\s+delivery\s+)?(?:hereof\s+|of\s+this\s+agreement\s+)?{_BY_ALL}"
    r"|(?:the\s+(?:date\s+of\s+)?)?(?:full|mutual|complete)\s+execution"
    r"|(?:the\s+)?(?:date|day)\s+(?:on\s+which|when|that)\s+the\s+last\s+(?:party|of\s+the\s+parties|signatory)\s+"
    r"(?:signs|executes|has\s+signed|has\s+executed|shall\s+have\s+signed)"
    r")\b"
)
_LAST_SIGNATURE = re.compile(LAST_SIGNATURE, re.I)
#: A definition of the effective date as the last signature: '"Effective Date" means the date on which ...'.
_DEFINED_AS = re.compile(r"(?:[\"“](?:[A-Za-z]+\s+){0,2}?(?:effective|commencement|start)\s+date[\"”]\s*"
                         r"(?:means|shall\s+mean|:|is|shall\s+be)"
                         rf"|\bthe\s+(?:effective|commencement)\s+date(?:\s+of\s+this\s+(?:{_SELF_NOUNS}))?\s+"
                         r"(?:means|shall\s+mean|is|shall\s+be|will\s+be)"
                         r"|(?<![^\n])[ \t]*(?:effective|commencement|start)\s+date[ \t]*[:\-–])\s*", re.I)

#: A reference to the agreement's own date: "the date first written above", "the date hereof", "the date of this
#: Agreement".
AGREEMENT_DATE_REF = (r"(?:the\s+)?date\s+(?:of\s+this\s+(?:agreement|contract|deed)|hereof|first\s+(?:written|set\s+(?:out|forth)|"
                      r"stated|mentioned)\s+above|(?:first\s+)?above(?:\s+(?:written|mentioned|stated))?|"
                      r"(?:written|set\s+(?:out|forth)|stated)\s+(?:above|at\s+the\s+(?:beginning|top|head)\s+of\s+this\s+"
                      r"(?:agreement|contract))|on\s+which\s+this\s+(?:agreement|contract)\s+is\s+dated)|"
                      r"(?:the\s+)?(?:first\s+)?above[-\s](?:written|mentioned|stated)\s+date")
_AGREEMENT_DATE_REF = re.compile(AGREEMENT_DATE_REF, re.I)
#: What follows a verb of taking effect when it names no start: the defined effective date itself ("shall commence on
#: the Effective Date"), or how long, not when ("shall be effective for three years", "until", "and").
_NO_START = re.compile(r"(?:the\s+)?(?:effective|commencement|start)\s+date\b|(?:for|until|through|during|unless|and|"
                       r"in\s+accordance|as\s+(?:set\s+forth|provided)|hereunder|thereafter)\b|[,.;]|$", re.I)

EffectKind = Literal["effective", "dated"]
StartKind = Literal["date", "reference", "last_signature", "none", "event"]


@dataclass(frozen=True)
class EffectClause:
    """A clause in which this agreement takes effect or dates itself, in a searched text.

    Offsets are into that text (+ ``base``): ``start`` of the subject, ``verb_start``/``verb_end`` of the verb
    phrase ("shall become effective", "made and entered into"), ``value_start`` where its value starts (after
    the anchor "as of", "on", "upon"). ``kind``: "effective" (a verb of taking effect, or a dating verb followed
    by "effective") or "dated"; ``dating``: the verb is one of dating ("made", "entered into", "dated"), also
    when "effective" follows it; ``as_of``: the anchor is "as of"; ``term``: the subject is the agreement's term
    ("The term of this Agreement shall commence on ...")."""

    start: int
    verb_start: int
    verb_end: int
    value_start: int
    kind: EffectKind
    as_of: bool
    term: bool
    dating: bool = False


def _mask_dates(text: str) -> str:
    """``text`` with every calendar date replaced by as many ``§`` (offsets kept)."""
    out = list(text)
    for f in find_dates(text):
        if f.kind != "absolute":
            continue
        out[f.start:f.end] = _DATE_MASK * (f.end - f.start)
    return "".join(out)


def clause_subjects(sentence: str) -> list[re.Match]:
    """Where this agreement or its term is the subject of a clause in ``sentence``: each match of the subject
    ("This Agreement", "THIS SUPPLY AGREEMENT", "The term of this Agreement", "The Initial Term") that opens its
    clause (see the module docstring); "an amendment to this Agreement" and "terminate this Agreement" are not."""
    return [s for s in _SUBJECT.finditer(sentence) if _CLAUSE_OPENS.search(sentence[max(0, s.start() - 40):s.start()])]


def effect_clauses(sentence: str, base: int = 0) -> list[EffectClause]:
    """Every clause of ``sentence`` (one sentence) in which this agreement takes effect or dates itself, in
    order (see the module docstring for the structure); offsets + ``base``. Empty when the agreement is not
    the subject of such a verb: "No amendment to this Agreement shall be effective unless signed", "either party
    may terminate this Agreement effective upon notice", "the Supply Agreement dated May 8, 2008"."""
    if not _SUBJECT.search(sentence) or not _VERB_WORD.search(sentence):
        return []
    masked = _mask_dates(sentence)
    out: list[EffectClause] = []
    seen: set[int] = set()
    for s in clause_subjects(masked):
        term = bool(re.match(r"(?:the\s+)?(?:initial\s+)?term\b", s.group(0), re.I))
        pos = s.end()
        while (m := _CLAUSE.match(masked, pos)) is not None:
            verb = "effect" if m["effect"] else "dated"
            a = _ANCHOR.match(masked, m.end())
            if m.start(verb) not in seen:
                seen.add(m.start(verb))
                kind: EffectKind = "effective" if (m["effect"] or a["eff"]) else "dated"
                out.append(EffectClause(base + s.start(), base + m.start(verb), base + m.end(verb), base + a.end(),
                                        kind, bool(a["anchor"] and a["anchor"].lower().startswith("as")), term,
                                        dating=verb == "dated"))
            # the same subject's next predicate: "is dated <date>, and is effective as of <date>"; "is executed
            # in duplicate on <date> in <place>, to be effective <date>"
            d = re.match(r"§+", masked[a.end():])
            if d is not None:
                pos = a.end() + d.end()
                continue
            later = _LATER_EFFECT.search(masked, a.end())
            if later is None or later.start() in seen or _SUBJECT.search(masked, a.end(), later.start()):
                break
            seen.add(later.start("effect"))
            a = _ANCHOR.match(masked, later.end())
            out.append(EffectClause(base + s.start(), base + later.start("effect"), base + later.end(), base + a.end(),
                                    "effective", bool(a["anchor"] and a["anchor"].lower().startswith("as")), term))
            break
    return out


def start_kind(text: str, clause: EffectClause) -> StartKind:
    """What ``clause`` (found in ``text``, offsets into it) starts the agreement on, read at its value: "date" (a
    calendar date), "reference" (the agreement's own date, :data:`AGREEMENT_DATE_REF`), "last_signature",
    "none" (the defined effective date itself, or no start: "shall be effective for three years") or "event"
    (anything else: "upon the first commercial sale", "as of the date of physical completion", "immediately")."""
    v = clause.value_start
    dates = [f for f in find_dates(text[v:v + 80]) if f.kind == "absolute"]
    if dates and dates[0].start == 0:
        return "date"
    if _LAST_SIGNATURE.match(text, v):
        return "last_signature"
    if _AGREEMENT_DATE_REF.match(text, v):
        return "reference"
    if _NO_START.match(text, v):
        return "none"
    return "event"


def last_signature_at(text: str, pos: int) -> re.Match | None:
    """The last-signature phrase (:data:`LAST_SIGNATURE`) that starts at ``pos`` in ``text`` (after a verb of
    taking effect and its anchor), or ``None``."""
    return _LAST_SIGNATURE.match(text, pos)


_SENTENCE_START = re.compile(r"[.;]\s+(?=[A-Z(\"“])|\n\s*\n")


def last_signature_clause(text: str) -> tuple[int, int] | None:
    """Where ``text`` (a document) says this agreement takes effect on its last signature: the offsets of the
    clause from its subject (or the definition of the effective date) to the end of the last-signature phrase
    ("This Agreement is effective as of the date last signed below"; '"Effective Date" means the date on which
    this Agreement has been signed by both parties'), or ``None``. A clause whose subject is another thing ("Any
    amendment shall be effective only when signed by both parties") is not one."""
    for m in _LAST_SIGNATURE.finditer(text):
        head_start = max(0, m.start() - 400)
        head = text[head_start:m.start()]
        cuts = [c.end() for c in _SENTENCE_START.finditer(head)]
        s0 = head_start + (cuts[-1] if cuts else 0)
        for d in _DEFINED_AS.finditer(text, s0, m.start()):
            if d.end() == m.start():
                return d.start(), m.end()
        for c in effect_clauses(text[s0:m.end()], s0):
            at = _LAST_SIGNATURE.match(text, c.value_start)
            if at is not None and at.end() == m.end():
                return c.start, m.end()
    return None


_WITNESS = re.compile(r"\bIN\s+WITNESS\s+WHEREOF\b", re.I)
_AFTER_BLOCKS = re.compile(r"\n[ \t]*(?:EXHIBIT|SCHEDULE|ANNEX|APPENDIX|ATTACHMENT)\b", re.I)
_DATE_LABEL = re.compile(r"(?<![\w])(?:date(?:\s+(?:signed|of\s+(?:signature|execution)))?|dated|signature\s+date|"
                         r"signed\s+on)\s*:", re.I)
#: How far the signature blocks reach after "IN WITNESS WHEREOF", and how much of a document's end holds them
#: when it has no such sentence.
SIGNATURE_REACH = 3000


@dataclass(frozen=True)
class SignatureDates:
    """The dates the signature blocks of a document give: ``read``, the dates after a "Date:" label (offsets
    into the document), and ``unread``, the offsets of the labels left blank or holding no readable date
    ("Date: ____", a numeric date whose day/month order is undecided)."""

    read: list[FoundDate] = field(default_factory=list)
    unread: list[int] = field(default_factory=list)

    @property
    def latest(self) -> FoundDate | None:
        """The latest signature date, only when every label holds a readable date and there are at least two
        (one dated signature does not tell whether the other party signed later); else ``None``."""
        if self.unread or len(self.read) < 2 or any(f.value is None for f in self.read):
            return None
        return max(self.read, key=lambda f: f.value or dt.date.min)


def signature_dates(text: str, order: DateOrder | None = None, after: int = 0) -> SignatureDates:
    """The dates of the signature blocks of ``text`` (a document's stored text): each "Date:" / "Dated:" /
    "Date signed:" label after the last "IN WITNESS WHEREOF" (up to :data:`SIGNATURE_REACH` characters, and
    before an exhibit or schedule heading), or in the last :data:`SIGNATURE_REACH` characters when the text has
    no such sentence; a label is read when a date (:func:`rules.text.find_dates`, day/month ``order``) follows it
    on the same line. ``after``: an offset (the clause that refers to the signatures): the first "IN WITNESS
    WHEREOF" after it is taken, so that the blocks of an exhibit signed apart are not."""
    witness = list(_WITNESS.finditer(text))
    following = [w for w in witness if w.start() >= after]
    start = (following[0] if following else witness[-1]).end() if witness else max(0, len(text) - SIGNATURE_REACH)
    end = min(len(text), start + SIGNATURE_REACH)
    nxt = _AFTER_BLOCKS.search(text, start, end)
    end = nxt.start() if nxt else end
    read: list[FoundDate] = []
    unread: list[int] = []
    for lab in _DATE_LABEL.finditer(text, start, end):
        line_end = text.find("\n", lab.end(), end)
        window = text[lab.end():line_end if line_end >= 0 else end][:60]
        found = [f for f in find_dates(window, order=order, base=lab.end()) if f.kind == "absolute"]
        if found and found[0].value is not None and not window[:found[0].start - lab.end()].strip(" \t_"):
            read.append(found[0])
        else:
            unread.append(lab.start())
    return SignatureDates(read, unread)
