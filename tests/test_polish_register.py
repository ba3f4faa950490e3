"""Every Polish catalogue speaks in the formal register of a public office ("Państwo",
"prosimy"), writes "e-mail", and never addresses the reader as "ty" (issue 15).

The word lists are this test's own, written from Polish grammar, not from the catalogues:
- pronouns of the second person singular (ty, ci, cię, twój…) and plural (wy, wasz…);
- verbs in the second person singular: present/future "-esz/-isz/-ysz/-asz" (masz, możesz,
  zalogujesz), past "-łeś/-łaś" (zgłosiłeś, podałaś);
- imperatives that instruct the reader (wpisz, kliknij, podaj, wybierz, sprawdź…): a sentence
  says "Prosimy wpisać…" / "Proszę podać…" or uses the infinitive;
- imperatives that are fine on a button or a link ("Zaloguj się", "Zapisz", "Wyślij
  zaproszenie"), but not inside a sentence telling the reader what to do.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRONOUNS = {
    "ty", "ci", "cię", "ciebie", "tobie", "tobą", "twój", "twoja", "twoje", "twojego",
    "twojej", "twojemu", "twoim", "twoją", "twoich", "twoimi", "twoi", "twym", "twa",
    "wy", "was", "wam", "wami", "wasz", "wasza", "wasze", "waszego", "waszej", "waszym",
    "waszą", "waszych", "waszymi",
}  # fmt: skip
# Words that only look like a second-person verb.
NOT_VERBS = {"nasz", "klawisz", "afisz", "kapelusz", "tusz", "grosz", "kosz", "marsz"}
SECOND_PERSON_VERB = re.compile(r"^\w+(esz|isz|ysz|asz|łeś|łaś)$")
INSTRUCTIONS = {
    "wpisz", "kliknij", "naciśnij", "podaj", "wybierz", "spróbuj", "odczekaj", "zignoruj",
    "pamiętaj", "upewnij", "zaznacz", "wprowadź", "skontaktuj", "poczekaj", "odśwież",
    "zapoznaj", "skorzystaj", "uzupełnij", "popraw", "zapomnij", "zwróć", "odpowiedz",
    "wypełnij", "zadzwoń", "napisz", "zostaw", "wejdź", "nadaj", "oddziel", "pozostaw",
    "przygotowuj", "zamawiaj", "śledź", "publikuj", "zapraszaj", "nadawaj",
}  # fmt: skip
LABEL_VERBS = {
    "zaloguj", "wyloguj", "zarejestruj", "załóż", "ustaw", "zmień", "usuń", "dodaj", "zapisz",
    "wyślij", "pobierz", "potwierdź", "utwórz", "zamów", "zapłać", "opublikuj", "wróć",
    "zaproś", "odbierz", "anuluj", "przelicz", "zawieś", "przywróć", "zarchiwizuj",
    "zarządzaj", "przeglądaj", "wyszukaj", "zobacz", "złóż", "zatwierdź", "wypisz", "zgłoś",
    "prześlij", "edytuj", "zamknij", "szukaj", "filtruj", "wyczyść", "ponów", "rozpocznij",
    "zaplanuj", "wycofaj", "dołącz", "oceń", "sprawdź", "przejdź", "otwórz", "przeczytaj",
    "poproś", "powtórz", "pokaż", "aktywuj", "archiwizuj",
}  # fmt: skip


def _unquote(chunk: str) -> str:
    return ast.literal_eval(chunk)


def po_translations(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every translated entry, plural forms included; obsolete ones and
    the header left out. A small reader: the standard library has none for .po files."""
    entries: list[tuple[str, str]] = []
    msgid, strs, current = "", [], None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line or line.startswith("#"):
            if current is not None and msgid:
                entries.extend((msgid, s) for s in strs if s)
            msgid, strs, current = "", [], None
            continue
        if line.startswith("msgctxt"):
            current = "ctx"
        elif line.startswith("msgid_plural"):
            current = "plural"
        elif line.startswith("msgid "):
            msgid, current = _unquote(line[6:]), "id"
        elif line.startswith("msgstr"):
            strs.append(_unquote(line.split(" ", 1)[1]))
            current = "str"
        elif line.startswith('"'):
            if current == "id":
                msgid += _unquote(line)
            elif current == "str":
                strs[-1] += _unquote(line)
    return entries


def polish_catalogues() -> list[Path]:
    return sorted(
        p
        for p in ROOT.glob("**/locale/pl/LC_MESSAGES/*.po")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    )


