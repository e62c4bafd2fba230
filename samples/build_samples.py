"""Build the three sample contracts in samples/ from the HTML below (PyMuPDF ``Story``).

Run: ``.venv/bin/python samples/build_samples.py [OUT_DIR]`` (default: this folder).

Each contract is laid out by MuPDF's HTML engine, then a running header (services agreement only),
a left footer reference (supply agreement only) and a centred "Page n of N" footer are stamped on
every page: the reader has to strip them. One chosen sentence per contract must cross a page break
(it carries a field value, so grounding has to rejoin it); the build searches, deterministically, the
smallest spacer before a chosen element that makes it cross, and fails if none does. Metadata dates
are fixed and no random /ID is written, so rebuilding gives the same bytes with the same PyMuPDF.

All companies, people, addresses and numbers are invented for this project.
"""

from __future__ import annotations

import io
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pymupdf

HERE = Path(__file__).resolve().parent
MARGIN = 72.0  # points (1 inch) left/right
TOP = 72.0
BOTTOM = 72.0
MAX_PAD = 400  # points of spacer tried before giving up
MIN_WORDS_EACH_SIDE = 3

CSS = """
body { font-family: serif; font-size: 10.5pt; line-height: 1.3; }
h1 { font-size: 15pt; text-align: center; margin: 0 0 10pt 0; }
h2 { font-size: 10.5pt; font-weight: bold; margin: 9pt 0 3pt 0; }
h3 { font-size: 12pt; text-align: center; margin: 6pt 0 6pt 0; }
p { text-align: justify; margin: 0 0 5pt 0; }
p.c { text-align: center; }
p.ind { margin-left: 18pt; }
table.grid { width: 100%; border-spacing: 0; margin: 4pt 0 8pt 0; }
table.grid td, table.grid th { border-top: 0.6pt solid black; border-left: 0.6pt solid black;
  padding: 3pt; text-align: left; vertical-align: top; font-size: 10pt; }
table.grid .r { border-right: 0.6pt solid black; }
table.grid .b { border-bottom: 0.6pt solid black; }
table.sig { width: 100%; margin-top: 10pt; }
table.sig td { width: 50%; vertical-align: top; padding: 2pt 8pt 2pt 0; }
"""


@dataclass(frozen=True)
class Sample:
    """One contract: its HTML (with a ``__PAD__`` spacer placeholder) and layout choices."""

    name: str
    paper: str
    title: str
    subject: str
    date: str  # PDF date string for CreationDate/ModDate
    html: str
    page_break_sentence: str
    header: str | None = None
    footer_left: str | None = None


def norm(text: str) -> str:
    """NFKC (ligatures), straight quotes, one space for any whitespace run.

    A line break after a hyphen inside a word ("then-\\ncurrent") is joined back ("then-current"):
    MuPDF breaks lines after real hyphens and never inserts soft ones, so no hyphen is dropped.
    """
    text = unicodedata.normalize("NFKC", text)
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(?<=\w)- (?=\w)", "-", text)


# ---------------------------------------------------------------------------------------------------
# 1. Master services agreement (New York law, USD, agreement date != effective date, d/b/a)
# ---------------------------------------------------------------------------------------------------

