"""Normalization for matching (F27) and NFKC (F01)."""

from __future__ import annotations

import json

from pipeline.reading.pdf import read_pdf
from rules.text.normalize import find_normalized, nfkc, normalize_for_matching
from tests.conftest import require_shared


def test_nfkc_ligatures():
    assert nfkc("con\ufb01dential \ufb02oor") == "confidential floor"


def test_map_back_to_exact_original_span():
    src = "“Customer Data” means all data supplied by Company – including Vendor’s\n  copies"
    m = normalize_for_matching(src)
    assert m.text == "\"Customer Data\" means all data supplied by Company - including Vendor's copies"
    assert len(m.to_source) == len(m.text) + 1 and m.to_source[-1] == len(src)
    i = m.text.index("Vendor's copies")
    s, e = m.source_span(i, i + len("Vendor's copies"))
    assert src[s:e] == "Vendor’s\n  copies"


def test_whitespace_and_dashes_only_not_case_or_words():
    m = normalize_for_matching("  Ninety\u00a0(90)\tdays \u2014 after\u2011acceptance ")
    assert m.text == "Ninety (90) days - after-acceptance"
    assert normalize_for_matching("ABC", lowercase=True).text == "abc"
    # no paraphrase tolerance: a different word does not match
    assert find_normalized("Vendor warrants the Deliverables", "Vendor guarantees the Deliverables") is None


def test_f27_llm_quotes_with_straight_quotes_are_found_in_source():
    src = require_shared("failcases", "F27", "contract.pdf")
    sample = json.loads(require_shared("failcases", "F27", "llm_output_sample.json").read_text())
    text = read_pdf(src).pages[0].text
    assert "\u201c" in text  # the source really has curly quotes
    for ev in sample["evidence"]:
        assert ev["quote"] not in text  # a plain substring check fails ...
        span = find_normalized(text, ev["quote"])  # ... the normalized one finds it
        assert span is not None, ev["field"]
        s, e = span
        assert normalize_for_matching(text[s:e]).text == normalize_for_matching(ev["quote"]).text
