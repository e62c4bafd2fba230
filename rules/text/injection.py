"""The instruction-like text scan: does a text read as instructions to a model or an automated reviewer?

Document text is data, never instructions. :func:`scan` finds passages that try to instruct the model;
the extraction withholds such sentences from the model and rule I001 (:mod:`rules.injection`) reports
them. Matching is on :func:`scan_form`, a form in which the usual disguises of a phrase are undone:

- NFKC (full-width letters, mathematical alphanumerics "𝐈𝐠𝐧𝐨𝐫𝐞", ligatures → plain letters), format
  characters (zero-width etc.) removed;
- look-alike letters of other scripts read as the Latin letter they imitate (:data:`LOOKALIKES`, built from the
  Unicode confusables table of UTS 39 that the ``confusable_homoglyphs`` package ships), in every word that
  mixes them with Latin letters or is made of them alone ("Іgnоrе", "ΙGΝΟRΕ"); words of another script
  ("Игнорируй") keep their letters;
- letters spaced out or separated ("I G N O R E", "i.g.n.o.r.e", "D-I-S-R-E-G-A-R-D") joined into their word;
- case-folded, quotes and dashes made ASCII, runs of spaces → one space, line breaks kept.

Signals:

- strong (one suffices): an override of earlier instructions ("ignore/disregard/forget all previous
  instructions", not "... instructions of the Customer"), also written in French, German, Spanish, Italian,
  Portuguese, Dutch, Polish, Russian, Chinese, Japanese or Korean (:data:`OVERRIDE_ELSEWHERE`), and with its words
  broken apart ("ig nore all pre vious in struc tions", found on the text with its spaces and punctuation
  dropped); an address to a model, an assistant, the extraction step or any software reading the text ("note to
  automated review tools", "Assistant, use ...", "any software processing this text is requested to ...", "if
  you are a language model", "the extractor must set ...", in those languages too); a chat-template role or
  turn marker of any common family (ChatML ``<|im_start|>``, Llama 3 ``<|start_header_id|>``, OpenAI harmony
  ``<|start|>``/``<|message|>``, Phi ``<|system|>``, DeepSeek ``<｜User｜>``, Gemma ``<start_of_turn>``, Llama 2 /
  Mistral ``[INST]``/``<<SYS>>``, Alpaca ``### Instruction``, a "Human:" turn followed by an "Assistant:" turn,
  a JSON ``"role": "system"`` message, "SYSTEM:" in capitals at a line start); the prompt's own delimiters in
  any case (``</Contract>``, ``</ document >``, ``<instructions>``) or an "end of contract" followed by new
  instructions; a field name of the extraction written as an identifier ("governing_law", "auto_accept").
- weak (two different ones within :data:`WINDOW` characters, one of them steering): steering phrases ("you
  are now", "respond with", "the correct answer is", "set the value of", "mark the document as approved",
  "report that", ...), mentions of AI tools, and a role prefix not in capitals ("System: ...", which may be
  a label in a definitions list).

Sources: OWASP LLM01 prompt injection; microsoft/PyRIT#541; Unicode Technical Standard 39 (confusables); the chat templates of
the Qwen/ChatML, Llama 2 and 3, Mistral, Gemma, Phi-3, DeepSeek, gpt-oss (harmony) and Anthropic model families; a
contract with a visible "NOTE TO AUTOMATED REVIEW TOOLS" clause and a hidden "SYSTEM:" line. Checked on the 174
CUAD contracts in ../shared/corpus/cuad/full_contract_txt (no passage flagged: tests/test_rules_injection.py)
and measured on the blind phrasings of benchmarks/injection_blind*.yaml (benchmarks/bench_injection.py).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables as _confusables

from rules.text.normalize import FORMAT_CHARS, TYPOGRAPHY, nfkc


def _ascii_lookalike(ch: str) -> str | None:
    """The ASCII letter ``ch`` (a letter of another script) imitates by the UTS 39 confusables table, following
    the table's links up to three steps ("ε" → "ꞓ" → "e"); an upper-case letter reads as an upper-case one (the
    table's prototype of "І" and "Ι" is "l": read "I"). ``None`` when it imitates none."""
    seen, frontier = {ch}, [ch]
    for _ in range(3):
        nxt = []
        for c in frontier:
            for h in _confusables.confusables_data.get(c, []):
                t = h["c"]
                if len(t) == 1 and t.isascii() and t.isalpha():
                    if ch.isupper() and t == "l":
                        return "I"
                    return t.upper() if ch.isupper() else t.lower()
                if len(t) == 1 and t not in seen:
                    seen.add(t)
                    nxt.append(t)
        frontier = nxt
    return None


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, str]:
    out: dict[str, str] = {}
    for ch in _confusables.confusables_data:
        if len(ch) == 1 and not ch.isascii() and ch.isalpha():
            a = _ascii_lookalike(ch)
            if a is not None:
                out[ch] = a
    return out


