"""Routing: which fields a reviewer must look at, from the findings. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from schemas import Finding, Severity


def review_fields(findings: Iterable[Finding]) -> dict[str, Severity]:
    """``{field_path: highest severity}`` for every field with a warning or error finding.

    Document-level findings count under ``"document"``. Info findings route nothing. An empty dict means
    the document may be auto-accepted. Keys are sorted.
    """
    out: dict[str, Severity] = {}
    for f in findings:
        sev = Severity(f.severity)
        if sev.rank < Severity.WARNING.rank:
            continue
        if f.field_path not in out or sev.rank > out[f.field_path].rank:
            out[f.field_path] = sev
    return dict(sorted(out.items()))
