"""Clause sets written for the field readers, blind to the CUAD texts: per field, drafting forms a contract may use
with the value a right reading gives, and forms that must not be read (the term of another thing, the date of
another agreement, a renewal of a lease, a notice of termination for breach), whose right value is ``None``.

Each case is a whole small document: the readers run on an empty extraction (no model answer), so a value comes
from the readers alone, and a value computed from others (an expiration date from effective date + initial term)
counts too. Used by ``tests/test_reader_forms.py`` (every case must be read right) and by
``scripts/reader_forms.py`` (the share read right, read wrongly and left empty, per field).

A case is ``(document text, right value)``: dates as ISO 8601, durations as "<n> <unit>" (compared as durations:
"12 months" = "1 years"), ``auto_renewal`` as ``True``, ``None`` for "must not be read".
"""

from __future__ import annotations

#: The signature blocks a document may end with: both dated (latest 2022-03-14), one left blank.
SIGNED_BOTH = ("\n\nIN WITNESS WHEREOF, the parties have executed this Agreement.\n\n"
               "NORTHWIND TRADING LTD.                 KESTREL ANALYTICS INC.\n"
               "By: /s/ Mara Olsen                     By: /s/ Tobias Reyes\n"
               "Title: Director                        Title: President\n"
               "Date: March 9, 2022                    Date: March 14, 2022\n")
SIGNED_ONE_BLANK = ("\n\nIN WITNESS WHEREOF, the parties have executed this Agreement.\n\n"
                    "NORTHWIND TRADING LTD.\nBy: /s/ Mara Olsen\nDate: March 9, 2022\n\n"
                    "KESTREL ANALYTICS INC.\nBy: ________________\nDate: ________________\n")