#: Letters of other scripts that look like a Latin letter, and the Latin letter read (Unicode UTS 39
#: confusables, from the ``confusable_homoglyphs`` package; upper-case letters read upper-case).
LOOKALIKES: dict[str, str] = _lookalikes()
_LOOKALIKE_MAP = str.maketrans(LOOKALIKES)
_TYPO_MAP = str.maketrans(TYPOGRAPHY)
_WORD = re.compile(r"[^\W\d_]+")
#: Single letters separated by one space, dot, hyphen, underscore, star or middle dot, at least three of them:
#: "I G N O R E", "i.g.n.o.r.e", "D-I-S-R-E-G-A-R-D".
_SPACED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_][ .\-_*\u00b7]){2,}[^\W\d_](?![^\W\d_])")


def _latin(word: str) -> str:
    """``word`` with look-alike letters read as Latin when it holds a Latin letter or only look-alikes."""
    if word.isascii():
        return word
    mapped = word.translate(_LOOKALIKE_MAP)
    has_latin = any("LATIN" in unicodedata.name(c, "") for c in word if c.isascii() or c not in LOOKALIKES)
    return mapped if has_latin or mapped.isascii() else word


def _join_spaced(m: re.Match) -> str:
    return re.sub(r"[ .\-_*\u00b7]", "", m.group(0))


def scan_form(text: str) -> str:
    """The form :func:`scan` reads (see the module docstring): NFKC, format characters removed, look-alike
    letters read as Latin (:data:`LOOKALIKES`), spaced-out letters joined, case-folded, quotes and dashes made
    ASCII, runs of spaces → one space; line breaks are kept as ``\\n`` so that role markers at a line start are
    seen. Example: ``scan_form("І G N O R E  аll") == "ignore all"``."""
    t = FORMAT_CHARS.sub("", nfkc(text))
    t = _WORD.sub(lambda m: _latin(m.group(0)), t)
    t = _SPACED.sub(_join_spaced, t)
    t = t.casefold().translate(_TYPO_MAP)
    t = re.sub(r"[ \t\f\v\u00a0\u3000]+", " ", t)
    return re.sub(r" ?\n[ \n]*", "\n", t)


def _squashed(form: str) -> str:
    """``form`` (a :func:`scan_form`) with every character but letters and digits dropped, a sentence end or a
    line break kept as ``|``: the text of a phrase whose words were broken apart ("ig nore all pre vious")."""
    t = re.sub(r"[.!?;:](?:\s|$)|\n", "|", form)
    return re.sub(r"[^\w|]|_", "", t)


_AI = (r"(?:a\.?i\.?|artificial intelligence|(?:large )?language models?|llms?|chat ?bots?|chatgpt|gpt(?:-?\d[\w.]*)?"
       r"|(?:ai|virtual|digital|automated|extraction|review(?:er|ing)?) assistants?"
       r"|ai (?:models?|systems?|tools?|reviewers?|agents?|readers?|assistants?)"
       r"|automated (?:(?:review(?:ing)?|contract|document|extraction|analysis) ){0,2}(?:tools?|systems?|reviewers?"
       r"|agents?|parsers?|readers?|processing|analysis|review|programs?|software)|machine readers?|(?:reviewer )?bots?"
       r"|(?:document|contract|review|extraction|summari[sz]ation) (?:tools?|models?|bots?|agents?)"
       r"|extractors?|(?:the )?extraction (?:step|stage|pipeline|process|module|engine|system|agent|tool|model)s?)")
#: Software that reads this text, named by what it does to it: "any software processing this text", "whichever
#: language model summarises this page", "any automated tool reading this agreement".
_READER_OF_TEXT = (r"(?:(?:any|all|every|each|whichever|whatever|the) )?(?:automated |ai |other )?(?:software|programs?|"
                   r"applications?|tools?|systems?|parsers?|readers?|engines?|processes|agents?|models?|language models?|"
                   r"ai|llms?|bots?|services?)(?: (?:that|which) (?:is|are))? (?:processing|reading|parsing|analy[sz]ing|"
                   r"reviewing|summari[sz]ing|extracting(?: data)? from|ingesting|scanning|processes|reads|parses|"
                   r"analy[sz]es|reviews|summari[sz]es|extracts(?: data)? from|ingests|scans) (?:this|the (?:present|following)"
                   r") (?:text|document|contract|agreement|page|file|data|content|pdf)")
