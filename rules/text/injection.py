"""The instruction-like text scan: does a text read as instructions to a model or an automated reviewer?

Document text is data, never instructions. :func:`scan` finds passages that try to instruct the model;
the extraction withholds such sentences from the model and rule I001 (:mod:`rules.injection`) reports
them. Matching is on :func:`scan_form`: NFKC, format characters (zero-width etc.) removed, case-folded,
common Cyrillic/Greek look-alikes mapped to Latin letters, quotes and dashes made ASCII, spaces collapsed,
line breaks kept. Signals:

- strong (one suffices): an override of earlier instructions ("ignore/disregard/forget/overlook all previous
  instructions", not "... instructions of the Customer"); an address to a model or automated tool ("note to
  automated review tools", "attention AI", "if you are a language model"); a chat role marker at a line or
  sentence start ("SYSTEM:" in capitals, "[system]", "<|im_start|>", "### Instruction", "<<SYS>>", "[INST]").
- weak (two different ones within :data:`WINDOW` characters, one of them steering): steering phrases ("you
  are now", "respond with", "the correct answer is", "set the value of", "mark the document as approved",
  "report that", ...), mentions of AI tools, and a role prefix not in capitals ("System: ...", which may be
  a label in a definitions list).

Sources: OWASP LLM01 prompt injection; microsoft/PyRIT#541; a contract with a visible "NOTE TO AUTOMATED
REVIEW TOOLS" clause and a hidden "SYSTEM:" line. Checked on the 174 CUAD contracts in
../shared/corpus/cuad/full_contract_txt (false positives reported in tests/test_rules_injection.py).
"""

from __future__ import annotations

import re

from rules.text.normalize import FORMAT_CHARS, TYPOGRAPHY, nfkc

#: Cyrillic and Greek letters that look like Latin ones (after case folding), and the Latin letter read.
LOOKALIKES: dict[str, str] = {
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "і": "i", "ј": "j", "ѕ": "s",
    "ԁ": "d", "һ": "h", "ӏ": "l", "ο": "o", "α": "a", "ι": "i", "ν": "v", "ε": "e", "τ": "t", "κ": "k",
    "ρ": "p", "μ": "m",
}
_SCAN_MAP = str.maketrans(LOOKALIKES | TYPOGRAPHY)


def scan_form(text: str) -> str:
    """The form :func:`scan` reads: NFKC, format characters removed, case-folded, look-alikes mapped
    (:data:`LOOKALIKES`), quotes and dashes made ASCII, runs of spaces → one space; line breaks are kept
    as ``\\n`` so that role markers at a line start are seen."""
    t = FORMAT_CHARS.sub("", nfkc(text))
    t = t.casefold().translate(_SCAN_MAP)
    t = re.sub(r"[ \t\f\v\u00a0]+", " ", t)
    return re.sub(r" ?\n[ \n]*", "\n", t)


_AI = (r"(?:a\.?i\.?|artificial intelligence|(?:large )?language models?|llms?|chat ?bots?|chatgpt|gpt(?:-?\d[\w.]*)?"
       r"|(?:ai|virtual|digital|automated) assistants?|ai (?:models?|systems?|tools?|reviewers?|agents?|readers?)"
       r"|automated (?:(?:review(?:ing)?|contract|document|extraction|analysis) ){0,2}(?:tools?|systems?|reviewers?"
       r"|agents?|parsers?|readers?|processing|analysis|review)|machine readers?|bots?"
       r"|(?:document|contract|review|extraction|summari[sz]ation) (?:tools?|models?|bots?|agents?))")
_START = r"(?:^|(?<=[\n.!?;:>\]\)]) ?)"
_OVERRIDE_VERB = r"(?:ignore|disregard|forget|override|overlook|bypass|skip|discard|neglect|set aside)"
_EARLIER = r"(?:previous|previously given|prior|above|earlier|preceding|foregoing|original|initial|former|old|system)"
_DIRECTIVES = (r"(?:instructions?|guidance|directions?|prompts?|rules|guidelines|context|messages|commands"
               r"|directives|constraints|programming|training|task)")


