"""Party names as the text writes them (issue 13, item 8, the party kinds): a defined short form kept as the name,
a name cut by a page break, two company names on one signature line, signatories listed as parties.

Every contract here is written for these tests (invented names); PDFs are built with PyMuPDF and read by the
project's reader. The model answers are hand-built INPUTS in the shapes a small model returns (the short form
with itself as its defined term, the first half of a name, a merged signature line, the people who sign).
"""

from __future__ import annotations

import pymupdf
import pytest

import rules
from pipeline.extraction.merge import merge_partials
from pipeline.extraction.normalize import normalize_extraction
from pipeline.extraction.partial import chunk_to_partial
from pipeline.reading.pdf import join_pages, read_pdf
from rules.text import (
    is_signatory_only,
    longer_names,
    merged_names,
    short_form_definition,
    split_is_certain,
    split_sentences,
)
from schemas import SourceDocument
from schemas.chunk_output import ChunkExtraction, ChunkObligation, ChunkParty

ORCHID = "Orchid Lane Textiles, Inc."
PEBBLE = "Pebble Creek Foods LLC"


def _run(text: str, *parties: ChunkParty, obligations: tuple[ChunkObligation, ...] = ()):
    """The merged, normalized extraction of one chunk answer naming ``parties``, and its findings."""
    answer = ChunkExtraction(parties=list(parties), obligations=list(obligations))
    x = normalize_extraction(merge_partials([chunk_to_partial(answer, 0)]), text)
    return x, rules.evaluate(x, SourceDocument(text=text))


def _ids(findings, rule_id):
    return [f.field_path for f in findings if f.rule_id == rule_id]


# --- 1. a defined short form kept as the party's name -------------------------------------------------------

@pytest.mark.parametrize("text, short, legal", [
    (f'This Supply Agreement is entered into by {ORCHID}, a Georgia corporation ("Orchid"), and {PEBBLE}, a Maine '
     'limited liability company ("Pebble").', "Orchid", ORCHID),
    (f'This Supply Agreement is entered into by {ORCHID}, a Georgia corporation ("Orchid"), and {PEBBLE}, a Maine '
     'limited liability company ("Pebble").', "Pebble", PEBBLE),
    (f"This Agreement is made between {ORCHID} (the “Company”) and Jane Roe.", "the Company", ORCHID),
    (f"This Agreement is made between {ORCHID} (the “Company”) and Jane Roe.", "Company", ORCHID),
    ('Agreement between Harrow Mills Limited, a company registered in Wales (hereinafter "Harrow"), and others.',
     "Harrow", "Harrow Mills Limited"),
    (f'LICENSE between Tern Optics S.A. (hereinafter referred to as the "Licensor") and {PEBBLE} (referred to herein '
     'as "Licensee").', "Licensee", PEBBLE),
    ('between Kestrel Analytics Corp., with offices at 88 Quarry Road, Dover, Delaware 19901 ("Kestrel"), and '
     f'{PEBBLE}.', "Kestrel", "Kestrel Analytics Corp."),
    ("between Tallis Instruments GmbH of Hauptstrasse 4, 10115 Berlin (hereinafter called TALLIS) and Orchid.",
     "TALLIS", "Tallis Instruments GmbH"),
    (f'between {ORCHID}, a Georgia corporation, and {PEBBLE} ("Pebble").', "Pebble", PEBBLE),
    (f'between {ORCHID} ("Orchid"), a Georgia corporation at 12 Elm Street, Macon, GA 31201 and PEBBLE CREEK FOODS '
     'LLC ("Pebble"), a Maine limited liability company.', "Pebble", "PEBBLE CREEK FOODS LLC"),
    ('by Bramble Logistics Company, a division of Thornfield Holdings Corporation ("Carrier"), and Orchid.',
     "Carrier", "Bramble Logistics Company"),
    ('"Provider" means Sable Ridge Hosting, Inc., a Nevada corporation.\n"Services" means hosting.', "Provider",
     "Sable Ridge Hosting, Inc."),
    ("This Agreement is made by R. C. Quill Enterprises, LLC, whose office is at 3 Cove Lane, referred to in this "
     'Agreement as "Company" or "Quill", and Orchid.', "Quill", "R. C. Quill Enterprises, LLC"),
    ('Wren Biologics, Inc.\n\nwith a place of business at 9 Bay Street, Salem ("Wren")\n\nand\n\nOrchid', "Wren",
     "Wren Biologics, Inc."),
    # a termination agreement between parties defined in its recitals
    ('TERMINATION AGREEMENT\n\nWHEREAS, Marlow Freight Services, Inc. ("Marlow") and Dunmore Paper Mills Ltd. '
     '("Dunmore") are parties to a Transportation Agreement dated June 1, 2015 (the "Transportation Agreement"); '
     "and\nWHEREAS, Marlow and Dunmore wish to end the Transportation Agreement.", "Dunmore",
     "Dunmore Paper Mills Ltd."),
    ('TERMINATION AGREEMENT\n\nWHEREAS, Marlow Freight Services, Inc. ("Marlow") and Dunmore Paper Mills Ltd. '
     '("Dunmore") are parties to a Transportation Agreement dated June 1, 2015.', "Marlow",
     "Marlow Freight Services, Inc."),
])
def test_the_legal_name_a_short_form_is_defined_for(text, short, legal):
    d = short_form_definition(short, text)
    assert d is not None and d.legal_name == legal