SERVICES_HTML = """
<h1>MASTER SERVICES AGREEMENT</h1>
<p>This Master Services Agreement (this “Agreement”) is entered into as of February 12, 2024 (the “Agreement Date”)
and is effective as of March 1, 2024 (the “Effective Date”), by and between:</p>
<p class="ind"><b>Harrowgate Systems, Inc.</b>, a Delaware corporation with its principal place of business at 410 Larkspur
Avenue, Suite 900, Wilmington, Delaware 19801 (“Harrowgate” or the “Provider”); and</p>
<p class="ind"><b>Bellweather Provisions Co., LLC</b>, a New York limited liability company doing business as “Bellweather
Market,” with its principal office at 77 Canal Row, Rochester, New York 14604 (“Bellweather” or the “Client”).</p>
<p>Provider and Client are each referred to as a “Party” and together as the “Parties.”</p>

<h2>RECITALS</h2>
<p>A. Provider develops and operates a cloud-hosted inventory forecasting platform known as “StockSight” (the “Platform”)
and provides related implementation and managed services to retailers.</p>
<p>B. Client operates a chain of specialty grocery stores in upstate New York and wishes to engage Provider to implement
the Platform across its stores and to operate it afterwards, on the terms set out below.</p>
<p>NOW, THEREFORE, in consideration of the mutual promises in this Agreement, and for other good and valuable
consideration, the receipt and sufficiency of which are acknowledged, the Parties agree as follows:</p>

<h2>1. DEFINITIONS</h2>
<p>1.1 “Acceptance” means Client’s written confirmation, or deemed confirmation under Section 3.3, that a Deliverable
conforms in all material respects to its specifications in the applicable Statement of Work.</p>
<p>1.2 “Affiliate” means any entity that directly or indirectly controls, is controlled by, or is under common control
with a Party, where “control” means ownership of more than fifty percent (50%) of the voting interests of the entity.</p>
<p>1.3 “Business Day” means any day other than a Saturday, a Sunday or a day on which commercial banks in New York City
are authorized or required by law to close.</p>
<p>1.4 “Client Data” means all data, including point-of-sale records, product master files and supplier lists, that
Client or its Affiliates provide to Provider or that the Platform generates from such data.</p>
<p>1.5 “Deliverables” means the documents, configurations, reports and other work product that Provider delivers to
Client under a Statement of Work.</p>
<p>1.6 “Go-Live Date” means the date on which Client first uses the Platform in production for all of its stores, as
confirmed in writing by both Parties.</p>
<p>1.7 “Statement of Work” or “SOW” means a document executed by both Parties that refers to this Agreement and
describes Services, Deliverables, delivery dates and fees. Statement of Work No. 1 is attached as Exhibit A.</p>

<h2>2. SERVICES</h2>
<p>2.1 Provider shall perform the implementation services and managed services described in each Statement of Work
(together, the “Services”) in a professional and workmanlike manner, using appropriately qualified personnel and in
accordance with generally recognized industry standards.</p>
<p>2.2 Provider shall deliver to Client a detailed project plan for the implementation (the “Project Plan”) within
fifteen (15) Business Days after the Effective Date.</p>
<p>2.3 Client shall give Provider’s personnel access to its point-of-sale data exports, its product master files and a
designated project manager within ten (10) days after the Effective Date. Provider is not responsible for any delay to
the extent caused by Client’s failure to do so.</p>
<p>2.4 If this Agreement and a Statement of Work conflict, this Agreement prevails unless the Statement of Work expressly
identifies the section of this Agreement that it overrides.</p>
<h2>3. DELIVERY AND ACCEPTANCE</h2>
<p>3.1 Provider shall deliver each Deliverable on or before the delivery date stated in the applicable Statement of
Work.</p>
<p>3.2 Client shall test each Deliverable and, within ten (10) Business Days after its delivery, either confirm
Acceptance in writing or give Provider a written description of each material nonconformity.</p>
<p>3.3 If Client does not respond within that period, the Deliverable is deemed accepted. Provider shall correct each
nonconformity reported under Section 3.2 and redeliver the corrected Deliverable within fifteen (15) Business Days
after receiving the report, after which the acceptance procedure in Section 3.2 applies again.</p>

<h2>4. FEES AND PAYMENT</h2>
<p>4.1 Client shall pay the fees set out in Exhibit A (the “Fees”). Provider shall invoice each milestone fee on or after
the due date shown for it in Exhibit A and shall invoice the managed services fee monthly in advance.</p>
<p>4.2 Client shall pay each invoice within forty-five (45) days after receipt of a correct invoice. Client may withhold
any amount that it disputes in good faith, provided that it notifies Provider of the dispute in writing before the
payment due date and pays the undisputed portion.</p>
<p>4.3 Late payments bear interest at the lesser of one percent (1%) per month and the highest rate permitted by
applicable law.</p>
<p>4.4 All Fees are stated and payable in United States dollars and exclude sales, use and similar taxes, which Client
shall pay, other than taxes based on Provider’s net income.</p>
<p>4.5 Provider may increase the managed services fee once during each Renewal Term, by no more than three percent (3%),
by giving Client at least thirty (30) days’ prior written notice.</p>

<h2 style="margin-top:__PAD__pt">5. TERM AND TERMINATION</h2>
<p>5.1 <i>Term.</i> This Agreement commences on the Effective Date and continues until the third (3rd) anniversary of
the Effective Date (the “Initial Term”), unless terminated earlier under this Section 5.</p>
<p>5.2 <i>Renewal.</i> Thereafter, this Agreement shall automatically renew for successive renewal terms of one (1) year
each (each, a “Renewal Term”) unless either Party gives written notice of non-renewal at least sixty (60) days before
the end of the then-current term. The Initial Term and all Renewal Terms are together the “Term.”</p>
<p>5.3 <i>Termination for Convenience.</i> Client may terminate this Agreement, or any Statement of Work, for any reason
or no reason upon ninety (90) days’ prior written notice to Provider. On such a termination Client shall pay for
Services performed through the effective date of termination and for any non-cancellable commitments that Provider
made in reliance on the affected Statement of Work.</p>
<p>5.4 <i>Termination for Cause.</i> Either Party may terminate this Agreement by written notice if the other Party
materially breaches this Agreement and fails to cure the breach within thirty (30) days after receiving written notice
describing it.</p>
<p>5.5 <i>Effect of Termination.</i> Within thirty (30) days after the expiration or termination of this Agreement,
Provider shall return to Client or, at Client’s election, delete all Client Data in its possession and certify the
deletion in writing. Sections 4, 6, 7, 8, 9 and 10 survive any expiration or termination.</p>

<h2>6. DATA AND SECURITY</h2>
<p>6.1 As between the Parties, Client owns all right, title and interest in and to the Client Data. Provider shall use
Client Data only to perform the Services.</p>
<p>6.2 Provider shall maintain administrative, physical and technical safeguards for Client Data that are at least as
protective as those described in its most recent SOC 2 Type II report, a copy of which Provider shall provide on
request.</p>
<p>6.3 Provider shall notify Client in writing without undue delay, and in any event within three (3) days, after
becoming aware of any unauthorized access to or disclosure of Client Data (a “Security Incident”).</p>

<h2>7. CONFIDENTIALITY</h2>
<p>7.1 “Confidential Information” means any non-public information that one Party (the “Discloser”) discloses to the
other Party (the “Recipient”) in connection with this Agreement and that is marked as confidential or that a reasonable
person would understand to be confidential. Client Data is Client’s Confidential Information.</p>
<p>7.2 The Recipient shall use the Discloser’s Confidential Information only to exercise its rights and perform its
obligations under this Agreement, shall protect it with at least reasonable care, and shall disclose it only to its
employees, contractors and advisers who need to know it and who are bound by written obligations no less protective
than this Section 7.</p>
<p>7.3 These obligations do not apply to information that is or becomes public through no fault of the Recipient, that
the Recipient already knew without restriction, that it independently develops, or that it lawfully receives from a
third party without restriction.</p>
<p>7.4 The obligations in this Section 7 continue during the Term and survive for five (5) years after the expiration or
termination of this Agreement; however, obligations regarding trade secrets continue for as long as the information
remains a trade secret under applicable law.</p>

<h2>8. WARRANTIES</h2>
<p>8.1 Provider warrants that each Deliverable will conform in all material respects to its specifications for ninety
(90) days after its Acceptance. Provider shall, as Client’s exclusive remedy for breach of this warranty, correct the
nonconformity or, if it cannot do so within a reasonable time, refund the Fees paid for the affected Deliverable.</p>
<p>8.2 EXCEPT AS EXPRESSLY STATED IN THIS AGREEMENT, NEITHER PARTY MAKES ANY WARRANTY, EXPRESS OR IMPLIED, INCLUDING
ANY IMPLIED WARRANTY OF MERCHANTABILITY OR FITNESS FOR A PARTICULAR PURPOSE.</p>

<h2>9. INDEMNIFICATION</h2>
<p>Provider shall defend Client against any third-party claim alleging that the Platform or any Deliverable infringes
a United States patent, copyright or trademark, and shall pay any damages finally awarded or agreed in settlement,
provided that Client gives Provider prompt written notice of the claim, sole control of its defense and reasonable
cooperation at Provider’s expense.</p>

<h2>10. LIMITATION OF LIABILITY</h2>
<p>10.1 EXCEPT FOR A PARTY’S OBLIGATIONS UNDER SECTION 9, A BREACH OF SECTION 7, OR A PARTY’S GROSS NEGLIGENCE OR
WILLFUL MISCONDUCT, NEITHER PARTY IS LIABLE FOR ANY INDIRECT, INCIDENTAL, SPECIAL OR CONSEQUENTIAL DAMAGES, OR FOR
LOST PROFITS, EVEN IF ADVISED OF THEIR POSSIBILITY.</p>
<p>10.2 SUBJECT TO SECTION 10.1, EACH PARTY’S TOTAL AGGREGATE LIABILITY ARISING OUT OF OR RELATING TO THIS AGREEMENT
SHALL NOT EXCEED THE TOTAL FEES PAID AND PAYABLE BY CLIENT UNDER THIS AGREEMENT DURING THE TWELVE (12) MONTHS
IMMEDIATELY PRECEDING THE EVENT GIVING RISE TO THE CLAIM.</p>

<h2>11. INSURANCE</h2>
<p>Provider shall maintain, during the Term and for one (1) year afterwards, commercial general liability insurance
with limits of not less than $2,000,000 per occurrence and cyber liability insurance with limits of not less than
$5,000,000 in the aggregate, and shall deliver certificates of insurance evidencing that coverage to Client within
thirty (30) days after the Effective Date.</p>

<h2>12. GENERAL</h2>
<p>12.1 <i>Governing Law.</i> This Agreement is governed by and construed in accordance with the laws of the State of
New York, without giving effect to any choice-of-law rule that would apply the law of another jurisdiction. Each Party
submits to the exclusive jurisdiction of the state and federal courts located in New York County, New York.</p>
<p>12.2 <i>Notices.</i> Notices under this Agreement must be in writing and delivered by hand, by nationally
recognized overnight courier or by email with confirmation of receipt, to Provider at the address above, attention:
General Counsel, and to Client at Bellweather Market, 77 Canal Row, Rochester, New York 14604, attention: Chief
Operating Officer.</p>
<p>12.3 <i>Assignment.</i> Neither Party may assign this Agreement without the other Party’s prior written consent,
except to an Affiliate or to a successor to all or substantially all of its business to which this Agreement relates.</p>
<p>12.4 <i>Force Majeure.</i> Neither Party is liable for a failure or delay in performance, other than a payment
obligation, caused by events beyond its reasonable control.</p>
<p>12.5 <i>Entire Agreement.</i> This Agreement, including its Exhibits and each Statement of Work, is the entire
agreement of the Parties on its subject matter and supersedes all prior proposals and understandings. It may be
amended only in a writing signed by both Parties and may be executed in counterparts, including by electronic
signature.</p>

<p>IN WITNESS WHEREOF, the Parties have caused this Agreement to be executed by their duly authorized representatives
as of the Agreement Date.</p>
<table class="sig">
<tr><td><b>HARROWGATE SYSTEMS, INC.</b></td><td><b>BELLWEATHER PROVISIONS CO., LLC</b></td></tr>
<tr><td>By: /s/ Miriam Okafor</td><td>By: /s/ Daniel Reyes-Whitcomb</td></tr>
<tr><td>Name: Miriam Okafor</td><td>Name: Daniel Reyes-Whitcomb</td></tr>
<tr><td>Title: Chief Executive Officer</td><td>Title: Managing Member</td></tr>
<tr><td>Date: February 12, 2024</td><td>Date: February 14, 2024</td></tr>
</table>

<h3>EXHIBIT A<br/>STATEMENT OF WORK NO. 1: FEES</h3>
<p>Provider shall implement the Platform in two phases and then provide managed services. The Fees for Statement of
Work No. 1 are as follows:</p>
<table class="grid">
<tr><th width="44%">Milestone / Service</th><th width="16%">Amount</th><th width="12%">Currency</th>
<th width="28%" class="r">Due Date</th></tr>
<tr><td>Phase 1: discovery and solution design</td><td>$48,000.00</td><td>USD</td><td class="r">March 29, 2024</td></tr>
<tr><td>Phase 2: configuration and data migration</td><td>$72,500.00</td><td>USD</td><td class="r">June 28, 2024</td></tr>
<tr><td>Go-live acceptance</td><td>$29,500.00</td><td>USD</td><td class="r">On the Go-Live Date</td></tr>
<tr><td class="b">Managed services (per month)</td><td class="b">$11,250.00</td><td class="b">USD</td>
<td class="r b">First day of each month after the Go-Live Date</td></tr>
</table>
<p>Total one-time implementation Fees: $150,000.00. Invoices are payable as set out in Section 4.2.</p>
"""

