"""Anonymous residents' pages come from the page cache (consultations/page_cache.py), and the
very next request after a change residents can see gets the new page: the municipality's page
version moves in the change's own transaction. Signed-in people never get a stored page, and
one municipality's page is never served on another's site."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from common.db import connection
from consultations import services
from consultations.models import Category, ParticipationForm
from consultations.page_cache import (
    HEADER,
    PageCacheMiddleware,
    consultation_cards_local_clear,
    page_cache_local_clear,
    page_cached,
)
from surveys.services import survey_paper_response_enter
from tenants.models import Municipality
from tests.conftest import force_login
from tests.consultations.factories import (
    complete_input,
    consultation_in_state,
    department_make,
    pdf_bytes,
    staff_make,
    upload,
)
from tests.surveys.factories import choice_key, question_add, survey_make


def _page_entries_delete() -> None:
    """Entries of earlier tests: their transactions were rolled back, versions with them, so
    the same version may come again with other data (Redis is not rolled back)."""
    page_cache_local_clear()
    consultation_cards_local_clear()
    client = cache._cache.get_client(None, write=True)  # type: ignore[attr-defined]
    for pattern in ("*:page:*", "*:card:*"):
        for key in client.scan_iter(match=pattern):
            client.delete(key)


@pytest.fixture
def page_cache_on(settings):
    """Pages for anonymous visitors and consultation cards for everybody kept, as in
    production: every test below checks the cards' freshness too."""
    settings.PAGE_CACHE_SECONDS = 60
    settings.CARD_CACHE_SECONDS = 600
    _page_entries_delete()
    yield
    _page_entries_delete()


def anonymous(tenant) -> Client:
    return Client(HTTP_HOST=tenant.host)


def fetch(client: Client, path: str, **extra):
    response = client.get(path, **extra)
    assert response.status_code == 200, (path, response.status_code)
    return response, response.content.decode()


def cached(client: Client, path: str) -> str:
    """The page, requested until it is served from the cache (a second time at most)."""
    fetch(client, path)
    response, html = fetch(client, path)
    assert response.get(HEADER) == "hit", f"{path} was not served from the cache"
    return html


def version_of(tenant) -> int:
    return Municipality.objects.get(pk=tenant.pk).page_version


# --- Served from the cache ----------------------------------------------------------------