#: Legal forms outside the US and UK (invented names): each name ends in its form, written as such companies write it.
FOREIGN_NAMES = ["Lumen Harbour Pte. Ltd.", "Kerbau Timur Sdn. Bhd.", "Falkenried Logistik GmbH & Co. KG",
                 "Ashdown Mercantile plc", "Nordlys Shipping A/S", "Wattle Creek Pty Ltd", "Vetro Lucente S.p.A.",
                 "Colline Verdi S.r.l.", "Maison Ardoise S.A.S.", "Sakura Denki K.K.", "Tammi Systems Oy",
                 "Granit Bygg AB", "Hvalfjord Data ApS", "Pinar Textil S.L.", "Brightwater Holdings Co., Ltd.",
                 "Eiche Software SE", "Delta Norte Ltda.", "Kumpula Energia Oyj", "Rheinauen Chemie KGaA"]


@pytest.mark.parametrize("text, short, legal", [
    (f"This Agreement is made between Blue Ridge Haulage Inc., hereinafter called the Carrier, and {PEBBLE}, "
     "hereinafter called the Shipper.", "Carrier", "Blue Ridge Haulage Inc."),
    (f"This Agreement is made between Blue Ridge Haulage Inc., hereinafter called the Carrier, and {PEBBLE}, "
     "hereinafter called the Shipper.", "Shipper", PEBBLE),
    (f"This Agreement is made between Blue Ridge Haulage Inc., hereinafter referred to as Carrier; and {PEBBLE}.",
     "Carrier", "Blue Ridge Haulage Inc."),
    (f"Made between {ORCHID}, herein called Licensor, and {PEBBLE}, herein called Licensee.", "Licensee", PEBBLE),
])
def test_a_short_form_defined_unquoted_between_commas(text, short, legal):
    d = short_form_definition(short, text)
    assert d is not None and d.legal_name == legal
    x, _ = _run(text, ChunkParty(sentence_ids=[1], span=short, name=short, role=short))
    assert [p.name for p in x.parties] == [legal]


@pytest.mark.parametrize("text, short", [
    (f"The goods shall go by Carrier, as called for by {ORCHID}.", "Carrier"),  # no "hereinafter": no definition
    (f"{ORCHID}, hereinafter called the Carrier Services Division, and {PEBBLE}.", "Carrier"),  # another term
])
def test_no_unquoted_short_form_without_its_words(text, short):
    assert short_form_definition(short, text) is None