SERVICES_BREAK = (
    "Thereafter, this Agreement shall automatically renew for successive renewal terms of one (1) year each "
    "(each, a “Renewal Term”) unless either Party gives written notice of non-renewal at least sixty (60) days "
    "before the end of the then-current term."
)

# ---------------------------------------------------------------------------------------------------
# 2. Supply agreement (England and Wales, GBP, day-first numeric dates, former name)
# ---------------------------------------------------------------------------------------------------

SUPPLY_HTML = """
<h1>SUPPLY AGREEMENT</h1>
<p><b>THIS AGREEMENT</b> is dated 03/04/2024</p>
<h2>PARTIES</h2>
<p class="ind">(1) <b>TAMSWORTH POLYMERS LTD</b> (formerly Tamsworth Plastics Limited), a private company limited by
shares incorporated and registered in England and Wales with company number 04417726, whose registered office is at
Unit 7, Fenwick Trading Estate, Sheffield S9 2LP (the “Supplier”); and</p>
<p class="ind">(2) <b>CORRICK &amp; VANE FOODS LIMITED</b>, a private company limited by shares incorporated and
registered in England and Wales with company number 09836521, whose registered office is at 14 Hollins Wharf, Leeds
LS10 1QE (“Corrick &amp; Vane” or the “Customer”).</p>
<h2>BACKGROUND</h2>
<p>(A) The Supplier manufactures thermoformed food-grade packaging trays.</p>
<p>(B) The Customer prepares chilled ready meals and wishes to buy packaging trays from the Supplier, and the Supplier
has agreed to supply them, on the terms of this agreement.</p>

<h2>AGREED TERMS</h2>
<h2>1. INTERPRETATION</h2>
<p>1.1 The following definitions apply in this agreement:</p>
<p class="ind">“Business Day”: a day other than a Saturday, Sunday or public holiday in England, when banks in London
are open for business.</p>
<p class="ind">“Charges”: the charges for the Products and the other sums set out in Schedule 1.</p>
<p class="ind">“Commencement Date”: the date of this agreement.</p>
<p class="ind">“Contract Year”: each period of twelve (12) months beginning on the Commencement Date or on an
anniversary of it.</p>
<p class="ind">“Forecast”: a rolling, non-binding estimate of the Customer’s requirements for Products for the
following six (6) months, broken down by month and by Product.</p>
<p class="ind">“Order”: an order for Products submitted by the Customer in accordance with clause 4.</p>
<p class="ind">“Products”: the trays listed in Schedule 1, made in accordance with the Specification.</p>
<p class="ind">“Specification”: the drawings, materials and tolerances for each Product agreed in writing by the
parties, as amended from time to time by written agreement.</p>
<p class="ind">“Tooling”: the moulds made by the Supplier for the manufacture of the Products.</p>
<p>1.2 Clause and Schedule headings do not affect the interpretation of this agreement. A reference to writing or
written includes email. Words in the singular include the plural and vice versa.</p>

<h2>2. COMMENCEMENT AND DURATION</h2>
<p>2.1 This agreement shall commence on the Commencement Date and, unless terminated earlier in accordance with its
terms, shall continue for an initial term of three (3) years, expiring on 02/04/2027 (the “Initial Term”).</p>
<p>2.2 On expiry of the Initial Term this agreement shall automatically extend for successive periods of twelve (12)
months (each an “Extended Term”) unless either party gives the other written notice to terminate at least three (3)
months before the end of the Initial Term or of the then-current Extended Term.</p>

<h2>3. SUPPLY AND FORECASTS</h2>
<p>3.1 The Supplier shall supply, and the Customer shall purchase, the Products in accordance with Orders accepted
under clause 4.</p>
<p>3.2 The Customer shall deliver its first Forecast to the Supplier no later than 21/05/2024, and an updated Forecast
on or before the first Business Day of each calendar month after that.</p>
<p>3.3 Forecasts are for planning purposes only and do not bind the Customer, except as set out in clause 6.3.</p>
<p>3.4 The Supplier shall hold a buffer stock of each Product equal to at least two (2) weeks of the Customer’s most
recently forecast requirements.</p>

<h2>4. ORDERS AND DELIVERY</h2>
<p>4.1 Each Order shall be submitted in writing and shall state the Products, the quantities and the requested delivery
date. The Supplier shall accept or reject each Order within two (2) Business Days of receipt. An Order that is not
rejected within that period is deemed accepted.</p>
<p>4.2 The Supplier shall deliver the Products DAP (Incoterms 2020) to the Customer’s facility at 14 Hollins Wharf,
Leeds within ten (10) Business Days after acceptance of the relevant Order.</p>
<p>4.3 If the Supplier fails to deliver any Products on time, it shall pay the Customer, as liquidated damages, 1.5% of
the price of the late Products for each full week of delay, up to a maximum of 15% of that price.</p>
<p>4.4 Title to and risk in the Products pass to the Customer on completion of delivery.</p>

<h2>5. QUALITY</h2>
<p>5.1 The Supplier warrants that the Products shall conform to the Specification, be free from material defects and
comply with all legislation applicable to materials intended to come into contact with food.</p>
<p>5.2 The Supplier shall notify the Customer in writing within two (2) Business Days of becoming aware of any defect in
the Products that could lead to a withdrawal or recall of the Customer’s goods.</p>
<p>5.3 The Customer may reject any Products that do not comply with clause 5.1 by giving written notice to the Supplier
within fourteen (14) days of delivery. The Supplier shall replace rejected Products at its own cost.</p>

<h2>6. CHARGES AND PAYMENT</h2>
<p>6.1 The Charges are set out in Schedule 1 and are exclusive of VAT, which the Customer shall pay at the prevailing
rate on receipt of a valid VAT invoice.</p>
<p>6.2 The Supplier shall invoice the Customer on or after delivery of each Order. The Customer shall pay each valid
invoice within thirty (30) days from the end of the month in which the invoice is dated.</p>
<p>6.3 If in any Contract Year the Customer purchases fewer than 4,000,000 trays in total, the Customer shall pay the
shortfall fee set out in Schedule 1 within sixty (60) days after the end of that Contract Year.</p>
<p>6.4 The Customer shall pay the Tooling charge by 01/07/2024. On payment, the Tooling becomes the property of the
Customer, and the Supplier shall keep it insured and in good repair and use it only to make Products for the
Customer.</p>
<p>6.5 Interest accrues on late payments at 4% a year above the Bank of England base rate from time to time, from the
due date until the date of actual payment.</p>
<p>6.6 The Supplier may adjust the Charges for the Products once in each Contract Year, with effect from an anniversary
of the Commencement Date, by giving the Customer not less than ninety (90) days’ written notice. No adjustment may
exceed the percentage increase in the Consumer Prices Index over the preceding twelve (12) months.</p>

<h2>7. CONFIDENTIALITY</h2>
<p>7.1 Each party undertakes that it shall not at any time during this agreement, and for a period of four (4) years
after its termination or expiry, disclose to any person any confidential information concerning the business, affairs,
customers or suppliers of the other party, except as permitted by clause 7.2.</p>
<p>7.2 Each party may disclose the other party’s confidential information to its employees, officers and professional
advisers who need to know it for the purpose of this agreement, provided that they comply with this clause 7, and as
required by law or by any governmental or regulatory authority.</p>

<h2>8. INSURANCE</h2>
<p>The Supplier shall maintain product liability insurance with a limit of not less than £5,000,000 for each claim
with a reputable insurer during this agreement and for six (6) years afterwards, and shall produce a copy of the
certificate of insurance within fourteen (14) days of the Customer’s written request.</p>

<h2>9. TERMINATION</h2>
<p>9.1 Without affecting any other right or remedy available to it, the Customer may terminate this agreement for
convenience by giving the Supplier not less than six (6) months’ written notice.</p>
<p>9.2 Either party may terminate this agreement with immediate effect by giving written notice to the other party if
the other party commits a material breach of this agreement which is irremediable or, if remediable, fails to remedy
that breach within twenty (20) Business Days after being notified in writing to do so, or if the other party becomes
insolvent or enters into any arrangement with its creditors.</p>
<p>9.3 On termination or expiry of this agreement, the Customer shall pay all of the Supplier’s outstanding unpaid
invoices, and the Supplier shall deliver the Tooling to the Customer within thirty (30) days, if the Tooling charge
has been paid. Clauses 7, 8, 10 and 11 survive termination or expiry.</p>

<h2 style="margin-top:__PAD__pt">10. LIMITATION OF LIABILITY</h2>
<p>10.1 Nothing in this agreement limits or excludes any liability for death or personal injury caused by negligence,
for fraud or fraudulent misrepresentation, or for any other liability that cannot be limited or excluded by law.</p>
<p>10.2 Subject to clause 10.1, neither party shall be liable to the other for any loss of profits, loss of business or
any indirect or consequential loss arising under or in connection with this agreement. Subject to clause 10.1, each
party’s total liability to the other arising under or in connection with this agreement, whether in contract, tort
(including negligence), breach of statutory duty or otherwise, shall be limited to the greater of £250,000 and 125% of
the total Charges paid in the Contract Year in which the claim arose.</p>

<h2>11. GENERAL</h2>
<p>11.1 <i>Force majeure.</i> Neither party shall be in breach of this agreement nor liable for delay in performing its
obligations if the delay results from events beyond its reasonable control. If the delay continues for more than
eight (8) weeks, the party not affected may terminate this agreement by giving thirty (30) days’ written notice.</p>
<p>11.2 <i>Assignment.</i> Neither party may assign or subcontract any of its rights or obligations under this
agreement without the prior written consent of the other party.</p>
<p>11.3 <i>Notices.</i> Any notice given under this agreement shall be in writing and delivered by hand or by
pre-paid first-class post to the other party’s registered office, or sent by email to the address notified by that
party for the purpose.</p>
<p>11.4 <i>Third party rights.</i> No one other than a party to this agreement has any right to enforce any of its
terms.</p>
<p>11.5 <i>Governing law.</i> This agreement and any dispute or claim (including non-contractual disputes or claims)
arising out of or in connection with it or its subject matter or formation shall be governed by and construed in
accordance with the law of England and Wales.</p>
<p>11.6 <i>Jurisdiction.</i> Each party irrevocably agrees that the courts of England and Wales shall have exclusive
jurisdiction to settle any dispute or claim arising out of or in connection with this agreement.</p>
<p>This agreement has been entered into on the date stated at the beginning of it.</p>

<h3>SCHEDULE 1<br/>CHARGES</h3>
<p>All amounts are in pounds sterling and exclusive of VAT.</p>
<table class="grid">
<tr><th width="44%">Item</th><th width="16%">Amount</th><th width="12%">Currency</th>
<th width="28%" class="r">Due date</th></tr>
<tr><td>Mould tooling charge (one-off)</td><td>£18,400.00</td><td>GBP</td><td class="r">01/07/2024</td></tr>
<tr><td>Tray CV-220, per 1,000 units</td><td>£146.50</td><td>GBP</td><td class="r">Per invoice (clause 6.2)</td></tr>
<tr><td>Tray CV-340, per 1,000 units</td><td>£171.25</td><td>GBP</td><td class="r">Per invoice (clause 6.2)</td></tr>
<tr><td class="b">Minimum volume shortfall fee, per 1,000 trays below 4,000,000 in a Contract Year</td>
<td class="b">£35.00</td><td class="b">GBP</td>
<td class="r b">Within 60 days after the end of the Contract Year (clause 6.3)</td></tr>
</table>

<table class="sig">
<tr><td>Signed by Eleanor Price-Whitby, director, for and on behalf of Tamsworth Polymers Ltd</td>
<td>Signed by Rajesh Mendonca, director, for and on behalf of Corrick &amp; Vane Foods Limited</td></tr>
<tr><td>...................................... Director</td><td>...................................... Director</td></tr>
</table>
"""