_ADDRESSEE = rf"(?:{_AI}|{_READER_OF_TEXT})"
#: An addressee spoken to by name at a sentence start ("Assistant, ...", "Model: ..."), beyond :data:`_AI`.
_VOCATIVE = rf"(?:{_ADDRESSEE}|assistant|model|ai|parser|reviewer bots?|extraction step)"
#: What follows a vocative when it is one: a request, an order or a statement of the "correct" value.
_ORDER = (r"(?:please|kindly|you|when you|if you|as you|use|output|report|answer|respond|reply|return|set|write|record|"
          r"fill|enter|mark|treat|ignore|disregard|forget|overwrite|replace|approve|skip|the (?:correct|right|true|real)|"
          r"do not|don't|always|never|only|from now on|note that|remember)\b")
_START = r"(?:^|(?<=[\n.!?;:>\]\)]) ?)"
_OVERRIDE_VERB = r"(?:ignore|disregard|forget|override|overlook|bypass|skip|discard|neglect|set aside)"
_EARLIER = r"(?:previous|previously given|prior|above|earlier|preceding|foregoing|original|initial|former|old|system)"
_DIRECTIVES = (r"(?:instructions?|guidance|directions?|prompts?|rules|guidelines|context|messages|commands"
               r"|directives|constraints|programming|training|task)")
_MODAL = r"(?:must|should|is to|are to|needs? to|has to|have to|ought to|is required to|are required to)"
_ANSWER_VERB = (r"(?:set|output|report|answer|respond|reply|return|record|write|mark|treat|consider|use|leave|ignore|"
                r"disregard|overwrite|replace|say|state|approve|skip|fill|enter|print|give|list|classify|accept)")

# The extraction's field names written as identifiers: no contract writes "governing_law".
_FIELD_IDS = ("agreement_date", "effective_date", "expiration_date", "initial_term", "auto_renewal", "renewal_term",
              "renewal_notice", "governing_law", "payment_terms", "liability_cap", "termination_rights",
              "confidentiality_survival", "key_dates", "auto_accept", "auto_accepted", "needs_review", "sentence_ids",
              "field_path", "rule_id")


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
        rf"\b(?:note|notice|message|memo|instructions?|reminder|warning|request) (?:to|for) (?:(?:all|any|the|every) )?"
        rf"{_VOCATIVE}\b"
        rf"|\b(?:attention|attn|dear|hello|hi|hey)[,:]? (?:(?:all|any|the) )?{_AI}\b"
        rf"|\b(?:attention|attn|dear|hello|hi|hey)[,:]? (?:(?:all|any|the) )?{_VOCATIVE} ?[:,-] ?{_ORDER}"
        rf"|\bif you are (?:an? |the |any )?(?:\w+ )?(?:{_AI}|ai|model|assistant|parser|program|software|machine)\b"
        rf"|\b(?:to|for) (?:all|any|every|whichever|whatever|the) {_ADDRESSEE} ?:"
        rf"|{_START}(?:to |for )?(?:all |any |the )?{_VOCATIVE} ?[:,-] ?{_ORDER}"
        rf"|\b(?:ask|request|instruct|direct|tell|remind|urge|invite|advise) (?:any|all|every|each|whichever|the) "
        rf"{_ADDRESSEE}\b"
        rf"|\b{_ADDRESSEE} (?:is|are) (?:hereby |kindly |respectfully |politely )?(?:requested|asked|instructed|directed|"
        rf"required|invited|expected|advised|reminded|told) to\b"
        rf"|\b{_ADDRESSEE} {_MODAL} (?:now |always |only |also )?{_ANSWER_VERB}\b"
        rf"|\b(?:as|you are) (?:the|an?) (?:\w+ )?{_ADDRESSEE},? you (?:must|should|will|shall|are to)\b"
        r"|\bfrom now on,? you (?:will|are|must|shall|should)\b"
    ),
    "chat role marker": _c(
        r"\[ ?/?(?:system|inst|sys|assistant|user|system_prompt|available_tools|tool_results?) ?\]"
        r"|<\| ?[a-z][a-z_]{1,30} ?\|>|<\|\w|\w\|>"
        r"|< ?/?(?:start|end)_of_turn ?>|<< ?/?sys ?>>"
        r"|#{2,} ?(?:instructions?|system|response|input|assistant|user|human)\b"
        r"|\b(?:begin|end) (?:of )?system prompt\b"
        r"|\"role\" ?: ?\"(?:system|user|assistant|developer|tool)\""
        rf"|{_START}(?:new|updated|revised|real|actual|further|additional) (?:instructions?|task|rules) ?:"
    ),
    "the prompt's delimiters": _c(
        r"< ?/ ?(?:contract|document|context|text|input|data|contract_text|doc|source|system|user|instructions?|prompt)"
        r"\w* ?>|< ?(?:instructions?|system|prompt|user|assistant) ?>"
        r"|\bend (?:of )?(?:the )?(?:contract|document|text|input|data)\b[^\n]{0,150}?\b(?:(?:new|further|updated|"
        r"additional|following|real) (?:instructions?|task|rules|prompt)|instructions? (?:follow|resume|below|begin))"
    ),
    "the extraction's field names": _c(r"\b(?:" + "|".join(_FIELD_IDS) + r")\b"),
}

