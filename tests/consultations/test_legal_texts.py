"""The privacy notice and the accessibility statement: defaults from the municipality's data,
the gaps staff must complete, the staff forms (bad input changes nothing), the footer links on
every kind of page, isolation between municipalities, and the yearly review reminder."""

from datetime import date

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from consultations.models import AccessibilityReviewReminder, SiteSettings
from consultations.selectors import SITE_SETTINGS_CACHE_KEY
from consultations.services import (
    accessibility_review_remind,
    accessibility_statement_update,
    privacy_notice_update,
)
from tests.conftest import force_login
from tests.consultations.factories import staff_make

GAP = "do uzupełnienia przez urząd"

# What a fresh municipality's texts still lack (written out, not read from the code): the
# platform knows its name, contact e-mail and launch date, but not its office's postal
# address, its DPO, nor who answers for accessibility.
FRESH_PRIVACY_GAPS = ["controller_address", "dpo_email"]
FRESH_ACCESSIBILITY_GAPS = [
    "a11y_prepared_on",
    "a11y_reviewed_on",
    "a11y_contact_name",
    "a11y_contact_phone",
]

PRIVACY = {
    "controller_name": "Burmistrz Gminy Testowej",
    "controller_address": "ul. Rynek 1, 74-400 Dębno",
    "controller_email": "",
    "dpo_email": "iod@testowa.test",
    "dpo_phone": "+48 95 760 00 01",
    "privacy_retention": "",
    "privacy_recipients": "",
    "privacy_extra": "",
}
ACCESSIBILITY = {
    "a11y_published_on": date(2026, 1, 15),
    "a11y_updated_on": date(2026, 6, 1),
    "a11y_status": "partly",
    "a11y_noncompliance": "",
    "a11y_exclusions": "",
    "a11y_assessment": "self",
    "a11y_audit_url": "",
    "a11y_contact_name": "Anna Nowak",
    "a11y_contact_email": "dostepnosc@testowa.test",
    "a11y_contact_phone": "95 760 00 02",
    "a11y_architectural": "",
}


@pytest.fixture
def fresh_settings(tenant_a):
    """Municipality A with no legal text completed (the row as a new site has it)."""
    with schema_context(tenant_a.schema_name):
        SiteSettings.objects.filter(pk=1).delete()
        cache.delete(SITE_SETTINGS_CACHE_KEY)
    yield
    with schema_context(tenant_a.schema_name):
        cache.delete(SITE_SETTINGS_CACHE_KEY)


def _gaps(response) -> list[str]:
    context = response.context
    holder = context.get("notice") or context.get("statement")
    return [gap.field for gap in holder.gaps]


def _admin_client(tenant):
    with schema_context(tenant.schema_name):
        admin = staff_make("admin")
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, admin, tenant.schema_name)
    return client, admin


@pytest.mark.django_db
def test_a_new_municipality_gets_both_texts_from_its_data_with_the_gaps_marked(
    tenant_a, fresh_settings
):
    client = Client(HTTP_HOST=tenant_a.host)
    privacy = client.get("/polityka-prywatnosci/")
    body = privacy.content.decode()
    assert tenant_a.name in body
    assert "kontakt@test-a.test" in body  # the municipality's contact e-mail
    assert "art. 28 RODO" in body  # the provider named as processor
    assert "Prezesa Urzędu Ochrony Danych Osobowych (PUODO)" in body
    assert GAP in body
    assert _gaps(privacy) == FRESH_PRIVACY_GAPS

    statement = client.get("/deklaracja-dostepnosci/")
    body = statement.content.decode()
    assert 'id="a11y-status"' in body
    assert "częściowo zgodna" in body
    assert 'id="a11y-data-publikacja"' in body  # the launch date, known to the platform
    assert 'id="a11y-procedura"' in body
    assert "7 dni" in body and "2 miesiące" in body
    assert GAP in body
    assert _gaps(statement) == FRESH_ACCESSIBILITY_GAPS


