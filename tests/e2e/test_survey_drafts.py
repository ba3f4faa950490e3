"""A long survey's draft in Chromium, in Polish, with WCAG 2.1 AA checked at 1280 and 390 px
(assert_accessible: axe, footer legal links, no sideways scrolling): a resident fills half of
it with the keyboard, presses "Zapisz i dokończ później", closes the page, comes back, finds
the notice and the answers, finishes and sends; the draft is gone."""

import re

import pytest
from django_tenants.utils import schema_context

from surveys.models import Answer, Response, SurveyDraft
from tests.conftest import assert_accessible
from tests.consultations.factories import staff_make
from tests.surveys.factories import question_add, survey_make

pytestmark = pytest.mark.browser

QUESTIONS = [
    ("short_text", "Na jakiej ulicy Pan/Pani mieszka?"),
    ("long_text", "Co najbardziej podoba się Panu/Pani w parku?"),
    ("long_text", "Czego w parku brakuje?"),
    ("short_text", "O jakiej porze najczęściej bywa Pan/Pani w parku?"),
    ("long_text", "Jakie zajęcia powinny się odbywać w parku?"),
    ("long_text", "Inne uwagi"),
]
ANSWERS = [
    "Lipowa",
    "Stare drzewa i cisza.",
    "Ławek w cieniu i poidełka.",
    "Wieczorem",
    "Joga i koncerty w soboty.",
    "Dziękuję za konsultacje.",
]


def tab_to(page, name: str, *, limit: int = 40) -> None:
    """Press Tab until the field ``name`` (or the button of that text) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate(
            "(n) => { const e = document.activeElement;"
            " return e.name === n || (e.tagName === 'BUTTON' && e.textContent.trim() === n); }",
            name,
        )
        if found:
            return
    raise AssertionError(f"{name} never got the focus with Tab")


def test_a_resident_saves_half_a_long_survey_comes_back_and_sends_it(
    browser, live_stack, committed_db, tenant_a
):
    # given an open consultation with a long anonymous survey
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey = survey_make(admin)
        keys = [question_add(admin, survey, qtype, text).key for qtype, text in QUESTIONS]
    url = live_stack.url(tenant_a.host, f"/konsultacje/{consultation.slug}/ankieta/")

    # A resident fills the first half with the keyboard and saves the draft.
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    page.get_by_role("heading", name="Ankieta internetowa", level=1).wait_for()
    assert_accessible(page, "survey-draft-empty")
    for key, text in zip(keys[:3], ANSWERS[:3], strict=True):
        tab_to(page, f"q-{key}")
        page.keyboard.type(text)
    tab_to(page, "Zapisz i dokończ później")
    page.keyboard.press("Enter")
    page.get_by_text(re.compile("^Wersja robocza została zapisana")).wait_for()
    assert_accessible(page, "survey-draft-saved")
    with schema_context(tenant_a.schema_name):
        assert SurveyDraft.objects.filter(survey=survey).count() == 1
        assert not Response.objects.filter(survey=survey).exists()

    # The page is closed; later the resident comes back in the same browser.
    page.close()
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    notice = page.get_by_text(re.compile(r"^Przywrócono zapisaną wersję roboczą z \d{1,2} \w+"))
    notice.wait_for()
    page.get_by_role("button", name="Usuń wersję roboczą").wait_for()
    for key, text in zip(keys[:3], ANSWERS[:3], strict=True):
        assert page.locator(f"[name='q-{key}']").input_value() == text
    assert page.locator(f"[name='q-{keys[3]}']").input_value() == ""
    assert_accessible(page, "survey-draft-restored")

    # The resident finishes with the keyboard and sends.
    for key, text in zip(keys[3:], ANSWERS[3:], strict=True):
        tab_to(page, f"q-{key}")
        page.keyboard.type(text)
    tab_to(page, "Wyślij odpowiedź")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Dziękujemy za odpowiedź").wait_for()
    assert_accessible(page, "survey-draft-sent")

    # then one response with every answer, and no draft left (nor a notice on the page)
    with schema_context(tenant_a.schema_name):
        response = Response.objects.get(survey=survey)
        texts = sorted(Answer.objects.filter(response=response).values_list("text", flat=True))
        assert texts == sorted(ANSWERS)
        assert not SurveyDraft.objects.filter(survey=survey).exists()
    page.goto(url)
    page.get_by_role("heading", name="Ankieta internetowa", level=1).wait_for()
    assert page.get_by_text(re.compile("^Przywrócono zapisaną wersję roboczą")).count() == 0
    context.close()