@pytest.mark.parametrize("legal", FOREIGN_NAMES)
def test_a_short_form_defined_for_a_company_with_a_foreign_legal_form(legal):
    text = (f'This Supply Agreement is entered into by {legal}, a company organised under the laws of Ruritania '
            f'("Seller"), and {PEBBLE}, a Maine limited liability company ("Buyer").')
    d = short_form_definition("Seller", text)
    assert d is not None and d.legal_name == legal
    x, findings = _run(text, ChunkParty(sentence_ids=[1], span="Seller", name="Seller", role="Seller"),
                       ChunkParty(sentence_ids=[1], span=PEBBLE, name=PEBBLE, role="Buyer"))
    assert [p.name for p in x.parties] == [legal, PEBBLE]


@pytest.mark.parametrize("legal", FOREIGN_NAMES)
def test_a_foreign_legal_form_ends_a_sentence_only_where_the_sentence_ends(legal):
    text = f"This Agreement is made by {legal} and Orchid Lane Textiles. Each party shall act in good faith."
    assert [s.text for s in split_sentences(text)] == [f"This Agreement is made by {legal} and Orchid Lane Textiles.",
                                                     "Each party shall act in good faith."]


@pytest.mark.parametrize("text, short", [
    ('Orchid Lane Textiles ("Orchid Lane Textiles") agrees.', "Orchid Lane Textiles"),  # a name defined as itself
    ('Orchid Lane Textiles, Inc. ("Orchid") agrees.', "Pebble"),  # not defined at all
    ("Orchid Lane Textiles, Inc. (the Orchid company) agrees.", "Orchid"),  # no quoted term
])
def test_a_short_form_the_text_does_not_define(text, short):
    assert short_form_definition(short, text) is None


@pytest.mark.parametrize("text, short", [
    ('"Licensee" means the party signing below.', "Licensee"),
    ('This Agreement is made between the party identified on the signature page ("Quarry") and Orchid.', "Quarry"),
    ('This First Amendment (the "Amendment") amends the Agreement.', "Amendment"),
    ("Nr. 11, Bl. D, Scara C, Apt. 43, Constanta (\"Telnet\")", "Telnet"),  # an address is no name
])
def test_a_short_form_defined_without_a_legal_name_before_it(text, short):
    d = short_form_definition(short, text)
    assert d is not None and d.legal_name is None


def test_short_forms_the_model_kept_as_names_become_legal_names_and_stay_defined_terms():
    text = (f'This Supply Agreement is entered into by {ORCHID}, a Georgia corporation (the "Company"), and Pebble '
            'Creek Foods LLC, with offices at 4 Mill Road, Bangor, Maine 04401 (hereinafter "Pebble").\n'
            "1. Pebble shall deliver the goods to the Company within ten (10) days.")
    # the short form given with itself as its only defined term: the merge drops that term, the repair must not need it
    x, findings = _run(text, ChunkParty(name="the Company", defined_terms=["Company"]),
                       ChunkParty(name="Pebble", defined_terms=["Pebble"]),
                       obligations=(ChunkObligation(obligor="Pebble", obligee="the Company", action="deliver"),))
    assert [p.name for p in x.parties] == [ORCHID, PEBBLE]
    assert x.parties[0].defined_terms == ["Company"] and x.parties[1].defined_terms == ["Pebble"]
    assert (x.obligations[0].obligor, x.obligations[0].obligee) == (PEBBLE, ORCHID)
    assert not [f for f in findings if f.rule_id in ("P004", "P009")]


def test_a_term_the_text_defines_for_the_other_party_does_not_join_the_two():
    text = (f'This Agreement is made between {ORCHID} (hereinafter referred to as ORCHID) and Tern Optics corporation '
            "whose address is 5 Rue Haute, Lyon (hereinafter referred to as TERN).")
    # the other party's legal name among a party's terms: once "TERN" is named by that legal name, it must not merge
    x, _ = _run(text, ChunkParty(name=ORCHID, defined_terms=["ORCHID", "Tern Optics corporation"]),
                ChunkParty(name="TERN"))
    assert [(p.name, p.defined_terms) for p in x.parties] == [(ORCHID, ["ORCHID"]), ("Tern Optics corporation",
                                                                                    ["TERN"])]


