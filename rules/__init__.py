"""Deterministic checks of every extracted field: built-in integrity rules and YAML/CEL playbooks.

Pure: extraction and document text in, findings out; imports only ``schemas`` (checked by import-linter).
Public API: :func:`evaluate`, :func:`catalogue`, :func:`review_fields`, :func:`load_playbook`,
:class:`Playbook`, :class:`PlaybookError`, :class:`RuleInfo`, :data:`DEFAULT_PLAYBOOK`.
"""

from rules.engine import catalogue, evaluate
from rules.playbook import DEFAULT_PLAYBOOK, Playbook, PlaybookError, load_playbook
from rules.registry import RuleInfo
from rules.routing import review_fields

__all__ = [
    "DEFAULT_PLAYBOOK", "Playbook", "PlaybookError", "RuleInfo", "catalogue", "evaluate", "load_playbook",
    "review_fields",
]