@pytest.mark.django_db
def test_an_anonymous_page_is_served_again_from_the_cache_with_one_query(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    first, html = fetch(client, "/")
    assert first[HEADER] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second, again = fetch(client, "/")
    assert second[HEADER] == "hit"
    assert again == html
    # Only the municipality by its host (which carries the page version), in the public
    # schema: no session, user or page query.
    # No `SET search_path` either: the statement names its schema (tenants.middleware).
    selects = [q["sql"] for q in queries.captured_queries]
    assert len(selects) == 1 and "tenants_domain" in selects[0], selects
    # The headers added outside the cache are written afresh on the hit.
    assert "Content-Security-Policy" in second
    assert second["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_each_language_and_query_has_its_own_entry(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    polish = cached(client, "/")
    english_client = Client(HTTP_HOST=tenant_a.host, HTTP_ACCEPT_LANGUAGE="en")
    english = fetch(english_client, "/")
    assert english[0][HEADER] == "miss"
    assert english[1] != polish and 'lang="en"' in english[1] and 'lang="pl"' in polish
    filtered = fetch(client, "/konsultacje/?status=open")
    assert filtered[0][HEADER] == "miss"


# --- A change shows in the next request -----------------------------------------------------


@pytest.mark.django_db
def test_a_published_consultation_appears_on_the_cached_home_page_at_once(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = services.consultation_create(
            acting_user=admin, data=complete_input(department_make())
        )
        services.consultation_order(acting_user=admin, consultation_id=consultation.pk)
        services.consultation_payment_clear(consultation_id=consultation.pk, reference="pi_1")
    assert consultation.title not in cached(client, "/")
    with schema_context(tenant_a.schema_name):
        services.consultation_schedule(acting_user=admin, consultation_id=consultation.pk)
    response, html = fetch(client, "/")
    assert response[HEADER] == "miss"
    assert consultation.title in html


@pytest.mark.django_db
def test_a_closed_consultation_reads_closed_at_once(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state("open")
    path = f"/konsultacje/{consultation.slug}/"
    html = cached(client, path)
    assert "Udział można wziąć do" in html
    with schema_context(tenant_a.schema_name):
        # As the beat job does once the end has come.
        services.consultation_close(consultation_id=consultation.pk)
    response, html = fetch(client, path)
    assert response[HEADER] == "miss"
    assert "Konsultacje się zakończyły" in html
    assert "Udział można wziąć do" not in html


@pytest.mark.django_db
def test_an_edited_title_shows_at_once_on_the_page_and_in_the_list(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state("scheduled")
    path = f"/konsultacje/{consultation.slug}/"
    assert consultation.title in cached(client, path)
    assert consultation.title in cached(client, "/konsultacje/")
    with schema_context(tenant_a.schema_name):
        data = complete_input(
            consultation.department,
            title="Nowy tytuł konsultacji",
            starts_at=consultation.starts_at,
            ends_at=consultation.ends_at,
            participation_forms=None,
        )
        services.consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    for page in (path, "/konsultacje/"):
        response, html = fetch(client, page)
        assert response[HEADER] == "miss"
        assert "Nowy tytuł konsultacji" in html and consultation.title not in html


@pytest.mark.django_db
def test_a_new_document_is_listed_at_once(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state("open")
    path = f"/konsultacje/{consultation.slug}/"
    assert "Projekt uchwały w sprawie parku" not in cached(client, path)
    with schema_context(tenant_a.schema_name):
        services.document_add(
            acting_user=admin,
            consultation_id=consultation.pk,
            title="Projekt uchwały w sprawie parku",
            upload=upload("projekt.pdf", pdf_bytes()),
        )
    response, html = fetch(client, path)
    assert response[HEADER] == "miss"
    assert "Projekt uchwały w sprawie parku" in html


@pytest.mark.django_db
def test_a_news_item_appears_at_once_on_the_home_page_and_the_news_list(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
    for page in ("/", "/aktualnosci/"):
        assert "Zebranie w sprawie parku" not in cached(client, page)
    with schema_context(tenant_a.schema_name):
        services.news_save(
            acting_user=admin,
            news_id=None,
            title="Zebranie w sprawie parku",
            body="Tekst.",
            area_id=None,
        )
    for page in ("/", "/aktualnosci/"):
        response, html = fetch(client, page)
        assert response[HEADER] == "miss"
        assert "Zebranie w sprawie parku" in html


@pytest.mark.django_db
def test_a_news_item_dated_ahead_appears_when_its_time_comes(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        services.news_save(
            acting_user=admin,
            news_id=None,
            title="Zapowiedź zebrania",
            body="Tekst.",
            area_id=None,
            published_at=timezone.now() + timedelta(seconds=5),
        )
        services.news_save(
            acting_user=admin, news_id=None, title="Wczorajsze zebranie", body="T.", area_id=None
        )
    for page in ("/", "/aktualnosci/"):
        html = fetch(client, page)[1]
        assert "Zapowiedź zebrania" not in html and "Wczorajsze zebranie" in html
    # Each kept no longer than until the item appears.
    redis = cache._cache.get_client(None)  # type: ignore[attr-defined]
    keys = list(redis.scan_iter(match="*:page:*"))
    assert len(keys) == 2
    assert all(0 < redis.ttl(key) <= 5 for key in keys)


@pytest.mark.django_db
def test_a_paper_questionnaire_after_the_close_changes_the_count_at_once(page_cache_on, tenant_a):
    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation, survey = survey_make(admin, status="open")
        question = question_add(admin, survey, "single", "Pytanie", choices=["Tak", "Nie"])
        services.consultation_close(consultation_id=consultation.pk)
    path = f"/konsultacje/{consultation.slug}/"
    assert "Wpłynęło 0 wypowiedzi" in cached(client, path)
    with schema_context(tenant_a.schema_name):
        survey_paper_response_enter(
            acting_user=admin,
            survey_id=survey.pk,
            idempotency_key=uuid.uuid4(),
            answers={question.key: choice_key(question, "Tak")},
        )
    response, html = fetch(client, path)
    assert response[HEADER] == "miss"
    assert "Wpłynęła 1 wypowiedź" in html


@pytest.mark.django_db
def test_a_cancelled_sign_up_after_the_meetings_changes_the_count_at_once(page_cache_on, tenant_a):
    from meetings.selectors import cancel_token
    from meetings.services import signup_cancel
    from tests.meetings.helpers import confirmed_signup, event_make, meeting_consultation

    client = anonymous(tenant_a)
    with schema_context(tenant_a.schema_name):
        consultation = meeting_consultation("closed")
        signup = confirmed_signup(event_make(consultation))
    path = f"/konsultacje/{consultation.slug}/"
    assert "Zapisała się 1 osoba" in cached(client, path)
    with schema_context(tenant_a.schema_name):
        signup_cancel(token=cancel_token(signup))
    response, html = fetch(client, path)
    assert response[HEADER] == "miss"
    assert "Zapisało się 0 osób" in html


@pytest.mark.django_db
def test_contributions_to_an_open_form_leave_the_version_alone(page_cache_on, tenant_a):
    # While the form is open its page shows no count: the cache of the whole site is kept
    # however many residents take part; the page itself is kept only until the form closes.
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        _consultation, survey = survey_make(admin, status="open")
        question = question_add(admin, survey, "single", "Pytanie", choices=["Tak", "Nie"])
        before = version_of(tenant_a)
        survey_paper_response_enter(
            acting_user=admin,
            survey_id=survey.pk,
            idempotency_key=uuid.uuid4(),
            answers={question.key: choice_key(question, "Tak")},
        )
        assert version_of(tenant_a) == before


@pytest.mark.django_db
def test_a_consultation_page_is_kept_no_longer_than_its_form_stays_open(page_cache_on, tenant_a):
    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state("open")
        ParticipationForm.objects.filter(consultation=consultation).update(
            ends_at=timezone.now() + timedelta(seconds=20)
        )
    fetch(anonymous(tenant_a), f"/konsultacje/{consultation.slug}/")
    redis = cache._cache.get_client(None)  # type: ignore[attr-defined]
    keys = list(redis.scan_iter(match="*:page:*"))
    assert len(keys) == 1
    assert 0 < redis.ttl(keys[0]) <= 20


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_version_alone(page_cache_on, tenant_a):
    from django.db import transaction

    before = version_of(tenant_a)
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        with pytest.raises(RuntimeError), transaction.atomic():
            services.category_save(acting_user=admin, category_id=None, name="Zieleń")
            assert version_of(tenant_a) == before + 1  # inside: moved with the change
            raise RuntimeError("rolled back")
    assert version_of(tenant_a) == before


@pytest.mark.django_db
def test_renaming_the_municipality_changes_its_cached_pages(page_cache_on, tenant_a):
    from tenants.services import municipality_update

    client = anonymous(tenant_a)
    cached(client, "/")
    municipality = Municipality.objects.get(pk=tenant_a.pk)
    municipality_update(
        municipality=municipality,
        name="Gmina Przemianowana",
        kind=municipality.kind,
        teryt=municipality.teryt,
        nip=municipality.nip or "",
        contact_email=municipality.contact_email,
        acting_user=None,
    )
    response, html = fetch(client, "/")
    assert response[HEADER] == "miss"
    assert "Gmina Przemianowana" in html


# --- Who never gets a stored page -----------------------------------------------------------


@pytest.mark.django_db
def test_signed_in_residents_and_staff_never_get_a_cached_page(page_cache_on, tenant_a):
    with schema_context(tenant_a.schema_name):
        resident = staff_make("")
        admin = staff_make("admin")
    anonymous_html = cached(anonymous(tenant_a), "/")
    for person in (resident, admin):
        client = Client(HTTP_HOST=tenant_a.host)
        force_login(client, person, tenant_a.schema_name)
        for _ in range(2):
            response, html = fetch(client, "/")
            assert HEADER not in response
            assert person.email in html and html != anonymous_html


@pytest.mark.django_db
def test_a_signed_in_page_is_never_stored_for_anonymous_visitors(page_cache_on, tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, admin, tenant_a.schema_name)
    fetch(client, "/")
    response, html = fetch(anonymous(tenant_a), "/")
    assert response[HEADER] == "miss"
    assert admin.email not in html


@pytest.mark.django_db
def test_a_page_with_a_form_is_never_stored(page_cache_on, tenant_a):
    # The subscription form carries a CSRF token tied to the visitor's cookie.
    client = anonymous(tenant_a)
    for _ in range(2):
        response, html = fetch(client, "/subskrypcje/")
        assert HEADER not in response
        assert "csrfmiddlewaretoken" in html
    other = anonymous(tenant_a)
    token = other.get("/subskrypcje/").cookies["csrftoken"].value
    assert token not in html


@pytest.mark.django_db
def test_tenant_a_cached_page_is_never_served_on_b(page_cache_on, tenant_a, tenant_b):
    html_a = cached(anonymous(tenant_a), "/")
    assert tenant_a.name in html_a
    response, html_b = fetch(anonymous(tenant_b), "/")
    assert response[HEADER] == "miss"
    assert tenant_b.name in html_b and tenant_a.name not in html_b
    # Even when both municipalities are at the same page version.
    Municipality.objects.filter(pk=tenant_b.pk).update(page_version=version_of(tenant_a))
    _response, html_b = fetch(anonymous(tenant_b), "/konsultacje/")
    assert tenant_a.name not in html_b


# --- CSP nonces -----------------------------------------------------------------------------


def _nonce_view():
    template = engines["django"].from_string(
        '<!DOCTYPE html><script nonce="{{ request.csp_nonce }}">1</script>'
    )

    @page_cached
    def view(request):
        return HttpResponse(template.render({}, request))

    return view


@pytest.mark.django_db
def test_a_page_that_used_its_csp_nonce_is_never_stored(page_cache_on, tenant_a):
    from csp.middleware import CSPMiddleware

    stack = CSPMiddleware(PageCacheMiddleware(_nonce_view()))
    tenant = Municipality.objects.get(pk=tenant_a.pk)
    headers = []
    for _ in range(2):
        request = RequestFactory().get("/nonce/", HTTP_HOST=tenant_a.host)
        request.tenant = tenant
        with schema_context(tenant_a.schema_name):
            response = stack(request)
        assert HEADER not in response
        nonce = request._csp_nonce
        assert f'nonce="{nonce}"'.encode() in response.content
        assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
        headers.append(response["Content-Security-Policy"])
    assert headers[0] != headers[1]


@pytest.mark.django_db
def test_cached_pages_carry_no_nonce(page_cache_on, tenant_a):
    with schema_context(tenant_a.schema_name):
        consultation = consultation_in_state("open")
    for path in ("/", "/konsultacje/", f"/konsultacje/{consultation.slug}/", "/aktualnosci/"):
        html = cached(anonymous(tenant_a), path)
        assert "nonce" not in html, path


# --- The switch -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_nothing_is_stored_when_the_cache_is_off(settings, tenant_a):
    settings.PAGE_CACHE_SECONDS = 0
    client = anonymous(tenant_a)
    for _ in range(2):
        assert HEADER not in fetch(client, "/")[0]


# --- Consultation cards: kept for everybody, never stale ------------------------------------


def signed_in(tenant, person) -> Client:
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, person, tenant.schema_name)
    return client


@pytest.mark.django_db
def test_cards_are_the_same_html_kept_or_rendered(page_cache_on, settings, tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        for status in ("open", "scheduled", "closed"):
            consultation_in_state(status)
    client = signed_in(tenant_a, admin)

    def pages() -> list[str]:
        # The sign-out form's CSRF token is masked afresh on every page.
        return [
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", fetch(client, path)[1])
            for path in ("/", "/konsultacje/")
        ]

    kept, again = pages(), pages()
    settings.CARD_CACHE_SECONDS = 0
    rendered = pages()
    assert kept == again == rendered
    assert rendered[1].count('class="consultation-card"') == 3


@pytest.mark.django_db
def test_kept_cards_spare_the_queries_of_areas_and_categories(page_cache_on, tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation_in_state("open")
    client = signed_in(tenant_a, admin)
    with CaptureQueriesContext(connection) as first:
        fetch(client, "/konsultacje/")
    with CaptureQueriesContext(connection) as second:
        fetch(client, "/konsultacje/")
    through = [q["sql"] for q in first.captured_queries if "consultation_areas" in q["sql"]]
    assert through, "the first list fetched no areas: nothing was rendered"
    assert len(second.captured_queries) == len(first.captured_queries) - 2


@pytest.mark.django_db
def test_a_signed_in_visitor_sees_an_edited_card_at_once(page_cache_on, tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state("open")
        category = Category.objects.create(name="Drogi gminne")
        consultation.categories.set([category])
    client = signed_in(tenant_a, admin)
    for path in ("/", "/konsultacje/"):
        html = fetch(client, path)[1]
        assert consultation.title in html and "Drogi gminne" in html
    with schema_context(tenant_a.schema_name):
        services.category_save(acting_user=admin, category_id=category.pk, name="Drogi i ulice")
    for path in ("/", "/konsultacje/"):
        html = fetch(client, path)[1]
        assert "Drogi i ulice" in html and "Drogi gminne" not in html
    with schema_context(tenant_a.schema_name):
        data = complete_input(
            consultation.department,
            title="Nowy tytuł na karcie",
            starts_at=consultation.starts_at,
            ends_at=consultation.ends_at,
            participation_forms=None,
        )
        services.consultation_update(acting_user=admin, consultation_id=consultation.pk, data=data)
    for path in ("/", "/konsultacje/"):
        html = fetch(client, path)[1]
        assert "Nowy tytuł na karcie" in html and consultation.title not in html
    with schema_context(tenant_a.schema_name):
        services.consultation_close(consultation_id=consultation.pk)
    html = fetch(client, "/konsultacje/")[1]
    assert 'class="badge cstatus-closed"' in html and "cstatus-open" not in html


@pytest.mark.django_db
def test_a_card_of_a_is_never_shown_on_b(page_cache_on, tenant_a, tenant_b):
    # Each schema numbers its consultations from its own sequence: the same id, the same
    # page version, and still each municipality's own card.
    sequence = "SELECT pg_get_serial_sequence('consultations_consultation', 'id')"
    last = 0
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema_name), connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval(({sequence})::regclass)")
            last = max(last, cursor.fetchone()[0])
    for tenant in (tenant_a, tenant_b):  # moved forward only: no id is ever given twice
        with schema_context(tenant.schema_name), connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(({sequence})::regclass, %s)", [last])
    with schema_context(tenant_a.schema_name):
        a = consultation_in_state("open", title="Konsultacja gminy A")
    with schema_context(tenant_b.schema_name):
        b = consultation_in_state("open", title="Konsultacja gminy B")
    assert a.pk == b.pk
    Municipality.objects.filter(pk=tenant_b.pk).update(page_version=version_of(tenant_a))
    html_a = fetch(anonymous(tenant_a), "/konsultacje/")[1]
    html_b = fetch(anonymous(tenant_b), "/konsultacje/")[1]
    assert "Konsultacja gminy A" in html_a and "Konsultacja gminy B" not in html_a
    assert "Konsultacja gminy B" in html_b and "Konsultacja gminy A" not in html_b