def _words(text: str) -> list[str]:
    # Placeholders, links and the quoted name of a button („Potwierdź adres”) are not prose.
    text = re.sub(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|https?://\S+|„[^”]*”", " ", text)
    return re.findall(r"[^\W\d_]+", text.lower())


def _is_label(text: str) -> bool:
    """A button's or link's label: a few words, not a sentence."""
    plain = text.strip()
    return len(plain.split()) <= 8 and not re.search(r"[.!?;]\s|[.!?]$", plain)


def informal_words(text: str) -> list[str]:
    found = []
    words = _words(text)
    for word in words:
        if word in LABEL_VERBS:
            if not _is_label(text):
                found.append(word)
        elif (
            word in PRONOUNS
            or word in INSTRUCTIONS
            or (SECOND_PERSON_VERB.match(word) and word not in NOT_VERBS)
        ):
            found.append(word)
    return found


def test_the_checker_catches_informal_polish_and_passes_formal_polish():
    # given: sentences written for this test, informal and formal
    informal = [
        "Twoje hasło",
        "Ktoś (najpewniej Ty) poprosił o nowe hasło.",
        "To, co zgłosiłeś w konsultacjach, zostaje.",
        "Wpisz adres e-mail.",
        "Nie masz jeszcze konta?",
        "Wyślemy Ci link.",
        "Kliknij link w wiadomości.",
        "Zaloguj się adresem e-mail i hasłem – wyślemy nowy link.",
    ]
    formal = [
        "Prosimy podać adres e-mail.",
        "Nie mają Państwo jeszcze konta?",
        "Zaloguj się",
        "Wyślij zaproszenie",
        "Nasz serwis nie przechowuje Państwa hasła.",
        "Hasło zostało zmienione.",
    ]
    # then
    assert all(informal_words(text) for text in informal), [
        t for t in informal if not informal_words(t)
    ]
    assert [t for t in formal if informal_words(t)] == []


def test_no_polish_catalogue_addresses_the_reader_informally():
    catalogues = polish_catalogues()
    assert len(catalogues) >= 5, catalogues  # the project's and each app's
    offences = []
    for path in catalogues:
        for _msgid, msgstr in po_translations(path):
            words = informal_words(msgstr)
            if words:
                offences.append(f"{path.relative_to(ROOT)}: {sorted(set(words))}: {msgstr!r}")
    assert offences == [], "informal Polish:\n" + "\n".join(offences)


def email_spelt_without_hyphen(text: str) -> bool:
    """True when the text writes "email"/"mail" as a word (placeholders and addresses aside)."""
    text = re.sub(r"%\(\w+\)[sd]|\{\{[^}]*\}\}|\S+@\S+|https?://\S+", " ", text)
    return re.search(r"(?<![-\w])e?mail(a|em|u|e|i|om|ach|ami)?\b", text, re.IGNORECASE) is not None


def test_the_e_mail_check_tells_the_spellings_apart():
    assert email_spelt_without_hyphen("Podaj adres email.")
    assert email_spelt_without_hyphen("Wyślemy maila z linkiem.")
    assert not email_spelt_without_hyphen("Adres e-mail: %(email)s, np. jan@gmina.pl")


def test_polish_and_english_catalogues_write_e_mail_with_a_hyphen():
    catalogues = polish_catalogues() + sorted(
        p
        for p in ROOT.glob("**/locale/en/LC_MESSAGES/*.po")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    )
    offences = []
    for path in catalogues:
        for msgid, msgstr in po_translations(path):
            for text in (msgid, msgstr):
                if email_spelt_without_hyphen(text):
                    offences.append(f"{path.relative_to(ROOT)}: {text!r}")
    assert offences == [], "write “e-mail”:\n" + "\n".join(offences)


# Polish plural forms, from the grammar: 1 → singular accusative; 2–4, 22–24… → "konsultacje";
# 5–21, 25–31… and the teens → "konsultacji".
CONSULTATIONS_FOUND = {
    1: "Znaleziono 1 konsultację",
    2: "Znaleziono 2 konsultacje",
    4: "Znaleziono 4 konsultacje",
    5: "Znaleziono 5 konsultacji",
    12: "Znaleziono 12 konsultacji",
    14: "Znaleziono 14 konsultacji",
    22: "Znaleziono 22 konsultacje",
    25: "Znaleziono 25 konsultacji",
    0: "Znaleziono 0 konsultacji",
}


def test_the_number_of_consultations_found_takes_the_polish_plural_form():
    from django.template import Context, Template
    from django.utils import translation

    template = Template(
        "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} consultation found"
        "{% plural %}{{ counter }} consultations found{% endblocktranslate %}"
    )
    with translation.override("pl"):
        rendered = {n: template.render(Context({"n": n})) for n in CONSULTATIONS_FOUND}
    assert rendered == CONSULTATIONS_FOUND


def test_the_password_rules_shown_under_the_password_field_are_formal():
    # given: Django's own Polish catalogue says "Twoje hasło…"; ours must win over it
    from django.contrib.auth.password_validation import password_validators_help_texts
    from django.utils import translation

    # when
    with translation.override("pl"):
        texts = [str(text) for text in password_validators_help_texts()]

    # then
    assert len(texts) >= 4, texts
    assert [t for t in texts if informal_words(t)] == [], texts


def test_the_sign_in_and_password_errors_of_allauth_are_formal():
    # given: the errors django-allauth's forms give on the pages we serve (sign-up, sign-in,
    # password change and reset); its own Polish catalogue says "Musisz…", "Spróbuj…"
    from allauth.account.adapter import DefaultAccountAdapter
    from django.utils import translation
    from django.utils.translation import gettext

    keys = [
        "email_password_mismatch",
        "email_taken",
        "enter_current_password",
        "incorrect_password",
        "invalid_password_reset",
        "too_many_login_attempts",
        "unknown_email",
        "rate_limited",
    ]

    # when
    with translation.override("pl"):
        texts = [str(DefaultAccountAdapter.error_messages[key]) for key in keys]
        texts.append(gettext("You must type the same password each time."))

    # then
    assert [t for t in texts if informal_words(t)] == [], texts