#: Overrides of earlier instructions in other languages (Unicode letters, case-folded, accents kept): a verb of
#: ignoring or forgetting, then within the same sentence a word for "earlier" and a word for "instructions", in
#: either order. Chinese, Japanese and Korean have no spaces: the words may stand together.
OVERRIDE_ELSEWHERE: dict[str, re.Pattern[str]] = {
    lang: re.compile(rf"(?:{verb})\b[^.;:!?\n]{{0,40}}?(?:(?:{early})\b[^.;:!?\n]{{0,30}}?(?:{directive})|"
                     rf"(?:{directive})[^.;:!?\n]{{0,30}}?\b(?:{early}))")
    for lang, (verb, early, directive) in {
        "fr": (r"ignore[rz]?|ignorez|oublie[rz]?|oubliez|ne tenez pas compte|ne tiens pas compte|faites abstraction|"
               r"fais abstraction|négligez|écartez",
               r"précédent\w*|antérieur\w*|ci-dessus|plus haut|initial\w*|d'origine",
               r"instructions?|consignes?|directives?|règles|indications|ordres"),
        "de": (r"ignorier\w*|vergiss|vergessen sie|missachte\w*|übergeh\w*|verwirf|verwerfen sie",
               r"vorherig\w*|obig\w*|bisherig\w*|vorig\w*|früher\w*|vorangegangen\w*|ursprünglich\w*",
               r"anweisung\w*|instruktion\w*|regeln|befehl\w*|vorgaben|anordnung\w*|hinweis\w*"),
        "es": (r"ignora\w*|ignore|olvid\w*|descart\w*|haz caso omiso|haga caso omiso|desestim\w*|omit\w*",
               r"anterior\w*|previa\w*|de arriba|precedente\w*|original\w*",
               r"instruccion\w*|indicacion\w*|reglas|órdenes|directrices|consignas"),
        "it": (r"ignora\w*|dimentica\w*|trascura\w*|non tenere conto|non tener conto",
               r"precedent\w*|sopra|anterior\w*|original\w*",
               r"istruzion\w*|indicazion\w*|regole|ordini|direttive"),
        "pt": (r"ignor\w*|esqueç\w*|esquec\w*|desconsider\w*|despreze\w*",
               r"anterior\w*|acima|prévia\w*|previa\w*|original\w*",
               r"instruç\w*|instruc\w*|regras|orientaç\w*|ordens|diretrizes"),
        "nl": (r"negeer|vergeet|negeren|vergeten",
               r"eerder\w*|vorige|bovenstaande|voorgaande|oorspronkelijk\w*",
               r"instructies|opdrachten|regels|aanwijzingen"),
        "pl": (r"zignoruj\w*|ignoruj\w*|zapomnij\w*|pomiń",
               r"poprzedni\w*|wcześniejsz\w*|powyższ\w*",
               r"instrukcj\w*|polece\w*|zasad\w*"),
        "ru": (r"игнорир\w*|проигнорир\w*|забуд\w*|не обращай\w*|отбрось\w*",
               r"предыдущ\w*|прежн\w*|вышеуказан\w*|ранее\w*|исходн\w*",
               r"инструкци\w*|указани\w*|команд\w*|правил\w*"),
    }.items()
} | {
    "zh": re.compile(r"(?:忽略|无视|忽视|忘记|忘掉|不要理会|不理会|跳过)[^。！？\n]{0,12}(?:之前|以上|上述|先前|前面|此前|原来|原有|系统)"
                     r"[^。！？\n]{0,8}(?:指令|指示|提示|说明|规则|要求|内容)"
                     r"|(?:之前|以上|上述|先前|前面|此前)[^。！？\n]{0,8}(?:指令|指示|提示|规则)[^。！？\n]{0,8}(?:忽略|无视|忘记)"),
    "ja": re.compile(r"(?:これまで|以前|上記|前|先ほど|最初)の[^。\n]{0,8}(?:指示|命令|プロンプト|ルール)[^。\n]{0,12}(?:無視|忘れ)"),
    "ko": re.compile(r"(?:이전|위의|앞의|기존)[^.\n]{0,10}(?:지시|명령|지침|규칙)[^.\n]{0,10}(?:무시|잊)"),
}

