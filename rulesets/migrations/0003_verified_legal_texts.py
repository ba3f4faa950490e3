"""The shipped rule sets checked against the statutes' texts (stored public copies, read on
4 December 2026); 0002 is left as it was and its rows are updated here.

What was read, where, and what it settles:

Revitalisation act (ustawa z dnia 9 października 2015 r. o rewitalizacji)
- https://sip.lex.pl/akty-prawne/dzu-dziennik-ustaw/rewitalizacja-18235253/art-6, art. 6 in
  the version "od: 24 września 2023 r. do: 31 grudnia 2025 r.": ust. 2 "O sposobach,
  miejscach i terminach prowadzenia konsultacji społecznych wójt, burmistrz albo prezydent
  miasta ogłasza nie później niż w dniu rozpoczęcia konsultacji społecznych co najmniej:
  1) przez publikację w prasie [...]; 2) przez wywieszenie w widocznym miejscu na terenie
  objętym dokumentem poddawanym konsultacjom oraz w siedzibie obsługującego go urzędu;
  3) przez udostępnienie informacji na stronie podmiotowej gminy w Biuletynie Informacji
  Publicznej oraz na swojej stronie internetowej, jeżeli taką posiada; 4) w sposób
  zwyczajowo przyjęty w danej miejscowości"; ust. 4 "z wykorzystaniem formy, o której mowa w
  ust. 3 pkt 1, oraz co najmniej dwóch form, o których mowa w ust. 3 pkt 2"; ust. 5 "Termin
  wyznaczony na składanie uwag nie może być krótszy niż 35 dni, licząc od dnia rozpoczęcia
  konsultacji społecznych". Matches the 2023-09-24 row: confirmed as shipped.
- Same address, version "od: 24 czerwca 2020 r. do: 31 grudnia 2020 r." (Dz.U. 2020 poz.
  802): ust. 2 "nie później niż w terminie 7 dni przed dniem ich przeprowadzenia [...] co
  najmniej poprzez obwieszczenie, ogłoszenie w sposób zwyczajowo przyjęty w danej gminie oraz
  ogłoszenie na stronie podmiotowej gminy w Biuletynie Informacji Publicznej"; ust. 5 "nie
  może być krótszy niż 30 dni, licząc od dnia powiadomienia". Matches the 2015-11-18 row.
- The version boundary on 1 January 2026: the current version's page ends "do: 31 grudnia
  2025 r." (also chapter 2 on .../rewitalizacja-18235253/roz-2, "od: 29 lutego 2024 r. do:
  31 grudnia 2025 r."), and the consolidated text Dz.U. 2024 poz. 278
  (https://lexest.pages.dev/aktyprawne/2024/2024-278) quotes the transitional art. 52 of
  Dz.U. 2023 poz. 1688: "Do dnia 31 grudnia 2025 r. organy, o których mowa w art. 67i
  ustawy zmienianej w art. 1, udostępniają w Biuletynie Informacji Publicznej [...]". The
  wording of art. 6 from 1 January 2026 was NOT found in the stored texts, so no 2026
  version is added: NIEZWERYFIKOWANE. Provider staff add it in the panel once read.
- The deadline of the "informacja podsumowująca" (art. 6 ust. 7 and following): the excerpts
  read end at ust. 5–6; no number of days was found. The report deadline stays empty
  (NIEZWERYFIKOWANE, not "the act sets none").

Spatial planning act (ustawa z dnia 27 marca 2003 r. o planowaniu i zagospodarowaniu
przestrzennym, t.j. Dz.U. 2024 poz. 1130 ze zm.), chapter 1a
- art. 8h ust. 1, https://lexlege.pl/ustawa-o-planowaniu-i-zagospodarowaniu-przestrzennym/
  art-8h/ (state of 20.04.2024): "Informacje o sposobach, miejscach i terminach prowadzenia
  konsultacji społecznych [...] ogłasza, nie później niż w dniu rozpoczęcia konsultacji
  społecznych, co najmniej: 1) przez publikację w prasie [...]; 2) przez wywieszenie w
  widocznym miejscu na terenie objętym sporządzanym aktem planowania przestrzennego lub w
  siedzibie obsługującego go urzędu; 3) przez udostępnienie informacji na stronie
  internetowej obsługującego go urzędu, o ile taką posiada, oraz w Biuletynie Informacji
  Publicznej [...]; 4) w sposób zwyczajowo przyjęty w danej gminie". Confirmed: no notice
  before the start day, channels press + notice board + BIP (the website only if the office
  has one, so not required here); repeated in serwisy.gazetaprawna.pl (27.01.2026,
  .../10632581,zbieranie-i-rozpatrywanie-uwag-do-planu-ogolnego-jak-uniknac-bledow.html).
- art. 8i, https://sip.lex.pl/akty-prawne/dzu-dziennik-ustaw/
  planowanie-i-zagospodarowanie-przestrzenne-17027058/art-8-i (version "od: 29 lipca 2024 r.
  do: 31 grudnia 2024 r."): ust. 1 pkt 1 "zbieranie uwag"; pkt 2 "spotkania otwarte, panele
  eksperckie lub warsztaty, poprzedzone prezentacją projektu"; pkt 3 "spotkania plenerowe lub
  spacery studyjne"; pkt 4 "ankiety lub geoankiety"; pkt 5 "wywiady, prowadzenie punktu
  konsultacyjnego lub dyżury projektanta"; ust. 2 "z wykorzystaniem co najmniej formy, o
  której mowa w ust. 1 pkt 1, jednej z form, o których mowa w ust. 1 pkt 2, oraz jednej z
  form, o których mowa w ust. 1 pkt 3-5". Confirmed (remarks + meeting + one of survey/poll).
  Later versions of art. 8i (from 1 January 2025) were not read.
- art. 8g ust. 2, quoted at https://gov.legalis.pl/przebieg-procedury-uchwalania-mpzp-w-
  trybie-zwyklym-i-uproszczonym/: the author of a remark "podaje swoje imię i nazwisko albo
  nazwę oraz adres zamieszkania albo siedziby oraz adres poczty elektronicznej, o ile taki
  posiada, a także wskazuje, czy jest właścicielem lub użytkownikiem wieczystym
  nieruchomości". Confirmed name + address; the e-mail ("o ile taki posiada") and the
  owner statement are not author fields the platform models (noted in the row).
- art. 8k: ust. 2 is the report — serwisy.gazetaprawna.pl (22.01.2026, .../10629620,
  wojewoda-lubelski-stwierdza-niewaznosc-planu-ogolnego-gminy-labunie.html): "zgodnie z art.
  8k ust. 2 [...] przed przedstawieniem radzie gminy projektu aktu planowania przestrzennego
  [...] opracowuje się raport podsumowujący przebieg konsultacji społecznych"; no number of
  days: the report has no deadline counted from the closing (report_deadline_days empty).
  Art. 8k ust. 1 is the list of applications (bip.krakow.pl, dok_id=181992: "wykaz złożonych
  wniosków zostanie sporządzony zgodnie z art. 8k ust. 1"). So art. 8k is NOT where the
  duration is set, and the 0002 citation "art. 8k" for it was wrong.
- The minimum duration of the consultations / of collecting remarks: NOT found in any stored
  text (gov.legalis.pl only says the simplified procedure allows collecting remarks for "min.
  14 dni"). The 21 days from the start stay, marked NIEZWERYFIKOWANE, citing chapter 1a
  rather than a provision that does not say it.

Act on public benefit activity (ustawa z dnia 24 kwietnia 2003 r. o działalności pożytku
publicznego i o wolontariacie)
- art. 5a ust. 1, https://standardyprawa.pl/akt/324/art/41507: "Roczny program współpracy
  jest uchwalany do dnia 30 listopada roku poprzedzającego okres obowiązywania programu",
  after consultations "przeprowadzonych w sposób określony w art. 5 ust. 5". Confirmed. The
  act sets no deadline for a summary of those consultations (art. 5a ust. 3 is the yearly
  report on carrying out the programme, by 31 May, not a consultation report).
"""