def test_a_short_form_with_no_legal_name_is_flagged():
    text = ('This Agreement is made between the party identified on the signature page ("Quarry") and Pebble Creek '
            'Foods LLC ("Pebble").\n"Licensee" means the party signing below.')
    x, findings = _run(text, ChunkParty(name="Quarry"), ChunkParty(name="Pebble"), ChunkParty(name="Licensee"))
    assert [p.name for p in x.parties] == ["Quarry", PEBBLE, "Licensee"]
    p009 = [f for f in findings if f.rule_id == "P009"]
    assert [f.field_path for f in p009] == ["parties[0]"] and "no legal name" in p009[0].message
    p004 = [f for f in findings if f.rule_id == "P004"]
    assert [f.field_path for f in p004] == ["parties[2]"] and "writes no legal name" in p004[0].message


# --- 2. a party name cut by a page break ----------------------------------------------------------------------

@pytest.mark.parametrize("name, text, longer", [
    ("Northwind Trading", "This Agreement is between Northwind Trading\nCompany, LLC, a Texas limited liability "
                          "company, and Orchid.", ["Northwind Trading Company, LLC"]),
    ("Northwind Trading", 'between Northwind Trading\fHoldings, Inc. ("Northwind")',
     ["Northwind Trading Holdings, Inc."]),
    ("Northwind Trading Company", "between Northwind Trading Company, LLC, a Texas",
     ["Northwind Trading Company, LLC"]),
    ("NORTHWIND", "BY AND BETWEEN NORTHWIND\nTRADING CO. AND ORCHID", ["NORTHWIND TRADING CO."]),
    ("Beta Supply", "Alpha Beta Supply LLC and Beta Supply Inc.", ["Beta Supply Inc."]),  # not inside a longer name
])
def test_a_longer_name_the_text_writes(name, text, longer):
    assert longer_names(name, text) == longer


@pytest.mark.parametrize("name, text", [
    ("Orchid", "between Orchid, Pebble Creek Foods LLC and Tern"),  # a list
    ("NORTHWIND TRADING", "NORTHWIND TRADING\tPEBBLE CREEK FOODS LLC"),  # another column
    ("NORTHWIND TRADING", "NORTHWIND TRADING     PEBBLE CREEK FOODS LLC"),
    ("Northwind Trading", "between Northwind Trading\n\nCompany Overview LLC"),  # a blank line
    ("Northwind Trading", "between Northwind Trading and Pebble Creek Foods LLC"),
    ("Orchid Lane Textiles, Inc.", "Orchid Lane Textiles, Inc. Pebble Creek Foods LLC"),  # after "Inc." another name
    ("Premier Nutrition Corporation", "Premier Nutrition Corporation Stremley Foods, LLC."),
    ("Licensee", "LICENSEE\nORCHID LANE TEXTILES, INC.\nBy: ____"),  # a role word labels a name, it does not start it
])
def test_no_longer_name(name, text):
    assert longer_names(name, text) == []


def _pdf(path, pages: list[list[tuple[float, str]]]):
    """A PDF of ``pages``, each a list of (x, line) written top down; two items with the same y share a row."""
    doc = pymupdf.open()
    for lines in pages:
        page = doc.new_page(width=595, height=842)
        y = 90.0
        for item in lines:
            if item == "":
                y += 15
                continue
            for x, text in item:
                page.insert_text((x, y), text, fontsize=11)
            y += 15
    doc.save(path)
    return path


PAGE_1 = [[(56, 'THIS SUPPLY AGREEMENT (the "Agreement") is made as of March 1, 2021. The parties agree as')],
          [(56, "follows and the terms below apply to every order placed under it by either of them.")],
          [(56, "This Agreement is between Northwind Trading")]]