@pytest.mark.django_db
def test_an_admin_completes_both_texts_and_residents_read_them_without_gaps(
    tenant_a, fresh_settings, django_capture_on_commit_callbacks
):
    client, _admin = _admin_client(tenant_a)
    panel = client.get("/panel/ustawienia/polityka-prywatnosci/")
    assert panel.status_code == 200
    assert "Do uzupełnienia pozostały 2 pozycje" in panel.content.decode()

    # (the cache of the settings is dropped after the commit: run those callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/panel/ustawienia/polityka-prywatnosci/", PRIVACY)
    assert response.status_code == 302
    data = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in ACCESSIBILITY.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/panel/ustawienia/deklaracja-dostepnosci/", data)
    assert response.status_code == 302

    resident = Client(HTTP_HOST=tenant_a.host)
    privacy = resident.get("/polityka-prywatnosci/")
    body = privacy.content.decode()
    assert "Burmistrz Gminy Testowej" in body and "iod@testowa.test" in body
    assert GAP not in body
    assert _gaps(privacy) == []
    statement = resident.get("/deklaracja-dostepnosci/")
    body = statement.content.decode()
    assert "Anna Nowak" in body and "2026-01-15" in body and "2026-06-01" in body
    assert GAP not in body
    assert _gaps(statement) == []
    with schema_context(tenant_a.schema_name):
        row = SiteSettings.objects.get(pk=1)
        # saving the statement is its review; the first save is also its preparation
        assert row.a11y_reviewed_on is not None
        assert row.a11y_prepared_on == row.a11y_reviewed_on


BAD_PRIVACY = [
    ("dpo_email", "not-an-address"),
    ("dpo_phone", "call me"),
    ("dpo_phone", "١٢٣٤٥٦٧٨٩"),  # Arabic-Indic digits: only ASCII digits count
    ("controller_email", "a@b"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), BAD_PRIVACY)
def test_bad_privacy_input_is_refused_in_polish_and_changes_nothing(
    tenant_a, fresh_settings, field, value
):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        with pytest.raises(Exception) as refused:
            privacy_notice_update(acting_user=admin, data={**PRIVACY, field: value})
        assert field in refused.value.message_dict
        assert not SiteSettings.objects.filter(pk=1).exists()


BAD_ACCESSIBILITY = [
    ("a11y_published_on", date(2999, 1, 1), "a11y_published_on"),
    ("a11y_updated_on", date(2025, 1, 1), "a11y_updated_on"),  # before the publication
    ("a11y_status", "perfect", "a11y_status"),
    ("a11y_audit_url", "javascript:alert(1)", "a11y_audit_url"),
    ("a11y_contact_phone", "12", "a11y_contact_phone"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value", "error_on"), BAD_ACCESSIBILITY)
def test_bad_accessibility_input_is_refused_and_changes_nothing(
    tenant_a, fresh_settings, field, value, error_on
):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        with pytest.raises(Exception) as refused:
            accessibility_statement_update(
                acting_user=admin, data={**ACCESSIBILITY, field: value}, today=date(2026, 12, 4)
            )
        assert error_on in refused.value.message_dict
        assert not SiteSettings.objects.filter(pk=1).exists()


@pytest.mark.django_db
def test_the_panel_form_shows_the_error_in_polish(tenant_a, fresh_settings):
    client, _admin = _admin_client(tenant_a)
    response = client.post(
        "/panel/ustawienia/polityka-prywatnosci/", {**PRIVACY, "dpo_email": "zły adres"}
    )
    assert response.status_code == 200
    assert "Proszę podać poprawny adres e-mail." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "moderator"])
def test_only_the_admin_edits_the_legal_texts(tenant_a, role):
    with schema_context(tenant_a.schema_name):
        user = staff_make(role)
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, user, tenant_a.schema_name)
    for path in (
        "/panel/ustawienia/polityka-prywatnosci/",
        "/panel/ustawienia/deklaracja-dostepnosci/",
    ):
        assert client.get(path).status_code in (403, 404)
        assert client.post(path, PRIVACY).status_code in (403, 404)