FORMS: dict[str, list[tuple[str, object]]] = {
    "effective_date": [
        # the agreement dates itself "as of" and states no other start: it takes effect that day
        ("This Agreement is made and entered into as of May 31, 1999 by and between Harrow Mills Inc. and Bexley "
         "Foods LLC.", "1999-05-31"),
        ('THIS DISTRIBUTION AGREEMENT (this "Agreement"), made and entered into as of August 4, 2011, by and between '
         "Orrin Tool Co. and Pell Supply Corp.", "2011-08-04"),
        ("This Agreement is entered into effective as of February 2, 2015 by Larch Media LLC and Teal Records Inc.",
         "2015-02-02"),
        ("This Consulting Agreement, dated as of the 1st day of June, 2003, is between Ames Corp. and Rhea Lopez.",
         "2003-06-01"),
        ("THIS AGREEMENT is made as of the 12th day of October, 2008, between Fenwick Ltd. and Crane Ltd.",
         "2008-10-12"),
        ("This License Agreement is executed as of 15 March 2019 by Delta Optics GmbH and Vale Imaging Ltd.",
         "2019-03-15"),
        # a verb of taking effect
        ("This Agreement shall become effective on July 1, 2004.", "2004-07-01"),
        ("This Agreement takes effect on 1 September 2020.", "2020-09-01"),
        ("The present Agreement comes into force on January 15, 2012.", "2012-01-15"),
        ("This Agreement is dated June 1, 2020, and is effective as of July 1, 2020.", "2020-07-01"),
        ("This Supply Agreement is made on 3 May 2016 between Orla Foods Ltd and Pike Farms Ltd, and shall be "
         "effective as of 1 June 2016.", "2016-06-01"),
        ("This Agreement is signed in two originals on the 5th day of November, 2009, in Denver, Colorado, to be "
         "effective January 1, 2010.", "2010-01-01"),
        ('The term shall be three (3) years commencing on June 1, 2005 (the "Commencement Date").', "2005-06-01"),
        ("The term of this Agreement shall commence on April 1, 2018 and end on March 31, 2021.", "2018-04-01"),
        ("13.1 This Agreement shall come into force as of January 1, 2013 and remain valid for one (1) year.",
         "2013-01-01"),
        # a reference to the agreement's own date
        ("This Agreement is made on 2 January 2017 between Ash Ltd and Birch Ltd. This Agreement shall be effective "
         "as of the date first written above.", "2017-01-02"),
        # the last signature: the latest of the signature dates
        ("This Agreement is effective as of the date last signed below." + SIGNED_BOTH, "2022-03-14"),
        ("This Agreement shall be effective on the date of the last signature below." + SIGNED_BOTH, "2022-03-14"),
        ("This Agreement becomes effective when signed by both parties." + SIGNED_BOTH, "2022-03-14"),
        ("This Agreement shall take effect upon execution by both Parties." + SIGNED_BOTH, "2022-03-14"),
        ('"Effective Date" means the later of the dates below the parties\' signatures.' + SIGNED_BOTH, "2022-03-14"),
        # must not be read
        ("This Agreement is effective as of the date last signed below." + SIGNED_ONE_BLANK, None),
        ("This Amendment amends the Supply Agreement dated May 8, 2008 between Harrow Mills Inc. and Bexley Foods "
         "LLC.", None),
        ("This Agreement terminates the Services Agreement dated as of March 3, 2011 between the parties.", None),
        ("The parties previously entered into a Reseller Agreement effective as of April 1, 2014.", None),
        ("Either party may terminate this Agreement effective on December 31, 2023 by written notice.", None),
        ("No amendment to this Agreement shall be effective unless signed by both parties on or after June 1, 2021.",
         None),
        ("The new prices shall become effective on January 1, 2022.", None),
        ("This Agreement is made as of May 1, 2003 between Ash Ltd and Birch Ltd. This Agreement shall become "
         "effective upon the first commercial sale of the Product.", None),
        ('This Agreement is made as of May 1, 2003. This Agreement shall be effective on the date the Site becomes '
         'fully operational (the "Effective Date").', None),
        ("Any Purchase Order shall be effective when signed by both parties on March 1, 2020.", None),
        # more forms
        ("This Agreement is effective as of the 15th day of January, 2019.", "2019-01-15"),
        ("This Agreement, effective as of October 1, 2010, is made by and between Ash Ltd and Birch Ltd.",
         "2010-10-01"),
        ("This Agreement shall be deemed effective as of March 1, 2018.", "2018-03-01"),
        ("The Effective Date of this Agreement shall be the date on which it has been signed by both parties."
         + SIGNED_BOTH, "2022-03-14"),
        ("This Agreement shall become effective on the date on which it is signed by the last of the Parties."
         + SIGNED_BOTH, "2022-03-14"),
        ("This Agreement is effective upon signature by both parties." + SIGNED_BOTH, "2022-03-14"),
        ("This Agreement shall enter into force on the date of the last signature." + SIGNED_BOTH, "2022-03-14"),
        ("SERVICES AGREEMENT\nEffective Date: the date of the last signature below\n" + SIGNED_BOTH, "2022-03-14"),
        ("This Addendum is made as of June 1, 2015 to the License Agreement dated May 1, 2012 between Ash Ltd "
         "and Birch Ltd.", "2015-06-01"),
        ("This Agreement supersedes the letter agreement dated June 1, 2019 between the parties.", None),
        ("This Agreement is made pursuant to the Master Agreement dated as of June 1, 2019.", None),
        ("WHEREAS, the parties entered into a Supply Agreement dated as of January 5, 2015.", None),
        ("This Agreement replaces the Distribution Agreement made as of January 1, 2010.", None),
    ],
    "agreement_date": [
        ("This Agreement is made and entered into as of May 31, 1999 by and between Harrow Mills Inc. and Bexley "
         "Foods LLC.", "1999-05-31"),
        ("This Agreement is made on 3 May 2016 between Orla Foods Ltd and Pike Farms Ltd.", "2016-05-03"),
        ("THIS LEASE ADMINISTRATION AGREEMENT, dated the 4th day of April, 2001, between Corm Ltd and Sedge Ltd.",
         "2001-04-04"),
        ("This Agreement, entered into on 07/09/2012, is between Ivy Corp. and Wren Corp.", None),  # order undecided
        ("This Amendment amends the Supply Agreement dated May 8, 2008 between Harrow Mills Inc. and Bexley Foods "
         "LLC.", None),
        ("Reference is made to that certain Loan Agreement made as of June 3, 2010 among the lenders.", None),
    ],
    "expiration_date": [
        ("This Agreement is made as of March 1, 2021. The term of this Agreement shall begin on the date hereof and "
         "run through and including June 30, 2026.", "2026-06-30"),
        ("This Agreement shall remain in effect from the Effective Date through and including June 30, 2026.",
         "2026-06-30"),
        ("This Agreement shall become effective on March 1, 2020 and shall continue until the fifth (5th) "
         "anniversary of the Effective Date.", "2025-03-01"),
        ("This Agreement is made as of March 1, 2020. This Agreement expires on the third anniversary of the "
         "Effective Date.", "2023-03-01"),
        ("This Agreement shall become effective on March 1, 2020 and shall be in effect for a period ending three (3) "
         "years after the Effective Date.", "2023-03-01"),
        ("This Agreement shall expire on the later of (a) December 31, 2025 and (b) June 30, 2026.", "2026-06-30"),
        ("This Agreement shall continue until the earlier of (i) December 31, 2027 and (ii) the date on which either "
         "party ceases to trade.", "2027-12-31"),
        ("The Term shall run until December 31, 2027.", "2027-12-31"),
        ("This Agreement shall become effective on March 1, 2020 and shall continue for two (2) years.", "2022-03-01"),
        # must not be read
        # a lower bound with "until terminated" is the least the term lasts: no end date follows from it
        ("This Agreement shall become effective on March 1, 2020 and shall continue until terminated, but for at "
         "least one year thereafter.", None),
        ("This Agreement is made as of March 1, 2020. It shall continue for a minimum period of two (2) years and "
         "thereafter until terminated by either party.", None),
        ("This Agreement is made as of March 1, 2020. This Agreement expires on the later of (a) December 31, 2025 "
         "and (b) the completion of the Services.", None),
        ("This Agreement is made as of March 1, 2020. It shall expire on December 31, 2025 or upon completion of the "
         "Project, whichever is later.", None),
        ("This Agreement is made as of March 1, 2020. This Agreement shall remain in force until terminated by either "
         "party on ninety (90) days' notice.", None),
        ("This Agreement is made as of March 1, 2020. This Agreement shall terminate on June 1, 2021 if the Product is "
         "not launched by then.", None),
        ("This Agreement is made as of March 1, 2020. The Lease shall remain in effect until December 31, 2030.", None),
        ("This Agreement is made as of March 1, 2020. This Agreement shall terminate thirty (30) days after either "
         "party gives notice of a breach.", None),
        ("This Agreement is made as of March 1, 2020. Each Statement of Work shall remain in effect for one (1) "
         "year.", None),
        # more forms
        ("The Initial Term shall commence on the Effective Date and end on December 31, 2026.", "2026-12-31"),
        ("This Agreement shall remain in full force and effect through December 31, 2024.", "2024-12-31"),
        ("This Agreement shall continue in effect up to and including 30 September 2025.", "2025-09-30"),
        ("This Agreement shall be in force from 1 January 2020 to 31 December 2022.", "2022-12-31"),
        ("The term of this Agreement is from March 1, 2020 until February 28, 2025.", "2025-02-28"),
        ("This Agreement will expire at midnight on December 31, 2025.", "2025-12-31"),
        ("This Agreement is made as of March 1, 2020. The term of this Agreement shall be five (5) years from "
         "the Effective Date.", "2025-03-01"),
        ("The Warranty Period shall expire on December 31, 2025.", None),
        ("This Agreement shall remain in effect until December 31, 2025 or the completion of the Services, "
         "whichever is later.", None),
        ("The parties' obligations under Section 5 shall survive until June 30, 2030.", None),
        ("This Agreement is made as of March 1, 2020. This Agreement shall remain in effect for so long as the"
         " Licensee holds the License.", None),
        ("Payments shall be made until December 31, 2024.", None),
    ],
    "initial_term": [
        ("This Agreement shall commence on the Effective Date and continue for an initial term of three (3) years.",
         "3 years"),
        ("This Agreement shall continue until the fifth (5th) anniversary of the Effective Date.", "5 years"),
        ("This Agreement expires on the third anniversary of the Effective Date.", "3 years"),
        ("This Agreement shall be in effect for a period ending three (3) years after the Effective Date.", "3 years"),
        ("The initial term of this Agreement is two (2) years.", "2 years"),
        ("This Agreement shall expire twenty-four (24) months after the Effective Date.", "24 months"),
        # must not be read
        ("This Agreement shall commence on the Effective Date and shall continue until terminated, but for at least "
         "one year thereafter.", "1 years"),
        ("This Agreement shall terminate thirty (30) days after either party gives notice of a breach.", None),
        ("During the term of this Agreement and for two (2) years thereafter, neither party shall hire the other's "
         "staff.", None),
        ("The Lease shall remain in effect for ten (10) years.", None),
        # more forms
        ("The term of this Agreement shall be a period of five (5) years commencing on the Effective Date.", "5 years"),
        ("This Agreement has a term of eighteen (18) months.", "18 months"),
        ("This Agreement shall last for two (2) years.", "2 years"),
        ("The Initial Term is thirty-six (36) months.", "36 months"),
        ("The Supplier shall deliver the Products within two (2) weeks.", None),
        ("This Agreement shall continue for a minimum of one (1) year.", "1 years"),
        ("This Agreement shall remain in effect for up to five (5) years.", None),
        ("The term of the License shall be ten (10) years.", None),
    ],
    "auto_renewal": [
        ("This Agreement shall automatically renew for successive one-year periods unless either party gives "
         "written notice of non-renewal at least ninety (90) days prior to the end of the then-current term.", True),
        ("Thereafter, this Agreement will be extended for additional terms of twelve (12) months each unless "
         "terminated by either party upon sixty (60) days' written notice before expiry.", True),
        ("After the Initial Term, this Agreement renews from year to year unless either party gives notice of "
         "non-renewal at least thirty (30) days before the end of the then-current term.", True),
        ("This Agreement shall continue thereafter on a year-to-year basis unless either party gives written notice "
         "of termination at least sixty (60) days prior to the anniversary date.", True),
        ("This Agreement shall be renewed automatically for successive two (2) year terms.", True),
        # must not be read
        ("The Licensee may renew the license for Software for one year by paying the then-current fee.", None),
        ("The lease renews monthly.", None),
        ("The Supply Agreement shall automatically renew for successive one-year terms unless terminated by either "
         "party upon ninety (90) days notice.", None),
        ("This Agreement shall not automatically renew.", None),
        ("The term of this Agreement shall extend from the Effective Date through June 30, 2024, unless extended by "
         "written agreement of the parties.", None),
        # more forms
        ("Unless either party gives notice of non-renewal at least 30 days before the end of the Initial Term,"
         " this Agreement shall automatically renew for successive terms of one (1) year.", True),
        ("This Agreement shall automatically renew each year unless either party gives sixty (60) days notice "
         "of non-renewal.", True),
        ("The Distributor may extend this Agreement for one (1) additional year by notice given ninety (90) "
         "days before expiry.", None),
        ("The Lease Term shall automatically renew for successive one-year terms.", None),
        ("The license granted hereunder shall automatically renew for additional one-year periods unless "
         "either party objects.", None),
        ("The Software Subscription shall renew automatically each year unless cancelled with thirty (30) days"
         " notice.", None),
        ("Thereafter, this Agreement shall be in effect from month to month until terminated by either party upon "
         "thirty (30) days' prior written notice.", True),
    ],
    "renewal_term": [
        ("This Agreement shall automatically renew for successive one-year periods unless either party gives "
         "written notice of non-renewal at least ninety (90) days prior to the end of the then-current term.",
         "1 years"),
        ("Thereafter, this Agreement will be extended for additional terms of twelve (12) months each unless "
         "terminated by either party upon sixty (60) days' written notice before expiry.", "12 months"),
        ("After the Initial Term, this Agreement renews from year to year unless either party gives notice of "
         "non-renewal at least thirty (30) days before the end of the then-current term.", "1 years"),
        ("This Agreement will extend automatically for monthly periods unless either party gives thirty (30) days' "
         "notice of non-renewal.", "1 months"),
        ("This Agreement shall commence on the Effective Date and continue for an initial term of two (2) years. "
         "Upon expiry of the Initial Term, this Agreement shall automatically renew for like periods unless either "
         "party notifies the other of its intention not to renew at least three (3) months before the end of the "
         "then current term.", "2 years"),
        ("The initial term of this Agreement is three (3) years. This Agreement shall automatically be renewed for "
         "an additional period equal to the Initial Term unless either party objects in writing sixty (60) days "
         "before expiry.", "3 years"),
        ("This Agreement shall be renewed automatically on a two (2) year basis unless either party notifies the "
         "other of its wish to terminate.", "2 years"),
        # must not be read
        ("The Licensee may renew the license for Software for one year by paying the then-current fee.", None),
        ("The lease renews monthly.", None),
        ("The Supply Agreement shall automatically renew for successive one-year terms unless terminated by either "
         "party upon ninety (90) days notice.", None),
        ("This Agreement may be renewed for one (1) additional year by mutual written agreement.", None),
        # more forms
        ("This Agreement shall renew automatically for additional one (1) year periods unless either party "
         "notifies the other in writing of its intent not to renew no later than ninety (90) days before the "
         "expiration of the then-current term.", "1 years"),
        ("Unless either party gives notice of non-renewal at least 30 days before the end of the Initial Term,"
         " this Agreement shall automatically renew for successive terms of one (1) year.", "1 years"),
        ("This Agreement shall automatically renew each year unless either party gives sixty (60) days notice "
         "of non-renewal.", "1 years"),
        ("The Lease Term shall automatically renew for successive one-year terms.", None),
        ("Thereafter, this Agreement shall be in effect from month to month until terminated by either party upon "
         "thirty (30) days' prior written notice.", "1 months"),
    ],
    "renewal_notice": [
        ("This Agreement shall automatically renew for successive one-year periods unless either party gives "
         "written notice of non-renewal at least ninety (90) days prior to the end of the then-current term.",
         "90 days"),
        ("Thereafter, this Agreement will be extended for additional terms of twelve (12) months each unless "
         "terminated by either party upon sixty (60) days' written notice before expiry.", "60 days"),
        ("This Agreement shall continue thereafter on a year-to-year basis unless either party gives written notice "
         "of termination at least sixty (60) days prior to the anniversary date.", "60 days"),
        ("Upon expiry of the Initial Term, this Agreement shall automatically renew for like periods unless either "
         "party notifies the other of its intention not to renew at least three (3) months before the end of the "
         "then current term.", "3 months"),
        # must not be read
        ("This Agreement shall automatically renew for successive one (1) year terms, provided that either party may "
         "terminate this Agreement for breach upon thirty (30) days' written notice.", None),
        ("This Agreement shall automatically renew for successive one (1) year terms. Either party may terminate "
         "this Agreement for convenience on thirty (30) days' notice.", None),
        ("The Supply Agreement shall automatically renew for successive one-year terms unless terminated by either "
         "party upon ninety (90) days notice.", None),
        # more forms
        ("This Agreement shall renew automatically for additional one (1) year periods unless either party "
         "notifies the other in writing of its intent not to renew no later than ninety (90) days before the "
         "expiration of the then-current term.", "90 days"),
        ("Unless either party gives notice of non-renewal at least 30 days before the end of the Initial Term,"
         " this Agreement shall automatically renew for successive terms of one (1) year.", "30 days"),
        ("This Agreement shall automatically renew for successive one (1) year periods unless terminated by "
         "either party by written notice given not less than sixty (60) days prior to the expiration of the "
         "then current term.", "60 days"),
        ("This Agreement shall automatically renew for successive one-year terms unless either party provides "
         "notice of its intent not to renew at least one hundred twenty (120) days prior to the renewal date.",
         "120 days"),
        ("This Agreement shall automatically renew for successive one-year terms unless terminated earlier; "
         "either party may terminate this Agreement upon ninety (90) days' notice for convenience.", None),
        ("This Agreement shall automatically renew for successive one (1) year terms. Payment is due within "
         "thirty (30) days of invoice.", None),
        ("Thereafter, this Agreement shall be in effect from month to month until terminated by either party upon "
         "thirty (30) days' prior written notice.", "30 days"),
    ],
}