PAGE_2 = [[(56, 'Company, LLC, a Texas limited liability company ("Northwind"), and Pebble Creek Foods LLC, a')],
          [(56, 'Maine limited liability company ("Pebble").')],
          [(56, "1. Northwind shall deliver the goods within ten (10) days.")]]


def test_a_name_cut_by_a_page_break_is_read_whole_from_a_pdf(tmp_path):
    text, _ = join_pages(read_pdf(_pdf(tmp_path / "cut.pdf", [PAGE_1, PAGE_2])).pages)
    assert "between Northwind Trading\nCompany, LLC" in text  # the page break is a line break in the text
    preamble = [s.text for s in split_sentences(text) if "between" in s.text]
    assert len(preamble) == 1 and "Northwind Trading\nCompany, LLC" in preamble[0]  # one sentence for the model
    x, findings = _run(text, ChunkParty(name="Northwind Trading"), ChunkParty(name=PEBBLE),
                       obligations=(ChunkObligation(obligor="Northwind Trading", action="deliver the goods"),))
    assert [p.name for p in x.parties] == ["Northwind Trading Company, LLC", PEBBLE]
    assert x.parties[0].defined_terms == ["Northwind"] and x.obligations[0].obligor == "Northwind Trading Company, LLC"
    assert not _ids(findings, "P010")


def test_a_name_the_text_continues_two_ways_is_flagged_not_guessed():
    text = ("This Agreement is between Northwind Trading\nCompany, LLC and Pebble Creek Foods LLC.\n"
            "Notices: Northwind Trading Holdings, Inc., 1 Dock Road.")
    x, findings = _run(text, ChunkParty(name="Northwind Trading"), ChunkParty(name=PEBBLE))
    assert x.parties[0].name == "Northwind Trading"
    f = [f for f in findings if f.rule_id == "P010"]
    assert [g.field_path for g in f] == ["parties[0]"]
    assert f[0].details["longer_names"] == ["Northwind Trading Company, LLC", "Northwind Trading Holdings, Inc."]


def test_a_person_written_alone_is_not_completed_into_a_company():
    text = ("This Agreement is between Orchid Lane Textiles, Inc. and John Smith, an individual.\n"
            "John Smith Consulting LLC is not a party.")
    x, findings = _run(text, ChunkParty(name=ORCHID), ChunkParty(name="John Smith"))
    assert [p.name for p in x.parties] == [ORCHID, "John Smith"]
    assert _ids(findings, "P010") == ["parties[1]"]  # a warning for the reviewer, not a guess


def test_a_heading_above_a_signature_name_is_not_joined_to_it():
    text = "By: /s/ Jane Roe Title: President and Chief Executive Officer\n\nHOLLOW OAK TIMBER LLC\nBy: /s/ Sam Poe"
    first, second = [s.text for s in split_sentences(text)][:2]
    assert first == "By: /s/ Jane Roe Title: President and Chief Executive Officer"
    assert second.startswith("HOLLOW OAK TIMBER LLC")


# --- 3. two company names on one signature line, and the signatories ------------------------------------------

@pytest.mark.parametrize("name, parts", [
    ("ORCHID LANE TEXTILES, INC. PEBBLE CREEK FOODS LLC", ["ORCHID LANE TEXTILES, INC.", "PEBBLE CREEK FOODS LLC"]),
    ("Orchid Lane Textiles, Inc. and Pebble Creek Foods LLC", [ORCHID, PEBBLE]),
    ("Tern Optics S.A. Harrow Mills Limited Pebble Creek Foods LLC", ["Tern Optics S.A.", "Harrow Mills Limited",
                                                                      PEBBLE]),
    ("Texas Company Holdings Inc.", ["Texas Company", "Holdings Inc."]),  # possible: the text must confirm it
])
def test_names_held_in_one_name(name, parts):
    assert merged_names(name) == parts