SUPPLY_BREAK = (
    "Subject to clause 10.1, each party’s total liability to the other arising under or in connection with this "
    "agreement, whether in contract, tort (including negligence), breach of statutory duty or otherwise, shall be "
    "limited to the greater of £250,000 and 125% of the total Charges paid in the Contract Year in which the claim "
    "arose."
)

# ---------------------------------------------------------------------------------------------------
# 3. Mutual NDA (Ontario law, straight quotes, no renewal, no fees)
# ---------------------------------------------------------------------------------------------------

NDA_HTML = """
<h1>MUTUAL NON-DISCLOSURE AGREEMENT</h1>
<p>This Mutual Non-Disclosure Agreement (this "Agreement") is made as of September 9, 2024 (the "Effective Date")
between:</p>
<p class="ind"><b>Lumenfield Analytics Corp.</b>, a corporation incorporated under the laws of the Province of Ontario,
having its head office at 220 Front Street West, Suite 1400, Toronto, Ontario M5V 3K2 ("Lumenfield"); and</p>
<p class="ind"><b>Pinecrest Robotics Inc.</b>, a Delaware corporation having its principal office at 1880 Orchard
Parkway, San Jose, California 95131 ("Pinecrest"),</p>
<p>each a "Party" and together the "Parties". A Party that discloses Confidential Information is the "Disclosing
Party" and a Party that receives it is the "Recipient".</p>

<h2>1. PURPOSE</h2>
<p>The Parties wish to evaluate a possible collaboration on machine-vision systems for warehouse picking robots (the
"Purpose") and, for that Purpose only, expect to exchange Confidential Information.</p>

<h2>2. CONFIDENTIAL INFORMATION</h2>
<p>2.1 "Confidential Information" means all information disclosed by or for a Disclosing Party to the Recipient on or
after the Effective Date, in any form, that is marked or identified as confidential when disclosed, including source
code, model weights, training data, designs, prices and business plans. Information disclosed orally or visually is
Confidential Information only if the Disclosing Party summarizes it in writing and delivers the summary to the Recipient
within fifteen (15) days after the disclosure.</p>
<p>2.2 Confidential Information does not include information that (a) is or becomes generally available to the public
other than through a breach of this Agreement; (b) was known to the Recipient without restriction before its
disclosure; (c) is independently developed by the Recipient without use of the Confidential Information; or (d) is
lawfully received from a third party without a duty of confidentiality.</p>

<h2>3. OBLIGATIONS OF THE RECIPIENT</h2>
<p>3.1 The Recipient shall use the Confidential Information solely for the Purpose, shall protect it with at least the
degree of care it uses for its own information of a similar nature and in no event less than reasonable care, and
shall disclose it only to its directors, officers, employees and professional advisers who need to know it for the
Purpose and are bound by confidentiality obligations no less protective than this Agreement (its
"Representatives").</p>
<p>3.2 The Recipient is responsible for any breach of this Agreement by its Representatives.</p>
<p>3.3 The Recipient shall notify the Disclosing Party in writing within five (5) Business Days after discovering any
unauthorized use or disclosure of Confidential Information and shall cooperate with the Disclosing Party to regain
possession of it and prevent further unauthorized use. "Business Day" means a day other than a Saturday, a Sunday or
a statutory holiday in Toronto, Ontario.</p>
<p>3.4 If the Recipient is required by law, regulation or court order to disclose Confidential Information, it shall,
where legally permitted, give the Disclosing Party prompt written notice so that it may seek a protective order, and
shall disclose only the portion that it is legally required to disclose.</p>

<h2>4. EVALUATION MATERIALS</h2>
<p>Lumenfield shall provide Pinecrest with access to the sample warehouse image data set described in its evaluation
proposal no later than October 15, 2024. Pinecrest shall use that data set only on its own systems and only for the
Purpose.</p>

<h2>5. RETURN OR DESTRUCTION</h2>
<p>Within ten (10) Business Days after the Disclosing Party's written request, or after the expiration or termination
of this Agreement, the Recipient shall return or destroy all Confidential Information of the Disclosing Party in its
possession and, on request, have an officer certify the destruction in writing. The Recipient may keep copies in
automatic electronic backups until they are overwritten in the ordinary course, subject to this Agreement.</p>

<h2>6. NO LICENCE; NO WARRANTY; NO COMMITMENT</h2>
<p>6.1 All Confidential Information remains the property of the Disclosing Party. No licence under any patent,
copyright or other intellectual property right is granted by this Agreement. Confidential Information is provided "as
is", without warranty of any kind. Neither Party is obliged to enter into any further agreement.</p>
<p>6.2 The Recipient shall not reverse engineer, decompile or disassemble any prototype, software or other object that
embodies the Disclosing Party's Confidential Information, and shall not remove any confidentiality or proprietary
notice from it.</p>

<h2>7. NON-SOLICITATION</h2>
<p>During the Term and for twelve (12) months afterwards, neither Party shall solicit for employment any employee of
the other Party with whom it had contact in connection with the Purpose, other than through general advertisements not
targeted at those employees. Hiring a person who responds to such an advertisement is not a breach of this
Section 7.</p>

<h2>8. REMEDIES</h2>
<p>Each Party acknowledges that a breach of this Agreement may cause the Disclosing Party irreparable harm for which
damages would not be an adequate remedy, and that the Disclosing Party is entitled to seek injunctive relief in
addition to any other remedy, without having to post a bond. In any action to enforce this Agreement, the
prevailing Party is entitled to recover its reasonable legal fees and costs.</p>

<h2 style="margin-top:__PAD__pt">9. TERM AND TERMINATION</h2>
<p>9.1 This Agreement begins on the Effective Date and remains in effect for two (2) years from the Effective Date (the
"Term"). It does not renew automatically; any extension must be agreed in a writing signed by both Parties.</p>
<p>9.2 Either Party may terminate this Agreement at any time, for any reason, by giving the other Party thirty (30)
days' prior written notice.</p>
<p>9.3 The Recipient's obligations under Sections 3 and 5 survive the expiration or termination of this Agreement for
three (3) years, except that, for Confidential Information that is a trade secret, they continue for as long as it
remains a trade secret under applicable law.</p>

<h2>10. GOVERNING LAW</h2>
<p>This Agreement is governed by the laws of the Province of Ontario and the federal laws of Canada applicable therein.
The Parties irrevocably attorn to the exclusive jurisdiction of the courts of Ontario sitting in Toronto.</p>

<h2>11. GENERAL</h2>
<p>This Agreement is the entire agreement of the Parties on its subject matter. It may be amended only in a writing
signed by both Parties, may not be assigned without the other Party's prior written consent, and may be signed in
counterparts and by electronic signature.</p>

<table class="sig">
<tr><td><b>LUMENFIELD ANALYTICS CORP.</b></td><td><b>PINECREST ROBOTICS INC.</b></td></tr>
<tr><td>By: /s/ Anika Sorensen-Lavoie</td><td>By: /s/ Marcus T. Ellery</td></tr>
<tr><td>Name: Anika Sorensen-Lavoie</td><td>Name: Marcus T. Ellery</td></tr>
<tr><td>Title: President</td><td>Title: Vice President, Business Development</td></tr>
<tr><td>Date: September 9, 2024</td><td>Date: September 11, 2024</td></tr>
</table>
"""

