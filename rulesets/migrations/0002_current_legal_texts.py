"""The rule sets as the statutes read when this was written, each rule citing its provision.

Sources read (stored public copies of the texts, December 2026):
- Revitalisation act (ustawa z dnia 9 października 2015 r. o rewitalizacji), art. 6 in the
  version in force from 24 September 2023 (after Dz.U. 2023 poz. 1688; t.j. Dz.U. 2024
  poz. 278): ust. 2 announcement "nie później niż w dniu rozpoczęcia konsultacji" at least in
  the press, on a notice board in the area and at the office, in the BIP (and on its website
  if it has one), and in the customary way; ust. 3 the forms; ust. 4 remarks (ust. 3 pkt 1)
  "oraz co najmniej dwóch form" of ust. 3 pkt 2; ust. 5 "nie może być krótszy niż 35 dni,
  licząc od dnia rozpoczęcia konsultacji społecznych". Art. 8 ust. 2: the consultations are
  "dotyczące projektu tej uchwały" (a draft). The version in force before (read in its text of
  24 June 2020, Dz.U. 2020 poz. 802) required notice "nie później niż w terminie 7 dni przed
  dniem ich przeprowadzenia" by notice, customary announcement and BIP, and "nie krótszy niż
  30 dni, licząc od dnia powiadomienia"; its earliest wording since 18 November 2015 was NOT
  checked. The text has a version boundary on 1 January 2026 whose change to art. 6 (if any)
  was NOT checked. The deadline of the summary of the consultation was NOT found in the texts
  read: left empty (no report deadline) until a version citing it is added.
- Spatial planning act (ustawa z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu
  przestrzennym, t.j. Dz.U. 2024 poz. 1130 ze zm.), chapter 1a (art. 8e–8m) from 24 September
  2023: art. 8h ust. 1 announcement no later than the start day in the press, a notice board,
  the office's website and the BIP, and the customary way; art. 8i ust. 2 remarks, one form of
  ust. 1 pkt 2 (open meetings, expert panels, workshops) and one of pkt 3–5 (outdoor meetings,
  study walks, surveys, interviews, consultation point); art. 8g ust. 2 a remark gives the
  name and the address of residence or seat; art. 8k ust. 2 a summary report before the draft
  goes to the council (no fixed number of days). The minimum duration of the consultation
  could NOT be verified in the texts read: 21 days from the start is kept from the earlier
  assumption, marked as such, for provider staff to confirm or replace with a new version.
- Act on public benefit activity (ustawa z dnia 24 kwietnia 2003 r. o działalności pożytku
  publicznego i o wolontariacie, t.j. Dz.U. 2024 poz. 1491), art. 5a ust. 1: the annual
  programme "jest uchwalany do dnia 30 listopada roku poprzedzającego okres obowiązywania
  programu", after consultations with NGOs held in the way art. 5 ust. 5 sets (a resolution).
- Municipal self-government act (ustawa z dnia 8 marca 1990 r. o samorządzie gminnym, t.j.
  Dz.U. 2023 poz. 320 ze zm.), art. 5a ust. 2: "Zasady i tryb przeprowadzania konsultacji z
  mieszkańcami gminy określa uchwała rady gminy": the parameters come from the municipality.

``valid_from`` of the NGO, council-resolution and "other" rows is a floor (no consultation on
the platform predates it), not the provisions' date of entry into force."""

import datetime as dt

from django.db import migrations

REVITALISATION_ACT = "Ustawa z dnia 9 października 2015 r. o rewitalizacji"
PLANNING_ACT = "Ustawa z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu przestrzennym"