#: Addresses to an AI, a model, an assistant or software reading the text, in other languages.
ADDRESS_ELSEWHERE: dict[str, re.Pattern[str]] = {
    "fr": re.compile(r"\b(?:note|message|instructions?|consigne|remarque|avis|rappel)s? (?:à l'intention |à l'attention )?"
                     r"(?:de l'|du |des |pour l'|pour le |pour les |à l'|au |aux )(?:ia|intelligence artificielle|assistant|"
                     r"modèle|logiciel|outil|système automatisé|programme|robot|agent)"
                     r"|\bà l'(?:attention|intention) (?:de l'|du |des |de tout )(?:ia|intelligence artificielle|assistant|"
                     r"modèle|logiciel|outil|système|programme|robot)"
                     r"|\bsi (?:vous êtes|tu es) (?:une? |l')(?:ia|intelligence artificielle|modèle|assistant|programme|robot)"
                     r"|\b(?:tout|chaque) (?:logiciel|outil|programme|système) (?:qui )?(?:analys|lis|lit|trait|parcour)",
                     ),
    "de": re.compile(r"\b(?:hinweis|nachricht|anweisung|notiz|mitteilung|achtung)(?:en)? (?:an|für) (?:das |die |den |alle |jede[ns]? )?"
                     r"(?:ki\b|ki-\w+|künstliche intelligenz|sprachmodell|assistent|modell|software|programm|system|tool|bot)"
                     r"|\bwenn (?:du|sie) (?:ein|eine) (?:ki|sprachmodell|assistent|bot|programm) (?:bist|sind)"
                     r"|\b(?:jede|alle) (?:software|programme?|ki|systeme?|tools?),? (?:die|das|welche) (?:diesen|dieses|das)"
                     r" (?:text|dokument|vertrag)"),
    "es": re.compile(r"\b(?:nota|mensaje|instrucci\w+|atención|aviso)[,:]? (?:para|a|al) (?:el |la |los |las |cualquier |todo )?"
                     r"(?:ia|inteligencia artificial|modelo|asistente|sistema automatizado|software|programa|herramienta|bot)"
                     r"|\bsi (?:eres|es usted) (?:un|una) (?:ia|modelo|asistente|inteligencia artificial|programa|bot)"
                     r"|\batención,? (?:sistema|asistente|modelo|ia)\b"),
    "it": re.compile(r"\b(?:nota|messaggio|istruzion\w+|avviso|attenzione)[,:]? (?:per|a|al|all') ?(?:il |la |l'|lo |ogni |qualsiasi )?"
                     r"(?:ia|intelligenza artificiale|modello|assistente|sistema automatico|software|programma|bot)"
                     r"|\bse sei (?:un|una|l') ?(?:ia|modello|assistente|intelligenza artificiale|programma)",
                     ),
    "pt": re.compile(r"\b(?:nota|mensagem|instruç\w+|atenção|aviso)[,:]? (?:para|a|ao|à) (?:o |a |qualquer |todo )?"
                     r"(?:ia|inteligência artificial|modelo|assistente|sistema automatizado|software|programa|bot)"
                     r"|\bse você (?:é|for) (?:um|uma) (?:ia|modelo|assistente|inteligência artificial|programa)",
                     ),
    "nl": re.compile(r"\b(?:opmerking|bericht|instructie|let op)[,:]? (?:voor|aan) (?:de |het |elke |alle )?"
                     r"(?:ai|ki|taalmodel|assistent|model|software|programma|bot)"),
    "ru": re.compile(r"(?:примечание|сообщение|инструкция|внимание)[,:]? (?:для )?(?:ии|искусственн\w+ интеллект\w*|"
                     r"языков\w+ модел\w*|ассистент\w*|нейросет\w*|модел\w*)"
                     r"|если ты (?:ии|языковая модель|ассистент|нейросеть|бот)"),
    "zh": re.compile(r"(?:致|给|告|提醒)[^。\n]{0,12}(?:人工智能|ai|模型|助手|机器人|程序|软件|系统)"
                     r"|(?:人工智能|ai助手|语言模型|大模型|助手|模型)[：:，,]"
                     r"|系统提示|如果你是[^。\n]{0,6}(?:人工智能|模型|助手|ai)"),
    "ja": re.compile(r"(?:aiへ|aiに|モデルへ|アシスタントへ|言語モデル)[^。\n]{0,20}(?:してください|すること|せよ)"
                     r"|(?:あなたが|もしあなたが)[^。\n]{0,10}(?:ai|言語モデル|アシスタント)"),
    "ko": re.compile(r"(?:ai|인공지능|언어 ?모델|어시스턴트)(?:에게|께|는)[^.\n]{0,20}(?:하십시오|하세요|하라)"),
}

