"""The contract-text grammar: how Clausewise reads a sentence, shared by the readers and the rules.

Pure: imports ``schemas`` and third-party text libraries only (NLTK's Punkt, dateparser, dateutil), never
the rest of ``rules`` or ``pipeline``. The extraction (``pipeline``) reads the document with it and the
rule engine (``rules``) judges the result with it, so both read one sentence the same way. One concept
per module:

- :mod:`rules.text.normalize`: the one table of typographic quotes and dashes; NFKC for stored text
  (:func:`nfkc`), the offset-keeping copy for quote matching (:func:`normalize_for_matching`) and the
  comparison form (:func:`norm`).
- :mod:`rules.text.sentences`: sentences with document offsets (:func:`split_sentences`; Punkt read in
  bounded windows, :func:`punkt_spans`), the numbering
  the model cites by (:func:`number_sentences`).
- :mod:`rules.text.dates`: calendar dates as contracts write them (:func:`parse_date`, :func:`find_dates`,
  :func:`decide_date_order`).
- :mod:`rules.text.durations`: durations ("thirty (30) days") and date arithmetic (:func:`add_duration`).
- :mod:`rules.text.quarters`: calendar quarters (:func:`calendar_quarter_date`) and fiscal periods
  (:data:`FISCAL_PERIOD`, :func:`fiscal_period_in`, :func:`fiscal_calendar_defined`).
- :mod:`rules.text.numbers`: numbers in English words, both ways (:func:`words_to_int`, :func:`number_words`).
- :mod:`rules.text.amounts`: amounts of money as written (:data:`MONEY`, :func:`amount_in_text`,
  :func:`amount_value`).
- :mod:`rules.text.names`: party-name keys (:func:`name_key`), the words that are no party's legal name,
  corporate suffixes (:data:`ENTITY_SUFFIXES`, :data:`ENTITY_SUFFIX` as written), the d/b/a, former-name
  and affiliates phrases (:data:`NAME_PHRASE`).
- :mod:`rules.text.party_names`: where the text writes a party's name: the legal name a defined short form
  stands for (:func:`short_form_definition`), a name continued on the next line or page
  (:func:`longer_names`), two names printed side by side (:func:`merged_names`), a person named only as a
  signatory (:func:`is_signatory_only`).
- :mod:`rules.text.law`: the governing-law phrases ("governed by", "laws of"), the place they name
  (:data:`LAW_PLACE`) and the cue words of a governing-law clause (:data:`LAW_CUES`).
- :mod:`rules.text.effect`: when this agreement takes effect: the agreement as the subject of a clause
  (:func:`clause_subjects`), the clauses in which it takes effect or dates itself (:func:`effect_clauses`), the
  last signature as its start (:func:`last_signature_clause`) and the signature blocks' dates
  (:func:`signature_dates`).
- :mod:`rules.text.references`: references to another document that introduce its date ("that certain
  License Agreement dated ...": :func:`other_document_before`; the end of one ("the Master Lease expires on
  ..."): :func:`other_document_ending`; the parties of such a document:
  :func:`party_of_other_document`).
- :mod:`rules.text.jurisdictions`: the canonical name and ISO 3166 code of the place a text names
  (:func:`jurisdiction_of`; "PRC" is China, "State of New York" and "NY" are New York).
- :mod:`rules.text.injection`: the scan for text that reads as instructions to a model (:func:`scan`).
- :mod:`rules.text.stated`: the sentences that state a single-valued field by its cues, with the values they
  write (:func:`field_statements`, :func:`agrees`).
"""

