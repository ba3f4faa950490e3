"""The provision a consultation's announcement cites for its legal basis.

One small mapping, meant to be replaced: once legal rule sets exist (issue 8, "rule sets as
data"), the citation comes from the rule set the consultation was ordered under, and
``legal_basis_citation`` becomes a lookup of it. Until then the texts below are the source.

What was checked (December 2026, `search` corpus "pages"):
- municipal self-government act of 8 March 1990, art. 5a ust. 1 (consultations in matters
  named by statute and in other matters important to the municipality) and ust. 2 (their
  rules set by a council resolution): prawo.pl, gazetaprawna.pl, rp.pl commentaries;
- revitalisation act of 9 October 2015, consolidated text Dz.U. 2024 poz. 278 (the Marshal of
  the Sejm's announcement of 20 February 2024, which includes the amendment Dz.U. 2023
  poz. 1688): art. 6 governs its consultations.
Not checked here (taken from PRODUCT.md): the article ranges of the spatial planning act
(art. 8e–8m) and of the act on public-benefit activity (art. 5a), and both acts' dates from
their titles; no consolidated-text number is given for them for that reason.
"""

from __future__ import annotations

from consultations.models import LegalBasis

# Polish legal citations: proper names of acts, not interface text, so not translated.
LEGAL_BASIS_CITATIONS: dict[str, str] = {
    LegalBasis.COUNCIL_RESOLUTION: (
        "art. 5a ust. 1 i 2 ustawy z dnia 8 marca 1990 r. o samorządzie gminnym "
        "w związku z uchwałą rady w sprawie zasad i trybu przeprowadzania konsultacji "
        "z mieszkańcami"
    ),
    LegalBasis.REVITALISATION: (
        "art. 6 ustawy z dnia 9 października 2015 r. o rewitalizacji "
        "(t.j. Dz.U. z 2024 r. poz. 278)"
    ),
    LegalBasis.SPATIAL_PLANNING: (
        "art. 8e–8m ustawy z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu przestrzennym"
    ),
    LegalBasis.NGO_PROGRAMME: (
        "art. 5a ustawy z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego "
        "i o wolontariacie"
    ),
}


def legal_basis_citation(legal_basis: str) -> str:
    """The provision to cite for ``legal_basis``; "" when there is none to name ("other")."""
    return LEGAL_BASIS_CITATIONS.get(legal_basis, "")