#: Overrides whose words were broken apart, matched on :func:`_squashed` text ("ig nore all pre vious in struc
#: tions"); "instructions of/given by ..." is not one.
_SQUASHED_OVERRIDE = re.compile(
    r"(?:ignore|disregard|forget|overlook|bypass|discard)(?:all|any|every|the|your|of|these|those){0,3}"
    r"(?:previous|previouslygiven|prior|above|earlier|preceding|foregoing|original|system){1,2}"
    r"(?>instructions|instruction|guidance|directions|prompts|prompt|rules|guidelines|commands|directives)"
    r"(?!of|from|given|issued|received|provided|by|sent)"
    r"|(?:ignore|disregard|forget)(?:everything|alloftheabove|theabove)"
)

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
# A conversation: a human's turn at a line or sentence start, then an assistant's turn ("Human: ... Assistant:",
# "USER: ... ASSISTANT:"), within 600 characters of the scan form.
_HUMAN_TURN = re.compile(r"(?:^|(?<=[\n.!?;>\]\)]) ?)(?:human|user|usuario|utilisateur|benutzer) ?:", re.MULTILINE)
_ASSISTANT_TURN = re.compile(r"(?:^|(?<=[\n.!?;>\]\)]) ?|\s)(?:assistant|ai|bot|model|gpt|asistente|assistent) ?:")

#: How far apart (characters of :func:`scan_form`) two weak signals may stand to count as one passage.
WINDOW = 300


def scan(text: str) -> list[tuple[int, tuple[str, ...]]]:
    """``(offset in scan_form(text), signals)`` of every passage of ``text`` that reads as instructions to a
    model, sorted by offset; ``[]`` for ordinary contract text. Signals: the module docstring."""
    t = scan_form(text)
    out: list[tuple[int, tuple[str, ...]]] = []
    cased = _WORD.sub(lambda m: _latin(m.group(0)), FORMAT_CHARS.sub("", nfkc(text)))
    cased = _SPACED.sub(_join_spaced, cased)
    for m in _ROLE_CAPS.finditer(cased):
        # offsets differ from ``t``; locate the same marker in the normalized text for the snippet
        i = t.find(m.group(0).strip().casefold()[:7])
        out.append((max(i, 0), ("chat role marker",)))
    for name, pat in STRONG.items():
        out.extend((m.start(), (name,)) for m in pat.finditer(t))
    plain = re.sub(r"\s+", " ", FORMAT_CHARS.sub("", nfkc(text)).casefold().translate(_TYPO_MAP))
    for lang, pat in OVERRIDE_ELSEWHERE.items():
        out.extend((m.start(), (f"override of earlier instructions ({lang})",)) for m in pat.finditer(plain))
    for lang, pat in ADDRESS_ELSEWHERE.items():
        out.extend((m.start(), (f"address to a model or automated tool ({lang})",)) for m in pat.finditer(plain))
    if not out:
        squashed = _squashed(t)
        for m in _SQUASHED_OVERRIDE.finditer(squashed):
            out.append((min(len(t) - 1, m.start()), ("override of earlier instructions (words broken apart)",)))
    for h in _HUMAN_TURN.finditer(t):
        if _ASSISTANT_TURN.search(t, h.end(), h.end() + 600):
            out.append((h.start(), ("chat role marker",)))
            break
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
