"""The three sample contracts in samples/: built by samples/build_samples.py, right values beside them.

Checks that the committed PDFs are what the build script produces (page text, not bytes), that every
right value in the ``*.expected.json`` files is literally supported by the PDF text (whitespace,
ligatures and curly quotes normalized), that the chosen sentence really crosses a page break, and that
the day-first dates of the supply agreement are there and decide the date order.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pymupdf
import pytest
from dateutil.relativedelta import relativedelta

REPO = Path(__file__).resolve().parents[1]
SAMPLES_DIR = REPO / "samples"
NAMES = ("services_agreement", "supply_agreement", "mutual_nda")
FOOTER = re.compile(r"^Page (\d+) of (\d+)$")


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_samples", SAMPLES_DIR / "build_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


builder = _load_builder()
SAMPLE = {s.name: s for s in builder.SAMPLES}


def expected(name: str) -> dict:
    return json.loads((SAMPLES_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))


def page_texts(path: Path) -> list[str]:
    with pymupdf.open(path) as doc:
        return [page.get_text() for page in doc]


def body_pages(name: str, path: Path) -> list[str]:
    """Page texts without the running header, left footer and 'Page n of N' lines."""
    sample = SAMPLE[name]
    running = {sample.header, sample.footer_left} - {None}
    return [
        "\n".join(line for line in text.splitlines() if not FOOTER.match(line.strip()) and line.strip() not in running)
        for text in page_texts(path)
    ]


def body_text(name: str) -> str:
    return builder.norm(" ".join(body_pages(name, SAMPLES_DIR / f"{name}.pdf")))


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> dict[str, Path]:
    return builder.build_all(tmp_path_factory.mktemp("samples"))


@pytest.mark.parametrize("name", NAMES)
def test_committed_pdf_is_what_the_script_builds(name, rebuilt):
    committed = page_texts(SAMPLES_DIR / f"{name}.pdf")
    fresh = page_texts(rebuilt[name])
    assert len(committed) == len(fresh)
    for number, (old, new) in enumerate(zip(committed, fresh), start=1):
        assert old == new, f"{name}.pdf page {number} differs from a fresh build: run samples/build_samples.py"


@pytest.mark.parametrize("name", NAMES)
def test_every_page_has_the_running_footer(name):
    texts = page_texts(SAMPLES_DIR / f"{name}.pdf")
    assert len(texts) == expected(name)["page_count"]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {len(texts)}" in text.splitlines()


def _supported_strings(exp: dict) -> list[str]:
    """Every string in the right values that must occur verbatim (normalized) in the PDF text."""
    out = [exp["governing_law"], exp["page_break_sentence"]]
    for party in exp["parties"]:
        out += [party["name"], *party["defined_terms"], *party["dba"], *party["former_names"]]
        out += [party[k] for k in ("name_as_written", "company_number", "jurisdiction") if party.get(k)]
    for fee in exp["fees"]:
        out += [fee["item"], fee["amount_text"], fee["currency"], fee["due_text"]]
    if exp.get("fees_total"):
        out += [exp["fees_total"]["text"]]
    if exp["liability_cap"]:
        out.append(exp["liability_cap"])
    for obligation in exp["obligations"]:
        out += [obligation["quote"], obligation["deadline"]["text"]]
    for field, quote in exp["evidence"].items():
        out += quote if isinstance(quote, list) else [quote]
    return out


@pytest.mark.parametrize("name", NAMES)
def test_expected_values_are_literally_in_the_pdf(name):
    text = body_text(name)
    missing = [s for s in _supported_strings(expected(name)) if builder.norm(s) not in text]
    assert not missing


@pytest.mark.parametrize("name", NAMES)
def test_expected_values_agree_with_their_evidence(name):
    exp = expected(name)
    ev = {k: builder.norm(v) for k, v in exp["evidence"].items() if isinstance(v, str)}
    assert exp["governing_law"] in ev["governing_law"]
    for fee in exp["fees"]:
        assert float(re.sub(r"[^\d.]", "", fee["amount_text"])) == fee["amount"]
        if fee["due_date"] and "/" in fee["due_text"]:
            assert datetime.strptime(fee["due_text"], "%d/%m/%Y").date().isoformat() == fee["due_date"]
        elif fee["due_date"]:
            assert datetime.strptime(fee["due_text"], "%B %d, %Y").date().isoformat() == fee["due_date"]
    for obligation in exp["obligations"]:
        assert builder.norm(obligation["deadline"]["text"]) in builder.norm(obligation["quote"])
    # the notice periods the samples set as traps really differ
    if exp["auto_renewal"]:
        assert exp["renewal_notice"] != exp["termination_for_convenience_notice"]
    else:
        assert exp["renewal_term"] is None and exp["renewal_notice"] is None


@pytest.mark.parametrize("name", NAMES)
def test_expiration_date_follows_from_effective_date_and_initial_term(name):
    exp = expected(name)
    effective = date.fromisoformat(exp["effective_date"])
    term = exp["initial_term"]
    assert term["unit"] == "years"
    anniversary = effective + relativedelta(years=term["value"])
    if exp["expiration_date_computed"]:
        # computed: "until the third anniversary" / "two years from the Effective Date"
        assert date.fromisoformat(exp["expiration_date"]) == anniversary
    else:
        # stated in the text: the day before the anniversary, and its digits are in the PDF
        assert date.fromisoformat(exp["expiration_date"]) == anniversary - timedelta(days=1)


@pytest.mark.parametrize("name", NAMES)
def test_page_break_sentence_crosses_a_page_break(name):
    exp = expected(name)
    assert builder.norm(exp["page_break_sentence"]) == builder.norm(SAMPLE[name].page_break_sentence)
    pages = body_pages(name, SAMPLES_DIR / f"{name}.pdf")
    start = builder.crossing_page(pages, exp["page_break_sentence"])
    assert start is not None, "the sentence sits on one page"
    assert [start + 1, start + 2] == exp["page_break_pages"]
    # and it is not cut by a footer once header and footer lines are stripped
    assert builder.norm(exp["page_break_sentence"]) in builder.norm(pages[start] + " " + pages[start + 1])


def test_supply_agreement_dates_are_day_first():
    exp = expected("supply_agreement")
    text = body_text("supply_agreement")
    assert exp["date_order"] == "day-first"
    for written, iso in exp["day_first_dates"].items():
        assert written in text
        assert datetime.strptime(written, "%d/%m/%Y").date().isoformat() == iso
    # at least one date is unambiguous (day > 12), and the agreement date itself is ambiguous
    assert any(int(d.split("/")[0]) > 12 for d in exp["date_order_evidence"])
    assert all(d in exp["day_first_dates"] for d in exp["date_order_evidence"])
    assert "is dated 03/04/2024" in text and exp["agreement_date"] == "2024-04-03"
    # month-first reading would put the agreement date in March, which the text contradicts nowhere: only
    # 21/05/2024 (no 21st month) decides the order.
    with pytest.raises(ValueError):
        datetime.strptime("21/05/2024", "%m/%d/%Y")


def test_build_refuses_a_sentence_that_cannot_cross():
    sample = builder.Sample(
        name="tiny",
        paper="letter",
        title="t",
        subject="s",
        date="D:20240101000000Z",
        html='<p style="margin-top:__PAD__pt">One short sentence that fits on the first page.</p>',
        page_break_sentence="One short sentence that fits on the first page.",
    )
    with pytest.raises(builder.SampleBuildError):
        builder.build_sample(sample, max_pad=30)