@pytest.mark.parametrize("name", ["Morgan Lane & Co. LLC", "Northwind Trading Company, LLC",
                                  "Corporation Service Company", ORCHID, "Quill and Ember Retail, LLC",
                                  "Orchid Lane Textiles Inc. Europe"])
def test_one_name_is_not_split(name):
    assert merged_names(name) == []


def test_a_split_after_company_needs_the_text():
    parts = merged_names("Texas Company Holdings Inc.")
    assert not split_is_certain("Texas Company Holdings Inc.", parts, "between Texas Company Holdings Inc. and Orchid")
    assert split_is_certain("Texas Company Holdings Inc.", parts,
                            "between Texas Company and Holdings Inc.\nTEXAS COMPANY\tHOLDINGS INC.")


SIGNATURES = [
    "",
    [(56, "IN WITNESS WHEREOF, the parties have signed this Agreement.")],
    "",
    [(56, "ORCHID LANE TEXTILES, INC."), (320, "PEBBLE CREEK FOODS LLC")],
    [(56, "By: ______________________"), (320, "By: ______________________")],
    [(56, "Name: Jane Roe"), (320, "Name: Sam Poe")],
    [(56, "Title: Chief Executive Officer"), (320, "Title: President")],
]


def test_a_two_column_signature_block_from_a_pdf(tmp_path):
    preamble = [[(56, f"This Agreement is made between {ORCHID}, a Georgia corporation, and {PEBBLE}, a Maine")],
                [(56, "limited liability company. Each party shall keep this Agreement confidential.")]]
    text, _ = join_pages(read_pdf(_pdf(tmp_path / "sig.pdf", [preamble + SIGNATURES])).pages)
    # what a small model answers from the signature page: the two names as one, and the people who sign
    x, findings = _run(text, ChunkParty(name="ORCHID LANE TEXTILES, INC. PEBBLE CREEK FOODS LLC"),
                       ChunkParty(name="Jane Roe", role="Chief Executive Officer"), ChunkParty(name="Sam Poe"))
    assert [p.name for p in x.parties] == ["ORCHID LANE TEXTILES, INC.", "PEBBLE CREEK FOODS LLC"]
    assert not [f for f in findings if f.rule_id in ("P001", "P011", "P012")]


def test_a_person_who_is_a_party_stays_a_party():
    text = (f"This Consulting Agreement is made between {ORCHID} and Jane Roe, an individual residing in Macon.\n"
            f"{ORCHID.upper()}\nBy: /s/ Sam Poe\nName: Sam Poe\nTitle: President\n\nJANE ROE\nBy: /s/ Jane Roe")
    x, findings = _run(text, ChunkParty(name=ORCHID), ChunkParty(name="Jane Roe"), ChunkParty(name="Sam Poe"))
    assert [p.name for p in x.parties] == [ORCHID, "Jane Roe"]
    assert not _ids(findings, "P012")


@pytest.mark.parametrize("text", [
    "By: /s/ Jane Roe",
    "Name: Jane Roe\nTitle: Director",
    "NAME (print): Jane Roe TITLE: President",
    "Orchid Lane Textiles, Inc.\nBy: ________\n     Jane Roe\n",
    "Jane Roe, Chief Operating Officer",
    "Notices to Orchid: Attention: Jane Roe, 12 Elm Street",
    "/s/ Sam Poe\n/s/ Jane Roe\nSam Poe\nJane Roe\nTitle: President",
    "Orchid Lane Textiles, Inc., represented by Jane Roe, its President",
])
def test_a_person_named_only_as_a_signatory_or_contact(text):
    assert is_signatory_only("Jane Roe", text)


@pytest.mark.parametrize("name, text", [
    ("Jane Roe", "This Agreement is made by Jane Roe and Orchid Lane Textiles, Inc.\nBy: /s/ Jane Roe"),
    ("Jane Roe", "between Orchid and Jane Roe, an individual"),
    ("Jane Roe", "Nobody of that name signs."),  # not in the text: the grounding rules' concern
    ("Pebble Creek Foods LLC", "By: Pebble Creek Foods LLC"),  # a company is no signatory
])
def test_not_only_a_signatory(name, text):
    assert not is_signatory_only(name, text)


