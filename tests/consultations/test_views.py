"""Panel and residents' pages over HTTP: CRUD, lifecycle buttons, tenant isolation."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import Area, Category, Consultation, ConsultationStatus, Department, News
from tests.conftest import force_login
from tests.consultations.factories import (
    consultation_in_state,
    department_make,
    pdf_bytes,
    staff_make,
    upload,
)

S = ConsultationStatus


def client_as(tenant, user):
    client = Client(HTTP_HOST=tenant.host)
    force_login(client, user, tenant.schema_name)
    return client


@pytest.mark.django_db
def test_the_admin_creates_departments_areas_and_categories(tenant_a):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        coordinator = staff_make("coordinator")
        editor = staff_make("district_editor")
    client = client_as(tenant_a, admin)
    assert client.get("/panel/wydzialy/nowy/").status_code == 200
    response = client.post(
        "/panel/wydzialy/nowy/", {"name": "Wydział Rozwoju", "coordinators": [coordinator.pk]}
    )
    assert response.status_code == 302
    response = client.post(
        "/panel/obszary/nowy/",
        {"name": "Osiedle Zachód", "outline": '{"type": "Polygon"', "editors": [editor.pk]},
    )
    assert "nie są poprawnym GeoJSON" in response.content.decode()
    outline = '{"type": "Polygon", "coordinates": [[[14.4, 52.7], [14.5, 52.7], [14.4, 52.8], [14.4, 52.7]]]}'
    response = client.post(
        "/panel/obszary/nowy/",
        {"name": "Osiedle Zachód", "outline": outline, "editors": [editor.pk]},
    )
    assert response.status_code == 302
    assert client.post("/panel/kategorie/nowy/", {"name": "Transport"}).status_code == 302
    with schema_context(tenant_a.schema_name):
        department = Department.objects.get(name="Wydział Rozwoju")
        assert list(department.coordinators.all()) == [coordinator]
        assert list(Area.objects.get(name="Osiedle Zachód").editors.all()) == [editor]
        assert Category.objects.filter(name="Transport").exists()
    assert "Wydział Rozwoju" in client.get("/panel/wydzialy/").content.decode()
    edit = client.get(f"/panel/wydzialy/{department.pk}/")
    assert edit.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["coordinator", "moderator", "district_editor"])
def test_only_the_admin_opens_the_catalogue(tenant_a, role):
    with schema_context(tenant_a.schema_name):
        user = staff_make(role)
    assert client_as(tenant_a, user).get("/panel/wydzialy/").status_code == 404


@pytest.mark.django_db
def test_a_coordinator_creates_edits_and_orders_a_consultation_with_a_document(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        department = department_make(coordinators=(coordinator,))
    client = client_as(tenant_a, coordinator)
    start = timezone.localtime() + timedelta(days=10)
    data = {
        "title": "Park nad jeziorem",
        "summary": "Jak urządzić park?",
        "description": "Opis parku.",
        "legal_basis": "art5a",
        "department": department.pk,
        "participation_forms": ["remarks"],
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"),
        "contact_name": "Ewa Zielińska",
        "contact_email": "ewa@urzad.test",
    }
    response = client.post("/panel/konsultacje/nowa/", data)
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        consultation = Consultation.objects.get(title="Park nad jeziorem")
    detail = f"/panel/konsultacje/{consultation.pk}/"
    assert client.get(detail).status_code == 200
    # a document
    response = client.post(
        detail + "dokumenty/", {"title": "Koncepcja", "file": upload("koncepcja.pdf", pdf_bytes())}
    )
    assert response.status_code == 302
    # a GET never changes state
    assert client.get(detail + "zamow/").status_code == 405
    assert client.post(detail + "zamow/").status_code == 302
    with schema_context(tenant_a.schema_name):
        consultation.refresh_from_db()
        assert consultation.status == S.ORDERED
        assert consultation.documents.count() == 1
    # scheduling before payment explains why, in Polish, and changes nothing
    response = client.post(detail + "zaplanuj/")
    assert response.status_code == 400
    assert "opłacone" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["moderator", "district_editor"])
def test_moderators_and_editors_cannot_open_consultations_in_the_panel(tenant_a, role):
    with schema_context(tenant_a.schema_name):
        user = staff_make(role)
        consultation = consultation_in_state(S.DRAFT)
    client = client_as(tenant_a, user)
    assert client.get("/panel/konsultacje/").status_code == 404
    assert client.get(f"/panel/konsultacje/{consultation.pk}/").status_code == 404


@pytest.mark.django_db
def test_a_coordinator_sees_only_their_departments_consultations(tenant_a):
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        mine = consultation_in_state(
            S.DRAFT, department=department_make(coordinators=(coordinator,))
        )
        theirs = consultation_in_state(S.DRAFT)
    client = client_as(tenant_a, coordinator)
    assert client.get(f"/panel/konsultacje/{mine.pk}/").status_code == 200
    assert client.get(f"/panel/konsultacje/{theirs.pk}/").status_code == 404
    assert client.post(f"/panel/konsultacje/{theirs.pk}/zamow/").status_code == 404


@pytest.mark.django_db
def test_a_consultation_of_b_is_a_404_on_a_by_slug_and_in_the_panel(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        of_b = consultation_in_state(S.OPEN, slug="tylko-w-b")
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
    assert Client(HTTP_HOST=tenant_b.host).get("/konsultacje/tylko-w-b/").status_code == 200
    assert Client(HTTP_HOST=tenant_a.host).get("/konsultacje/tylko-w-b/").status_code == 404
    # ids are per schema: make sure A has no row of its own with B's id
    with schema_context(tenant_a.schema_name):
        Consultation.objects.filter(pk=of_b.pk).delete()
    response = client_as(tenant_a, admin_a).get(f"/panel/konsultacje/{of_b.pk}/")
    assert response.status_code == 404
    assert (
        client_as(tenant_a, admin_a).post(f"/panel/konsultacje/{of_b.pk}/zamow/").status_code == 404
    )


@pytest.mark.django_db
def test_residents_never_see_drafts_or_unpaid_orders(tenant_a):
    with schema_context(tenant_a.schema_name):
        draft = consultation_in_state(S.DRAFT, title="Tajny szkic")
        ordered = consultation_in_state(S.ORDERED, title="Nieopłacone zamówienie")
        shown = consultation_in_state(S.OPEN, title="Trwające konsultacje parku")
    client = Client(HTTP_HOST=tenant_a.host)
    for page in ("/", "/konsultacje/"):
        body = client.get(page).content.decode()
        assert "Tajny szkic" not in body and "Nieopłacone zamówienie" not in body
    assert "Trwające konsultacje parku" in client.get("/").content.decode()
    assert client.get(f"/konsultacje/{draft.slug}/").status_code == 404
    assert client.get(f"/konsultacje/{ordered.slug}/").status_code == 404
    assert client.get(f"/konsultacje/{shown.slug}/").status_code == 200


@pytest.mark.django_db
def test_the_report_section_appears_only_once_published(tenant_a):
    with schema_context(tenant_a.schema_name):
        closed = consultation_in_state(S.CLOSED, report_text="Szkic raportu")
        published = consultation_in_state(
            S.REPORT_PUBLISHED, report_text="Zebrano 40 uwag.", report_published_at=timezone.now()
        )
    client = Client(HTTP_HOST=tenant_a.host)
    assert "Szkic raportu" not in client.get(f"/konsultacje/{closed.slug}/").content.decode()
    assert "Zebrano 40 uwag." in client.get(f"/konsultacje/{published.slug}/").content.decode()


@pytest.mark.django_db
def test_a_district_editor_publishes_news_only_for_their_area(tenant_a):
    with schema_context(tenant_a.schema_name):
        editor = staff_make("district_editor")
        mine = Area.objects.create(name="Osiedle Kwiatowe")
        other = Area.objects.create(name="Osiedle Leśne")
        mine.editors.add(editor)
        foreign = News.objects.create(
            title="Cudza", body="x", area=other, published_at=timezone.now()
        )
    client = client_as(tenant_a, editor)
    assert client.get("/panel/aktualnosci/").status_code == 200
    response = client.post(
        "/panel/aktualnosci/nowa/", {"title": "Festyn", "body": "Zapraszamy!", "area": other.pk}
    )
    assert response.status_code == 200  # refused: not their area
    response = client.post(
        "/panel/aktualnosci/nowa/", {"title": "Festyn", "body": "Zapraszamy!", "area": mine.pk}
    )
    assert response.status_code == 302
    assert client.get(f"/panel/aktualnosci/{foreign.pk}/").status_code == 404
    resident = Client(HTTP_HOST=tenant_a.host)
    assert "Festyn" in resident.get("/aktualnosci/").content.decode()
    with schema_context(tenant_a.schema_name):
        news = News.objects.get(title="Festyn")
    assert "Zapraszamy!" in resident.get(f"/aktualnosci/{news.pk}/").content.decode()


@pytest.mark.django_db
def test_the_demo_consultations_load_once_and_show_on_the_home_page(tenant_b):
    from platform_site.demo import demo_consultations_load

    with schema_context(tenant_b.schema_name):
        admin = staff_make("admin")
        demo_consultations_load(subdomain="debno", admin=admin)
        demo_consultations_load(subdomain="debno", admin=admin)
        titles = set(Consultation.objects.values_list("title", flat=True))
    assert "Rewitalizacja rynku w Dębnie" in titles
    body = Client(HTTP_HOST=tenant_b.host).get("/").content.decode()
    assert "Rewitalizacja rynku w Dębnie" in body
    assert "Program współpracy z organizacjami" in body  # upcoming
    assert "Plac zabaw w Cychrach" in body  # recently closed
    assert "Spotkanie w sprawie rynku" in body  # news