def read(text: str):
    """The extraction the readers give ``text`` (one page) with no model answer:
    :func:`pipeline.extraction.normalize.normalize_extraction` of an empty extraction."""
    from pipeline.extraction.normalize import normalize_extraction
    from schemas import ContractExtraction, SourceDocument, SourcePage

    doc = SourceDocument(text=text, pages=[SourcePage(number=1, start=0, end=len(text))])
    return normalize_extraction(ContractExtraction(), doc)


def value_of(x, field: str) -> object:
    """``x.<field>``'s value as the cases write it: ISO 8601 date, "<n> <unit>" duration, bool; ``None`` when empty."""
    claim = getattr(x, field)
    v = claim.value if claim is not None else None
    return v.isoformat() if hasattr(v, "isoformat") else (str(v) if v is not None and not isinstance(v, bool) else v)


def outcome(got: object, want: object) -> str:
    """"right", "wrong" or "empty" (a value to read left empty); durations are compared as durations."""
    from rules.text import parse_duration

    if got is None:
        return "right" if want is None else "empty"
    if want is None:
        return "wrong"
    if isinstance(want, str) and not want[:4].isdigit():
        g, w = parse_duration(str(got)), parse_duration(want)
        return "right" if g is not None and w is not None and g.canonical() == w.canonical() else "wrong"
    return "right" if got == want else "wrong"