NDA_BREAK = (
    "The Recipient's obligations under Sections 3 and 5 survive the expiration or termination of this Agreement for "
    "three (3) years, except that, for Confidential Information that is a trade secret, they continue for as long as "
    "it remains a trade secret under applicable law."
)

SAMPLES = (
    Sample(
        name="services_agreement",
        paper="letter",
        title="Master Services Agreement",
        subject="Harrowgate Systems, Inc. and Bellweather Provisions Co., LLC",
        date="D:20240212090000Z",
        html=SERVICES_HTML,
        page_break_sentence=SERVICES_BREAK,
        header="Master Services Agreement - Harrowgate / Bellweather - CONFIDENTIAL",
    ),
    Sample(
        name="supply_agreement",
        paper="a4",
        title="Supply Agreement",
        subject="Tamsworth Polymers Ltd and Corrick & Vane Foods Limited",
        date="D:20240403090000Z",
        html=SUPPLY_HTML,
        page_break_sentence=SUPPLY_BREAK,
        footer_left="TPL/CVF Supply Agreement (execution version)",
    ),
    Sample(
        name="mutual_nda",
        paper="letter",
        title="Mutual Non-Disclosure Agreement",
        subject="Lumenfield Analytics Corp. and Pinecrest Robotics Inc.",
        date="D:20240909090000Z",
        html=NDA_HTML,
        page_break_sentence=NDA_BREAK,
    ),
)