from rules.text.amounts import MONEY, amount_in_text, amount_value, readings
from rules.text.dates import (
    DateKind,
    DateOrder,
    DateParse,
    FoundDate,
    decide_date_order,
    find_dates,
    is_blank_date,
    parse_date,
    states_date,
)
from rules.text.durations import (
    DurationError,
    FoundDuration,
    NonIntegralDuration,
    add_business_days,
    add_duration,
    find_durations,
    parse_duration,
)
from rules.text.effect import (
    AGREEMENT_DATE_REF,
    GAP_ALTERNATIVES,
    LAST_SIGNATURE,
    EffectClause,
    SignatureDates,
    StartKind,
    clause_subjects,
    effect_clauses,
    last_signature_at,
    last_signature_clause,
    signature_dates,
    start_kind,
)
from rules.text.injection import LOOKALIKES, scan, scan_form
from rules.text.stated import STATED_FIELDS, Statement, agrees, field_statements
from rules.text.quarters import FISCAL_PERIOD, calendar_quarter_date, fiscal_calendar_defined, fiscal_period_in
from rules.text.jurisdictions import Jurisdiction, jurisdiction_of, jurisdictions_in, same_jurisdiction
from rules.text.references import DOCUMENT_NOUNS, other_document_before, other_document_ending, party_of_other_document
from rules.text.law import (
    FORUM,
    GOVERNED_BY,
    GOVERNING_LAW,
    LAW_CUES,
    LAW_PLACE,
    LAWS_OF,
    POLITIES,
    STATES_GOVERNING_LAW,
    phrase,
)
from rules.text.names import (
    ABBREVIATED_SUFFIXES,
    AFFILIATES,
    ALSO_KNOWN_AS,
    DBA,
    ENTITY_SUFFIX,
    ENTITY_SUFFIXES,
    FORMER_NAME,
    NAME_PHRASE,
    NOT_A_PARTY_TERMS,
    NOT_NAME_WORDS,
    ON_BEHALF_OF_AFFILIATES,
    PRONOUN_AND_DOCUMENT_TERMS,
    ROLE_TERMS,
    core_key,
    is_document_title,
    is_heading_or_label,
    is_role_or_title,
    name_key,
    occurs_in,
)
from rules.text.party_names import (
    ShortFormDefinition,
    defined_short_forms,
    has_legal_form,
    is_person_name,
    is_signatory_only,
    longer_names,
    merged_names,
    short_form_definition,
    split_is_certain,
    stands_alone,
)
from rules.text.normalize import (
    DASHES,
    FORMAT_CHARS,
    QUOTES,
    TYPOGRAPHY,
    MatchText,
    find_normalized,
    fold_quotes,
    nfkc,
    norm,
    normalize_for_matching,
    strip_accents,
)
from rules.text.numbers import NUMBER_WORDS, ORDINAL_WORDS, number_in_text, number_words, words_to_int
from rules.text.sentences import (
    CONTRACT_ABBREVIATIONS,
    MAX_PUNKT_CHARS,
    MAX_SENTENCE_CHARS,
    PunktModelMissing,
    Sentence,
    SentenceError,
    number_sentences,
    punkt_spans,
    split_sentences,
)

__all__ = [
    # rules.text.normalize
    "DASHES", "FORMAT_CHARS", "QUOTES", "TYPOGRAPHY", "MatchText", "find_normalized", "fold_quotes", "nfkc", "norm",
    "normalize_for_matching", "strip_accents",
    # rules.text.sentences
    "CONTRACT_ABBREVIATIONS", "MAX_PUNKT_CHARS", "MAX_SENTENCE_CHARS", "PunktModelMissing", "Sentence",
    "SentenceError", "number_sentences", "punkt_spans", "split_sentences",
    # rules.text.dates
    "DateKind", "DateOrder", "DateParse", "FoundDate", "decide_date_order", "find_dates", "is_blank_date", "parse_date",
    "states_date",
    # rules.text.durations
    "DurationError", "FoundDuration", "NonIntegralDuration", "add_business_days", "add_duration", "find_durations",
    "parse_duration",
    # rules.text.quarters
    "FISCAL_PERIOD", "calendar_quarter_date", "fiscal_calendar_defined", "fiscal_period_in",
    # rules.text.numbers
    "NUMBER_WORDS", "ORDINAL_WORDS", "number_in_text", "number_words", "words_to_int",
    # rules.text.amounts
    "MONEY", "amount_in_text", "amount_value", "readings",
    # rules.text.names
    "ABBREVIATED_SUFFIXES", "AFFILIATES", "ALSO_KNOWN_AS", "DBA", "ENTITY_SUFFIX", "ENTITY_SUFFIXES", "FORMER_NAME",
    "NAME_PHRASE", "NOT_A_PARTY_TERMS", "NOT_NAME_WORDS", "ON_BEHALF_OF_AFFILIATES", "PRONOUN_AND_DOCUMENT_TERMS",
    "ROLE_TERMS", "core_key", "is_document_title", "is_heading_or_label", "is_role_or_title", "name_key", "occurs_in",
    # rules.text.party_names
    "ShortFormDefinition", "defined_short_forms", "has_legal_form", "is_person_name", "is_signatory_only",
    "longer_names", "merged_names", "short_form_definition", "split_is_certain", "stands_alone",
    # rules.text.jurisdictions
    "Jurisdiction", "jurisdiction_of", "jurisdictions_in", "same_jurisdiction",
    # rules.text.effect
    "GAP_ALTERNATIVES", "LAST_SIGNATURE", "EffectClause", "SignatureDates", "clause_subjects", "effect_clauses",
    "last_signature_at", "last_signature_clause", "signature_dates", "start_kind", "AGREEMENT_DATE_REF", "StartKind",
    # rules.text.references
    "DOCUMENT_NOUNS", "other_document_before", "other_document_ending", "party_of_other_document",
    # rules.text.law
    "FORUM", "GOVERNED_BY", "GOVERNING_LAW", "LAW_CUES", "LAW_PLACE", "LAWS_OF", "POLITIES", "STATES_GOVERNING_LAW",
    "phrase",
    # rules.text.injection
    "LOOKALIKES", "scan", "scan_form",
    # rules.text.stated
    "STATED_FIELDS", "Statement", "agrees", "field_statements",
]