@pytest.mark.django_db
def test_one_municipality_never_shows_another_ones_texts(
    tenant_a, tenant_b, fresh_settings, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        admin = staff_make("admin")
        privacy_notice_update(acting_user=admin, data={**PRIVACY, "dpo_email": "iod@tylko-a.test"})
    body_a = Client(HTTP_HOST=tenant_a.host).get("/polityka-prywatnosci/").content.decode()
    assert "iod@tylko-a.test" in body_a
    body_b = Client(HTTP_HOST=tenant_b.host).get("/polityka-prywatnosci/").content.decode()
    assert "iod@tylko-a.test" not in body_b
    assert tenant_b.name in body_b


LEGAL_LINKS = ('href="/polityka-prywatnosci/"', 'href="/deklaracja-dostepnosci/"')


@pytest.mark.django_db
def test_both_links_are_in_the_footer_of_resident_staff_account_and_provider_pages(tenant_a):
    client, _admin = _admin_client(tenant_a)
    pages = {
        "resident home": Client(HTTP_HOST=tenant_a.host).get("/"),
        "resident list": Client(HTTP_HOST=tenant_a.host).get("/konsultacje/"),
        "sign-in": Client(HTTP_HOST=tenant_a.host).get("/konto/login/"),
        "staff panel": client.get("/panel/"),
        "staff settings": client.get("/panel/ustawienia/"),
        "provider landing": Client(HTTP_HOST="localhost").get("/"),
        "provider sign-in": Client(HTTP_HOST="localhost").get("/konto/login/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        footer = response.content.decode().split('<footer class="site-footer">', 1)[1]
        for link in LEGAL_LINKS:
            assert link in footer, f"{name}: no {link} in the footer"


@pytest.mark.django_db
def test_the_provider_has_its_own_texts_on_the_apex(settings):
    client = Client(HTTP_HOST="localhost")
    privacy = client.get("/polityka-prywatnosci/").content.decode()
    assert settings.BILLING_PROVIDER["name"] in privacy
    statement = client.get("/deklaracja-dostepnosci/").content.decode()
    assert 'id="a11y-kontakt"' in statement


# --- The yearly reminder (in-process; tests/consultations/test_legal_live.py runs the worker) --

# (today, whether the reminder goes out): written out from the statute's 31 March and the
# product's choice to remind from 1 March.
REMINDER_DAYS = [
    (date(2027, 2, 28), False),
    (date(2027, 3, 1), True),
    (date(2027, 3, 31), True),
    (date(2027, 4, 1), False),
    (date(2027, 12, 4), False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("today", "sent"), REMINDER_DAYS)
def test_the_reminder_goes_out_only_in_march(tenant_a, today, sent):
    with schema_context(tenant_a.schema_name):
        AccessibilityReviewReminder.objects.all().delete()
        admin = staff_make("admin")
        mail.outbox.clear()
        accessibility_review_remind(today=today)
        to_admin = [m for m in mail.outbox if admin.email in m.to]
        assert len(to_admin) == (1 if sent else 0)
        if sent:
            assert "31 marca" in to_admin[0].subject
            assert "/panel/ustawienia/deklaracja-dostepnosci/" in to_admin[0].body


@pytest.mark.django_db
def test_the_reminder_goes_once_a_year_however_often_it_runs(tenant_a):
    with schema_context(tenant_a.schema_name):
        AccessibilityReviewReminder.objects.all().delete()
        admin = staff_make("admin")
        mail.outbox.clear()
        for day in (1, 1, 2, 15, 31):
            accessibility_review_remind(today=date(2027, 3, day))
        assert len([m for m in mail.outbox if admin.email in m.to]) == 1
        # and the next year, once again
        accessibility_review_remind(today=date(2028, 3, 1))
        accessibility_review_remind(today=date(2028, 3, 2))
        assert len([m for m in mail.outbox if admin.email in m.to]) == 2
        assert list(
            AccessibilityReviewReminder.objects.order_by("year").values_list("year", flat=True)
        ) == [2027, 2028]
