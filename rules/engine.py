"""The rule engine: extraction and document text in, findings out. Pure: stores nothing, writes no audit event."""

from __future__ import annotations

from rules.playbook import Playbook
from rules.registry import RuleInfo, builtin_rules
from schemas import ContractExtraction, Finding, SourceDocument


def evaluate(
    extraction: ContractExtraction, document: SourceDocument, *, playbook: Playbook | None = None
) -> list[Finding]:
    """Every finding of the built-in rules and of ``playbook`` (if given), sorted by (rule id, field path, message).

    Deterministic: the same inputs give the same list. Raises :class:`rules.playbook.PlaybookError` when a
    playbook expression fails to evaluate (message names the file and rule id).
    """
    findings: list[Finding] = []
    for info in builtin_rules():
        assert info.check is not None
        findings.extend(info.finding(hit) for hit in info.check(extraction, document))
    if playbook is not None:
        findings.extend(playbook.evaluate(extraction, document))
    return sorted(findings, key=lambda f: (f.rule_id, f.field_path, f.message))


def catalogue(playbook: Playbook | None = None) -> list[RuleInfo]:
    """Built-in rules sorted by id, then the playbook's rules in file order."""
    return builtin_rules() + (playbook.rule_infos() if playbook is not None else [])