def _c(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` with each space matching a space or a line break (normalized text keeps ``\\n``)."""
    return re.compile(pattern.replace(" ", "[ \n]"))


STRONG: dict[str, re.Pattern[str]] = {
    "override of earlier instructions": _c(
        rf"\b{_OVERRIDE_VERB} (?:(?:all|any|every|each|the|your|of|these|those|my|our) ){{0,3}}"
        rf"(?:{_EARLIER} ){{1,2}}(?:\w+ )?{_DIRECTIVES}\b(?! (?:of|from|given|issued|received|provided|by|sent)\b)"
    ),
    "override of the model's own instructions": _c(
        rf"\b{_OVERRIDE_VERB} (?:all |any )?(?:of )?your (?:\w+ )?{_DIRECTIVES}\b"
        rf"|\b(?:ignore|disregard|forget) (?:everything|all of the above|the above|what you (?:were|have been) told)"
    ),
    "address to a model or automated tool": _c(
        rf"\b(?:note|notice|message|memo|instructions?|reminder|warning) (?:to|for) (?:(?:all|any|the) )?{_AI}\b"
        rf"|\b(?:attention|attn|dear|hello|hi|hey)[,:]? (?:(?:all|any|the) )?{_AI}\b"
        rf"|\bif you are (?:an? |the )?(?:\w+ )?{_AI}\b"
        rf"|\b(?:to|for) (?:all|any) {_AI} ?:"
        rf"|{_START}(?:to |for )?(?:all |any )?{_AI} ?[:,] ?(?:please |kindly |you |do |ignore |disregard |report "
        rf"|respond |output |return |approve |mark |set |the correct )"
    ),
    "chat role marker": _c(
        r"\[ ?/?(?:system|inst|sys|assistant) ?\]|<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>"
        r"|<< ?/?sys ?>>|#{2,} ?(?:instructions?|system|response)\b|\b(?:begin|end) (?:of )?system prompt\b"
        rf"|{_START}(?:new|updated|revised|real|actual) instructions? ?:"
    ),
}

WEAK: dict[str, re.Pattern[str]] = {
    "steering phrase": _c(
        r"\byou are now\b|\bfrom now on,? you\b|\b(?:respond|reply|answer) (?:only )?with\b|\boutput (?:only )?the following\b"
        r"|\bthe (?:correct|right|true|real) (?:\w+ )?(?:answer|value|response|output|fee|amount) (?:is|are)\b"
        r"|\bset the (?:value|field) of\b|\bmark (?:the|this) (?:document|contract|agreement) as\b"
        r"|\b(?:auto-?approve|approve (?:this|the) (?:document|contract|agreement))\b|\bwithout human review\b"
        r"|\bdo not (?:flag|mention|report|reveal|disclose to the user)\b|\breport that\b|\bstate that\b"
        r"|\bno (?:fee|termination fee|liability) applies\b|\btreat (?:this|the following) as\b"
    ),
    "AI mention": _c(rf"\b{_AI}\b"),
    "role prefix": _c(rf"{_START}(?:system|assistant|developer) ?: ?\S"),
}

# An all-capitals chat role at a line or sentence start ("SYSTEM: ...") is strong; "System: the Licensed
# Software" (a label in a definitions list) is only a weak signal. Matched on text that keeps its case.
_ROLE_CAPS = re.compile(r"(?:^|(?<=[\n.!?;>\]\)]))[ \t]*(?:SYSTEM|ASSISTANT|DEVELOPER)[ \t]?:[ \t]?\S", re.MULTILINE)

#: How far apart (characters of :func:`scan_form`) two weak signals may stand to count as one passage.
WINDOW = 300


def scan(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """``(offset in scan_form(text), signals)`` of every passage of ``text`` that reads as instructions to a
    model, sorted by offset; ``[]`` for ordinary contract text."""
    t = scan_form(text)
    out: list[tuple[int, tuple[str, ...]]] = []
    cased = nfkc(text)
    for m in _ROLE_CAPS.finditer(cased):
        # offsets differ from ``t``; locate the same marker in the normalized text for the snippet
        i = t.find(m.group(0).strip().casefold()[:7])
        out.append((max(i, 0), ("chat role marker",)))
    for name, pat in STRONG.items():
        out.extend((m.start(), (name,)) for m in pat.finditer(t))
    weak = sorted((m.start(), name, m.group(0)) for name, pat in WEAK.items()
                  for m in pat.finditer(t))
    for i, (pos, _, _) in enumerate(weak):
        near = []
        for p, n, g in weak[i:]:
            if p - pos > WINDOW:
                break
            near.append((n, g))
        if len({g for _, g in near}) >= 2 and any(n == "steering phrase" for n, _ in near):
            out.append((pos, tuple(sorted({n for n, _ in near}))))
    return sorted(out)