import datetime as dt

from django.db import migrations

REVITALISATION_URL = (
    "https://sip.lex.pl/akty-prawne/dzu-dziennik-ustaw/rewitalizacja-18235253/art-6"
)
PLANNING_URL = (
    "https://sip.lex.pl/akty-prawne/dzu-dziennik-ustaw/"
    "planowanie-i-zagospodarowanie-przestrzenne-17027058/art-8-i"
)

# (legal basis, valid_from): the fields this migration sets, and what 0002 had (for unapply).
UPDATES = {
    ("revitalisation", dt.date(2015, 11, 18)): (
        {
            "source_url": REVITALISATION_URL,
            "notes": "Zweryfikowano: art. 6 ust. 2 i 5 w wersji od 24 czerwca 2020 r. "
            "(Dz.U. 2020 poz. 802): powiadomienie nie później niż 7 dni przed dniem "
            "przeprowadzenia konsultacji; termin na uwagi nie krótszy niż 30 dni od dnia "
            "powiadomienia. Brzmienie od 18 listopada 2015 r. nie było czytane. Termin "
            "informacji podsumowującej: NIEZWERYFIKOWANE.",
        },
        {
            "source_url": "",
            "notes": "Brzmienie sprzed nowelizacji Dz.U. 2023 poz. 1688 (odczytane w wersji z "
            "24 czerwca 2020 r.).",
        },
    ),
    ("revitalisation", dt.date(2023, 9, 24)): (
        {
            "source_url": REVITALISATION_URL,
            "notes": "Zweryfikowano: art. 6 ust. 2, 4 i 5 w wersji od 24 września 2023 r. do "
            "31 grudnia 2025 r. Strona internetowa (ust. 2 pkt 3) jest wymagana, „jeżeli taką "
            "posiada”. Brzmienie art. 6 od 1 stycznia 2026 r. (przepisy przejściowe Dz.U. "
            "2023 poz. 1688, Rejestr Urbanistyczny): NIEZWERYFIKOWANE. Termin informacji "
            "podsumowującej (art. 6 ust. 7 i nast.): NIEZWERYFIKOWANE, pole pozostaje puste.",
        },
        {
            "source_url": "https://eli.gov.pl/eli/DU/2024/278/ogl",
            "notes": "Strona internetowa (art. 6 ust. 2 pkt 3) jest wymagana, „jeżeli taką "
            "posiada”; termin informacji podsumowującej nie został zweryfikowany.",
        },
    ),
    ("spatial_planning", dt.date(2023, 9, 24)): (
        {
            "source_url": PLANNING_URL,
            "duration_article": "rozdział 1a (przepis NIEZWERYFIKOWANY)",
            "notes": "Zweryfikowano: art. 8h ust. 1 (ogłoszenie nie później niż w dniu "
            "rozpoczęcia: prasa, wywieszenie, BIP oraz strona internetowa urzędu, o ile ją "
            "posiada, sposób zwyczajowo przyjęty), art. 8i ust. 2 (zbieranie uwag, jedna "
            "forma z ust. 1 pkt 2 i jedna z pkt 3–5), art. 8g ust. 2 (imię i nazwisko albo "
            "nazwa, adres zamieszkania albo siedziby; także adres e-mail, o ile jest, i "
            "informacja, czy autor jest właścicielem lub użytkownikiem wieczystym – tych "
            "dwóch danych platforma nie wymusza), art. 8k ust. 2 (raport podsumowujący przed "
            "przedstawieniem projektu radzie gminy, bez terminu w dniach). Art. 8k nie "
            "określa czasu trwania konsultacji. Minimalny czas trwania (21 dni od "
            "rozpoczęcia): NIEZWERYFIKOWANE. Forma z art. 8i ust. 1 pkt 3–5 jest liczona "
            "jako ankieta lub sondaż; spacer studyjny lub punkt konsultacyjny w ramach "
            "spotkań nie jest liczony osobno.",
        },
        {
            "source_url": "",
            "duration_article": "art. 8k (NIEZWERYFIKOWANE)",
            "notes": "Minimalny czas trwania (21 dni) nie został zweryfikowany w tekście "
            "ustawy. Forma z art. 8i ust. 1 pkt 3–5 jest liczona jako ankieta lub sondaż; "
            "spacer studyjny lub punkt konsultacyjny w ramach spotkań nie jest liczony "
            "osobno.",
        },
    ),
    ("ngo_programme", dt.date(2020, 1, 1)): (
        {
            "source_url": "https://standardyprawa.pl/akt/324/art/41507",
            "notes": "Zweryfikowano: art. 5a ust. 1 – roczny program współpracy jest "
            "uchwalany do dnia 30 listopada roku poprzedzającego okres jego obowiązywania, "
            "po konsultacjach w sposób określony w art. 5 ust. 5 (uchwała). Ustawa nie "
            "określa terminu podsumowania konsultacji.",
        },
        {"source_url": "", "notes": "Tryb konsultacji określa uchwała (art. 5 ust. 5)."},
    ),
}


def _apply(apps, which: int) -> None:
    LegalRuleSet = apps.get_model("rulesets", "LegalRuleSet")
    for (basis, valid_from), versions in UPDATES.items():
        LegalRuleSet.objects.filter(legal_basis=basis, valid_from=valid_from).update(
            **versions[which]
        )


def verify(apps, schema_editor):
    _apply(apps, 0)


def unverify(apps, schema_editor):
    _apply(apps, 1)


class Migration(migrations.Migration):
    dependencies = [("rulesets", "0002_current_legal_texts")]

    operations = [migrations.RunPython(verify, unverify)]
