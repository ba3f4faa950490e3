"""The provider's legal rules in Chromium, in Polish: the versions per legal basis, and a
new version added without a deploy. WCAG 2.1 AA (axe-core) at desktop and 390 px."""

import random
import re

import pytest

from accounts.services import user_create
from rulesets.models import LegalRuleSet
from tests.conftest import PASSWORD, assert_accessible, unique

pytestmark = pytest.mark.browser


def test_provider_staff_add_a_version_of_the_revitalisation_rules(page, live_stack, committed_db):
    # given a member of the provider's staff (far-future date: other tests never reach it)
    operator = user_create(email=unique("op") + "@konsulta.test", password=PASSWORD, is_staff=True)
    valid_from = f"{random.randint(2090, 2099)}-0{random.randint(1, 9)}-1{random.randint(0, 9)}"
    page.goto(live_stack.url("localhost", "/operator/"))
    page.get_by_label(re.compile("e-mail", re.I)).fill(operator.email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Gminy").wait_for()

    # The list shows the versions of each legal basis, with their sources.
    page.get_by_role("link", name="Przepisy prawne").first.click()
    page.get_by_role("heading", name="Przepisy prawne konsultacji").wait_for()
    rows = page.locator("table").filter(has_text="Dz.U. 2024 poz. 278")
    assert "art. 6 ust. 5" in rows.inner_text() and "35 dni" in rows.inner_text()
    assert_accessible(page, "rules-provider-list")

    # A version without the act it comes from is refused in Polish, and nothing is saved.
    page.get_by_role("link", name="Dodaj wersję").click()
    page.get_by_role("heading", name="Nowa wersja przepisów").wait_for()
    page.get_by_label("Podstawa prawna").select_option("revitalisation")
    page.get_by_label("Obowiązuje od").fill(valid_from)
    page.get_by_label("Minimalny czas trwania (dni)").fill("42")
    page.get_by_role("button", name="Zapisz wersję").click()
    page.get_by_text("To pole jest wymagane.").first.wait_for()
    assert not LegalRuleSet.objects.filter(valid_from=valid_from).exists()
    assert_accessible(page, "rules-provider-form-errors")

    # With its source and the article cited, it is saved and listed.
    page.get_by_label("Akt prawny").fill("Ustawa z dnia 9 października 2015 r. o rewitalizacji")
    page.get_by_label("Publikator (Dz.U.)").fill("Dz.U. 2090 poz. 1")
    page.get_by_label("Przepis o czasie trwania").fill("art. 6 ust. 5")
    page.get_by_label("Formularz uwag").first.check()
    page.get_by_label("Przepis o formach").fill("art. 6 ust. 4")
    page.get_by_role("button", name="Zapisz wersję").click()
    page.get_by_text(re.compile("Nowa wersja została zapisana")).wait_for()
    row = LegalRuleSet.objects.get(legal_basis="revitalisation", valid_from=valid_from)
    assert row.min_duration_days == 42 and row.required_forms == ["remarks"]
    assert row.created_by_id == operator.pk
    assert "Dz.U. 2090 poz. 1" in page.content()
    assert_accessible(page, "rules-provider-list-added")
    row.delete()


def test_an_administrator_records_the_council_resolution(page, live_stack, committed_db, tenant_b):
    from django_tenants.utils import schema_context

    from consultations.models import CouncilResolution

    email = unique("adm") + "@b.test"
    with schema_context(tenant_b.schema_name):
        user_create(email=email, password=PASSWORD, role="admin")
    page.goto(live_stack.url(tenant_b.host, "/konto/login/"))
    page.get_by_label(re.compile("e-mail", re.I)).fill(email)
    page.get_by_label("Hasło").fill(PASSWORD)
    page.get_by_role("button", name="Zaloguj się").click()
    page.get_by_role("heading", name="Panel urzędu").wait_for()
    page.goto(live_stack.url(tenant_b.host, "/panel/ustawienia/"))
    page.get_by_role("link", name=re.compile("Uchwała o konsultacjach")).click()
    page.get_by_role("heading", name="Uchwała o konsultacjach").wait_for()
    assert_accessible(page, "council-resolution-empty")

    # A number without the date is refused in Polish.
    page.get_by_label("Numer uchwały").fill("XXIV/190/2024")
    page.get_by_role("button", name="Zapisz uchwałę").click()
    page.get_by_text("Prosimy podać datę podjęcia uchwały.").wait_for()
    assert_accessible(page, "council-resolution-errors")

    page.get_by_label("Data podjęcia").fill("2024-05-23")
    page.get_by_label("Link do uchwały").fill("https://bip.example.test/uchwala-xxiv-190")
    page.get_by_label("Minimalny czas trwania (dni)").fill("21")
    page.get_by_label(re.compile("^Minimalne wyprzedzenie")).fill("7")
    page.get_by_label("Formularz uwag").check()
    page.get_by_label("Biuletyn Informacji Publicznej (BIP)").check()
    page.get_by_role("button", name="Zapisz uchwałę").click()
    page.get_by_text("Uchwała została zapisana.").wait_for()
    page.get_by_text(
        re.compile("Zapisano: uchwała nr XXIV/190/2024 z dnia 23 maja 2024")
    ).wait_for()
    assert page.get_by_label("Data podjęcia").input_value() == "2024-05-23"
    assert_accessible(page, "council-resolution-saved")
    with schema_context(tenant_b.schema_name):
        saved = CouncilResolution.objects.get(pk=1)
        assert (saved.min_duration_days, saved.min_notice_days) == (21, 7)
        assert saved.required_channels == ["bip"] and saved.required_forms == ["remarks"]
        saved.delete()
