"""The one catalogue of built-in rules: a decorator registers a check with its id, title, severity and source.

A check is a plain function ``check(extraction, document) -> Iterable[Hit]``; the engine turns each
:class:`Hit` into a :class:`schemas.Finding` carrying the rule's id and severity, so a rule states its
identity once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from schemas import ClausewiseError, ContractExtraction, Evidence, Finding, Severity, SourceDocument


class Hit(NamedTuple):
    """One failure found by a check: where, why, and the evidence shown to the reviewer."""

    field_path: str
    message: str
    evidence: Evidence | None = None
    details: dict[str, Any] | None = None
    code: str | None = None


Check = Callable[[ContractExtraction, SourceDocument], Iterable[Hit]]


@dataclass(frozen=True)
class RuleInfo:
    """A rule of the catalogue (built-in or playbook).

    ``fields``: field paths it reads (``"*"`` = every value with evidence, ``"document"`` = the text);
    ``source``: where the rule comes from, in the field's terms (the law or standard, the drafting
    convention, the playbook file, the measurement that set a threshold), never a development id.
    """

    id: str
    title: str
    severity: Severity
    fields: tuple[str, ...]
    source: str
    check: Check | None = field(default=None, compare=False, repr=False)
    kind: str = "builtin"

    def finding(self, hit: Hit) -> Finding:
        """The :class:`Finding` for one hit of this rule."""
        return Finding(
            rule_id=self.id,
            severity=self.severity,
            field_path=hit.field_path,
            message=hit.message,
            code=hit.code,
            evidence=hit.evidence,
            details=hit.details or {},
        )


_RULES: dict[str, RuleInfo] = {}


class DuplicateRuleError(ClausewiseError, ValueError):
    """Two rules registered under one id."""


def rule(
    rule_id: str, *, title: str, severity: Severity | str, fields: Iterable[str], source: str
) -> Callable[[Check], Check]:
    """Register ``check`` in the catalogue under ``rule_id``. Raises DuplicateRuleError on a reused id."""

    def register(check: Check) -> Check:
        if rule_id in _RULES:
            raise DuplicateRuleError(f"rule id {rule_id} registered twice")
        _RULES[rule_id] = RuleInfo(rule_id, title, Severity(severity), tuple(fields), source, check)
        return check

    return register


def builtin_rules() -> list[RuleInfo]:
    """Every built-in rule, sorted by id (importing the rule modules registers them)."""
    from rules import (  # noqa: F401 - imported for registration
        completeness,
        conflicts,
        dates,
        grounding,
        injection,
        parties,
        relevance,
        support,
    )

    return [_RULES[k] for k in sorted(_RULES)]