class SampleBuildError(RuntimeError):
    """The chosen page-break sentence could not be made to cross a page break."""


def _layout(html: str, paper: str) -> pymupdf.Document:
    """Lay out ``html`` with MuPDF's HTML engine, one page after another, into a new PDF."""
    buf = io.BytesIO()
    writer = pymupdf.DocumentWriter(buf)
    story = pymupdf.Story(html, user_css=CSS)
    mediabox = pymupdf.paper_rect(paper)
    where = mediabox + (MARGIN, TOP, -MARGIN, -BOTTOM)
    more = 1
    while more:
        device = writer.begin_page(mediabox)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    return pymupdf.open("pdf", buf.getvalue())


def crossing_page(page_texts: list[str], sentence: str) -> int | None:
    """0-based index n of the page on which ``sentence`` starts when it ends on page n+1, else None.

    ``page_texts`` are the body texts of the pages (no header/footer). At least
    MIN_WORDS_EACH_SIDE words must fall on each side of the break.
    """
    s = norm(sentence)
    pages = [norm(t) for t in page_texts]
    if any(s in p for p in pages):
        return None
    for n in range(len(pages) - 1):
        joined = pages[n] + " " + pages[n + 1]
        at = joined.find(s)
        if at < 0:
            continue
        before = joined[at : len(pages[n])].split()
        after = joined[len(pages[n]) + 1 : at + len(s)].split()
        if len(before) >= MIN_WORDS_EACH_SIDE and len(after) >= MIN_WORDS_EACH_SIDE:
            return n
    return None