ROWS = [
    {
        "legal_basis": "revitalisation",
        "valid_from": dt.date(2015, 11, 18),
        "act": REVITALISATION_ACT,
        "journal_reference": "Dz.U. 2020 poz. 802",
        "min_duration_days": 30,
        "duration_counted_from": "announcement",
        "duration_article": "art. 6 ust. 5",
        "min_notice_days": 7,
        "notice_article": "art. 6 ust. 2",
        "required_forms": ["remarks"],
        "other_forms": ["meeting", "survey", "poll"],
        "min_other_forms": 2,
        "forms_article": "art. 6 ust. 3 i 4",
        "draft_required": True,
        "draft_article": "art. 8 ust. 2",
        "required_channels": ["notice_board", "bip"],
        "channels_article": "art. 6 ust. 2",
        "notes": "Brzmienie sprzed nowelizacji Dz.U. 2023 poz. 1688 (odczytane w wersji z 24 "
        "czerwca 2020 r.).",
    },
    {
        "legal_basis": "revitalisation",
        "valid_from": dt.date(2023, 9, 24),
        "act": REVITALISATION_ACT,
        "journal_reference": "t.j. Dz.U. 2024 poz. 278",
        "source_url": "https://eli.gov.pl/eli/DU/2024/278/ogl",
        "min_duration_days": 35,
        "duration_counted_from": "start",
        "duration_article": "art. 6 ust. 5",
        "min_notice_days": 0,
        "notice_article": "art. 6 ust. 2",
        "required_forms": ["remarks"],
        "other_forms": ["meeting", "survey", "poll"],
        "min_other_forms": 2,
        "forms_article": "art. 6 ust. 3 i 4",
        "draft_required": True,
        "draft_article": "art. 8 ust. 2",
        "required_channels": ["press", "notice_board", "bip"],
        "channels_article": "art. 6 ust. 2",
        "notes": "Strona internetowa (art. 6 ust. 2 pkt 3) jest wymagana, „jeżeli taką "
        "posiada”; termin informacji podsumowującej nie został zweryfikowany.",
    },
    {
        "legal_basis": "spatial_planning",
        "valid_from": dt.date(2023, 9, 24),
        "act": PLANNING_ACT,
        "journal_reference": "t.j. Dz.U. 2024 poz. 1130 ze zm.",
        "min_duration_days": 21,
        "duration_counted_from": "start",
        "duration_article": "art. 8k (NIEZWERYFIKOWANE)",
        "min_notice_days": 0,
        "notice_article": "art. 8h ust. 1",
        "required_forms": ["remarks", "meeting"],
        "other_forms": ["survey", "poll"],
        "min_other_forms": 1,
        "forms_article": "art. 8i ust. 2",
        "remark_author_fields": ["name", "address"],
        "anonymous_remarks_count": False,
        "remarks_article": "art. 8g ust. 2",
        "report_article": "art. 8k ust. 2",
        "draft_required": True,
        "draft_article": "art. 8i ust. 1 pkt 2",
        "required_channels": ["press", "notice_board", "bip"],
        "channels_article": "art. 8h ust. 1",
        "notes": "Minimalny czas trwania (21 dni) nie został zweryfikowany w tekście ustawy. "
        "Forma z art. 8i ust. 1 pkt 3–5 jest liczona jako ankieta lub sondaż; spacer studyjny "
        "lub punkt konsultacyjny w ramach spotkań nie jest liczony osobno.",
    },
    {
        "legal_basis": "ngo_programme",
        "valid_from": dt.date(2020, 1, 1),
        "act": "Ustawa z dnia 24 kwietnia 2003 r. o działalności pożytku publicznego "
        "i o wolontariacie",
        "journal_reference": "t.j. Dz.U. 2024 poz. 1491",
        "season_end_month": 11,
        "season_end_day": 30,
        "season_article": "art. 5a ust. 1",
        "draft_required": True,
        "draft_article": "art. 5a ust. 1",
        "notes": "Tryb konsultacji określa uchwała (art. 5 ust. 5).",
    },
    {
        "legal_basis": "art5a",
        "valid_from": dt.date(2020, 1, 1),
        "act": "Ustawa z dnia 8 marca 1990 r. o samorządzie gminnym",
        "journal_reference": "t.j. Dz.U. 2023 poz. 320 ze zm.",
        "from_council_resolution": True,
        "notes": "Parametry określa uchwała rady gminy (art. 5a ust. 2), zapisana w "
        "ustawieniach gminy.",
    },
    {
        "legal_basis": "other",
        "valid_from": dt.date(2020, 1, 1),
        "act": "Brak przepisu szczególnego",
        "journal_reference": "—",
    },
]


def load(apps, schema_editor):
    LegalRuleSet = apps.get_model("rulesets", "LegalRuleSet")
    for row in ROWS:
        LegalRuleSet.objects.update_or_create(
            legal_basis=row["legal_basis"], valid_from=row["valid_from"], defaults=row
        )


def unload(apps, schema_editor):
    LegalRuleSet = apps.get_model("rulesets", "LegalRuleSet")
    for row in ROWS:
        LegalRuleSet.objects.filter(
            legal_basis=row["legal_basis"], valid_from=row["valid_from"]
        ).delete()


class Migration(migrations.Migration):
    dependencies = [("rulesets", "0001_legal_rule_sets")]

    operations = [migrations.RunPython(load, unload)]