LARCH = ("This Agreement is made by Larch Valley Fund, L.P. and Orchid Lane Textiles, Inc.\n\n"
         "LARCH VALLEY FUND, L.P.\nBy: Larch GP LLC, its general partner\nBy: /s/ Ann Lee\n")


@pytest.mark.parametrize("name, text", [
    ("Larch GP LLC", LARCH),
    ("Birch Manager LLC", "BIRCH HOLDINGS LLC\nBy: Birch Manager LLC, its sole manager\nBy: /s/ Ann Lee"),
    ("Cedar Trust Company", "Made by the Fund, acting by Cedar Trust Company, its trustee, and Orchid."),
    ("Dogwood Partners LLC", "By: Dogwood Partners LLC, its managing member"),
])
def test_an_entity_that_only_acts_for_a_party_is_no_party(name, text):
    assert is_signatory_only(name, text)


@pytest.mark.parametrize("name, text", [
    ("Larch GP LLC", "This Agreement is made by Larch GP LLC, as general partner, and the limited partners.\n"
                     "By: Larch GP LLC, its general partner"),  # a party in the preamble
    ("Larch Valley Fund, L.P.", LARCH),
])
def test_an_entity_that_is_a_party_as_well_stays_a_party(name, text):
    assert not is_signatory_only(name, text)


def test_the_general_partner_the_model_lists_is_dropped_and_flagged_where_it_stays():
    larch = ChunkParty(sentence_ids=[1], span="Larch Valley Fund, L.P.", name="Larch Valley Fund, L.P.")
    orchid = ChunkParty(sentence_ids=[1], span=ORCHID, name=ORCHID)
    gp = ChunkParty(sentence_ids=[1], span="Larch GP LLC", name="Larch GP LLC")
    x, findings = _run(LARCH, larch, orchid, gp)
    assert [p.name for p in x.parties] == ["Larch Valley Fund, L.P.", ORCHID]
    raw = merge_partials([chunk_to_partial(ChunkExtraction(parties=[larch, orchid, gp]), 0)])
    assert _ids(rules.evaluate(raw, SourceDocument(text=LARCH)), "P012") == ["parties[2]"]


def test_a_renamed_party_is_cited_where_the_text_writes_its_name():
    """The model cites the sentence where it saw the short form; the legal name the reader puts in its place is
    cited where the text writes it (found by code), so the support rule S005 has nothing to report."""
    from pipeline.extraction.partial import ground_partial
    from schemas import SourcePage

    text = (f'This Supply Agreement is entered into by {ORCHID}, a Georgia corporation ("Orchid"), and {PEBBLE}, a '
            'Maine limited liability company ("Pebble").\nOrchid shall deliver the goods within ten (10) days of each '
            "order.\n")
    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    answer = ChunkExtraction(parties=[ChunkParty(name="Orchid", span="Orchid", sentence_ids=[2]),
                                      ChunkParty(name=PEBBLE, span=PEBBLE, sentence_ids=[1])])
    partial = chunk_to_partial(answer, 0)
    ground_partial(partial, split_sentences(text), doc)
    assert partial.parties[0].evidence.quote.startswith("Orchid shall deliver")
    x = normalize_extraction(merge_partials([partial]), doc)
    orchid = next(p for p in x.parties if p.name == ORCHID)
    ev = orchid.evidence
    assert text[ev.value_start:ev.value_end] == ORCHID and ev.quote.startswith("This Supply Agreement")
    assert ev.match.value == "exact" and ev.page == 1
    assert _ids(rules.evaluate(x, doc), "S005") == []
    pebble = next(p for p in x.parties if p.name == PEBBLE)
    assert pebble.evidence.sentence_ids == [1]  # a name the model gave as written keeps the model's citation