def _stamp(doc: pymupdf.Document, sample: Sample) -> None:
    """Running header/footer on every page, and fixed metadata."""
    total = doc.page_count
    for i, page in enumerate(doc):
        r = page.rect
        if sample.header:
            page.insert_text((MARGIN, 40), sample.header, fontname="tiro", fontsize=8)
        if sample.footer_left:
            page.insert_text((MARGIN, r.height - 36), sample.footer_left, fontname="tiro", fontsize=8)
        label = f"Page {i + 1} of {total}"
        width = pymupdf.get_text_length(label, fontname="tiro", fontsize=9)
        page.insert_text(((r.width - width) / 2, r.height - 36), label, fontname="tiro", fontsize=9)
    doc.set_metadata(
        {
            "title": sample.title,
            "subject": sample.subject,
            "author": "Clausewise samples (invented parties)",
            "creator": "samples/build_samples.py",
            "producer": "PyMuPDF",
            "creationDate": sample.date,
            "modDate": sample.date,
            "keywords": "",
            "trapped": "",
        }
    )


def build_sample(sample: Sample, max_pad: int = MAX_PAD) -> tuple[bytes, int, int]:
    """PDF bytes of ``sample``, the spacer used (points) and the 1-based page where the break sentence starts.

    Raises SampleBuildError when no spacer up to ``max_pad`` points makes the sentence cross a break.
    """
    for pad in range(max_pad + 1):
        doc = _layout(sample.html.replace("__PAD__", str(pad)), sample.paper)
        n = crossing_page([p.get_text() for p in doc], sample.page_break_sentence)
        if n is not None:
            _stamp(doc, sample)
            data = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
            return data, pad, n + 1
    raise SampleBuildError(f"{sample.name}: no spacer up to {max_pad} pt puts the chosen sentence across a page break")


def build_all(out_dir: Path) -> dict[str, Path]:
    """Write ``<name>.pdf`` for every sample into ``out_dir``; returns name -> path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for sample in SAMPLES:
        data, pad, page = build_sample(sample)
        path = out_dir / f"{sample.name}.pdf"
        path.write_bytes(data)
        written[sample.name] = path
        pages = pymupdf.open(path).page_count
        print(f"{path}: {pages} pages, break sentence crosses pages {page}-{page + 1} (spacer {pad} pt)")
    return written


if __name__ == "__main__":
    build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
