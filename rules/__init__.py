"""Deterministic checks of every extracted field: built-in integrity rules and YAML/CEL playbooks.

Pure: extraction and document text in, findings out; imports only ``schemas`` (checked by import-linter).
Text is read with the contract-text grammar in :mod:`rules.text`, the same one the extraction reads with.
Public API: :func:`evaluate`, :func:`catalogue`, :func:`review_fields`, :func:`load_playbook`,
:class:`Playbook`, :class:`PlaybookError`, :class:`RuleInfo`, :data:`DEFAULT_PLAYBOOK`; the field
names the rules group dates and durations by (:data:`DATE_FIELDS`, :data:`DURATION_FIELDS`) and
:func:`quote_of` (the quote of a value's evidence, as the rules read it); :func:`field_items` walks every
extracted value as an :class:`Item` (path, kind, value, evidence), the same walk the findings' paths come from;
:func:`missing_but_stated` lists the fields an extraction leaves empty although the text seems to state them;
:func:`uncovered_deadlines` and :func:`uncovered_amounts` the duties with a deadline and the amounts of money
that no extracted value cites.
"""

from rules.completeness import missing_but_stated, uncovered_amounts, uncovered_deadlines
from rules.engine import catalogue, evaluate
from rules.fields import DATE_FIELDS, DURATION_FIELDS, Item, quote_of
from rules.fields import items as field_items
from rules.playbook import DEFAULT_PLAYBOOK, Playbook, PlaybookError, load_playbook
from rules.registry import RuleInfo
from rules.routing import review_fields

__all__ = [
    "DATE_FIELDS", "DEFAULT_PLAYBOOK", "DURATION_FIELDS", "Item", "Playbook", "PlaybookError", "RuleInfo",
    "catalogue", "evaluate", "field_items", "load_playbook", "missing_but_stated",
    "quote_of", "review_fields", "uncovered_amounts", "uncovered_deadlines",
]
