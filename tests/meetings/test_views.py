"""Meetings over HTTP: residents' pages, GET never confirms, one-click cancel, isolation of
municipalities, the staff permission matrix, bad input in Polish."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus
from meetings.models import Event, Signup, SignupStatus
from meetings.selectors import cancel_token
from tests.conftest import force_login
from tests.consultations.factories import department_make, staff_make
from tests.meetings.helpers import (
    confirmed_signup,
    evening,
    event_make,
    meeting_consultation,
    pending_signup,
)

pytestmark = pytest.mark.django_db


def client_as(tenant, user=None):
    client = Client(HTTP_HOST=tenant.host)
    if user is not None:
        force_login(client, user, tenant.schema_name)
    return client


def test_the_event_page_is_polish_with_accessibility_and_a_sign_up_form(tenant_a):
    with schema_context(tenant_a.schema_name):
        event = event_make(induction_loop=True, interpreter_on_request=True)
    response = client_as(tenant_a).get(f"/spotkania/{event.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    assert event.title in content
    assert "Dostęp bez schodów" in content
    assert "Pętla indukcyjna" in content
    assert "Zapisz się" in content
    assert f"Administratorem Państwa danych jest {tenant_a.name}" in content


def test_the_schedules_and_the_calendars_list_the_event(tenant_a):
    with schema_context(tenant_a.schema_name):
        event = event_make()
    client = client_as(tenant_a)
    assert event.title in client.get("/spotkania/").content.decode()
    slug = event.consultation.slug
    assert event.title in client.get(f"/konsultacje/{slug}/spotkania/").content.decode()
    feed = client.get("/spotkania/kalendarz.ics")
    assert feed["Content-Type"].startswith("text/calendar")
    assert f"UID:meeting-{event.pk}@{tenant_a.host}" in feed.content.decode()
    one = client.get(f"/spotkania/{event.pk}/wydarzenie.ics").content.decode()
    assert one.count("BEGIN:VEVENT") == 1
    assert "LOCATION:Sala sesyjna urzędu\\, ul. Rynek 1\\, Dębno" in one


def test_calendar_links_use_the_stored_address_not_the_host_header(tenant_a):
    # given a request whose Host header carries a port the deployment does not use
    with schema_context(tenant_a.schema_name):
        event = event_make()
    client = Client(HTTP_HOST=f"{tenant_a.host}:6666")
    path = f"/spotkania/{event.pk}/"
    # when both calendars are read
    bodies = [
        client.get("/spotkania/kalendarz.ics").content.decode(),
        client.get(f"/spotkania/{event.pk}/wydarzenie.ics").content.decode(),
    ]
    # then the event's link is on the stored domain (folded lines joined), never the port
    for body in bodies:
        unfolded = body.replace("\r\n ", "")
        url = next(line for line in unfolded.splitlines() if line.startswith("URL:"))
        assert url.startswith(f"URL:http://{tenant_a.host}") and url.endswith(path)
        assert ":6666" not in unfolded


def test_a_consultations_schedule_is_404_unless_public_with_meetings_and_on_its_own_site(
    tenant_a, tenant_b
):
    # The schedule reads the public consultation with its meetings form in one query: each
    # of the three reasons to refuse it is a 404.
    with schema_context(tenant_a.schema_name):
        draft = meeting_consultation(ConsultationStatus.DRAFT)
        without_meetings = meeting_consultation(participation_forms=["remarks"])
    with schema_context(tenant_b.schema_name):
        of_b = event_make().consultation
    a = client_as(tenant_a)
    for slug in (draft.slug, without_meetings.slug):
        assert a.get(f"/konsultacje/{slug}/spotkania/").status_code == 404
    assert client_as(tenant_b).get(f"/konsultacje/{of_b.slug}/spotkania/").status_code == 200
    assert of_b.slug not in (draft.slug, without_meetings.slug)  # A has no such slug
    assert a.get(f"/konsultacje/{of_b.slug}/spotkania/").status_code == 404


def test_a_draft_consultations_events_are_not_public(tenant_a):
    with schema_context(tenant_a.schema_name):
        event = event_make(meeting_consultation(ConsultationStatus.DRAFT))
    assert client_as(tenant_a).get(f"/spotkania/{event.pk}/").status_code == 404


def test_signing_up_redirects_and_a_get_of_the_link_confirms_nothing(
    tenant_a, django_capture_on_commit_callbacks
):
    with schema_context(tenant_a.schema_name):
        event = event_make()
    client = client_as(tenant_a)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            f"/spotkania/{event.pk}/",
            {
                "name": "Jan Kowalski",
                "email": "jan@poczta.test",
                "needs_interpreter": "on",
                "consent": "on",
            },
        )
    assert response.status_code == 302
    assert len(callbacks) == 1
    with schema_context(tenant_a.schema_name):
        signup = Signup.objects.get(event=event)
        assert signup.needs_interpreter
        _, token = pending_signup(event, email="jan@poczta.test")
    # a mail scanner opens the link: nothing changes
    page = client.get(f"/spotkania/potwierdz/{token}/")
    assert page.status_code == 200
    assert "Potwierdzam zapis" in page.content.decode()
    with schema_context(tenant_a.schema_name):
        assert Signup.objects.get(pk=signup.pk).status == SignupStatus.PENDING
    # the button does
    done = client.post(f"/spotkania/potwierdz/{token}/")
    assert done.status_code == 200
    assert "Miejsce jest potwierdzone" in done.content.decode()
    with schema_context(tenant_a.schema_name):
        assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CONFIRMED


def test_a_form_without_consent_is_refused_in_polish_and_nothing_is_stored(tenant_a):
    with schema_context(tenant_a.schema_name):
        event = event_make()
    response = client_as(tenant_a).post(
        f"/spotkania/{event.pk}/",
        {"name": "<script>alert(1)</script>", "email": "jan@poczta.test"},
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Aby się zapisać, prosimy wyrazić zgodę" in content
    assert "<script>alert(1)</script>" not in content
    with schema_context(tenant_a.schema_name):
        assert not Signup.objects.filter(event=event).exists()


def test_one_click_cancel_works_without_a_session_and_get_only_asks(tenant_a):
    with schema_context(tenant_a.schema_name):
        signup = confirmed_signup(event_make())
        token = cancel_token(signup)
    client = Client(HTTP_HOST=tenant_a.host, enforce_csrf_checks=True)
    assert "Rezygnuję z zapisu" in client.get(f"/spotkania/rezygnacja/{token}/").content.decode()
    with schema_context(tenant_a.schema_name):
        assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CONFIRMED
    assert client.post(f"/spotkania/rezygnacja/{token}/").status_code == 200
    with schema_context(tenant_a.schema_name):
        assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CANCELLED


def test_b_s_event_and_sign_up_tokens_are_404_on_a(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        event_b = event_make()
        # An id that A surely has not (ids are per schema and may coincide).
        Event.objects.filter(pk=event_b.pk).update(id=900_000_000 + event_b.pk)
        event_b = Event.objects.get(pk=900_000_000 + event_b.pk)
        signup_b = confirmed_signup(event_b)
        cancel_b = cancel_token(signup_b)
        _, confirm_b = pending_signup(event_b)
        admin_b = staff_make("admin")
    with schema_context(tenant_a.schema_name):
        admin_a = staff_make("admin")
    a = client_as(tenant_a)
    assert a.get(f"/spotkania/{event_b.pk}/").status_code == 404
    assert a.get(f"/spotkania/{event_b.pk}/wydarzenie.ics").status_code == 404
    assert (
        a.post(f"/spotkania/{event_b.pk}/", {"name": "X", "email": "x@p.test"}).status_code == 404
    )
    assert a.get(f"/spotkania/rezygnacja/{cancel_b}/").status_code == 404
    assert a.post(f"/spotkania/rezygnacja/{cancel_b}/").status_code == 404
    assert a.get(f"/spotkania/potwierdz/{confirm_b}/").status_code == 410
    assert a.post(f"/spotkania/potwierdz/{confirm_b}/").status_code == 410
    staff_a = client_as(tenant_a, admin_a)
    assert staff_a.get(f"/panel/spotkania/{event_b.pk}/").status_code == 404
    assert staff_a.post(f"/panel/spotkania/{event_b.pk}/odwolaj/").status_code == 404
    # B's own admin sees it on B
    assert client_as(tenant_b, admin_b).get(f"/panel/spotkania/{event_b.pk}/").status_code == 200
    with schema_context(tenant_b.schema_name):
        assert Signup.objects.get(pk=signup_b.pk).status == SignupStatus.CONFIRMED


# role, coordinator of the consultation's department? → may see / may organise (a table).
PERMISSIONS = [
    ("admin", False, 200, 200),
    ("coordinator", True, 200, 200),
    ("coordinator", False, 404, 404),
    ("moderator", False, 404, 404),
    ("district_editor", False, 404, 404),
]


@pytest.mark.parametrize(("role", "own_department", "see", "organise"), PERMISSIONS)
def test_staff_permission_matrix(tenant_a, role, own_department, see, organise):
    with schema_context(tenant_a.schema_name):
        user = staff_make(role)
        department = department_make(coordinators=(user,) if own_department else ())
        other = department_make(coordinators=(staff_make("coordinator"),))
        if role == "coordinator" and not own_department:
            other.coordinators.add(user)
        consultation = meeting_consultation(department=department)
        event = event_make(consultation)
    client = client_as(tenant_a, user)
    assert client.get(f"/panel/spotkania/{event.pk}/").status_code == see
    assert client.get(f"/panel/konsultacje/{consultation.pk}/spotkania/").status_code == see
    assert client.get(f"/panel/spotkania/{event.pk}/edycja/").status_code == organise
    response = client.post(f"/panel/spotkania/{event.pk}/odwolaj/", {"reason": ""})
    assert response.status_code == (302 if organise == 200 else 404)


def test_anonymous_visitors_are_sent_to_sign_in(tenant_a):
    with schema_context(tenant_a.schema_name):
        event = event_make()
    response = client_as(tenant_a).get(f"/panel/spotkania/{event.pk}/")
    assert response.status_code == 302
    assert "/konto/" in response["Location"]


def test_the_coordinator_creates_an_event_after_acknowledging_the_warnings(tenant_a):
    with schema_context(tenant_a.schema_name):
        user = staff_make("coordinator")
        consultation = meeting_consultation(department=department_make(coordinators=(user,)))
    client = client_as(tenant_a, user)
    start = evening().replace(hour=10)
    data = {
        "event_type": "study_walk",
        "title": "Spacer studyjny po rynku",
        "description": "Przejdziemy razem po rynku.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": start.replace(hour=12).strftime("%Y-%m-%dT%H:%M"),
        "venue": "Zbiórka przy ratuszu",
        "address": "Rynek 1",
        "signup_required": "on",
        "capacity": "15",
    }
    url = f"/panel/konsultacje/{consultation.pk}/spotkania/nowe/"
    first = client.post(url, data)
    content = first.content.decode()
    assert first.status_code == 400
    assert "Przed zaplanowaniem prosimy sprawdzić" in content
    assert "dzień roboczy" in content and "bez schodów" in content
    with schema_context(tenant_a.schema_name):
        assert not Event.objects.filter(consultation=consultation).exists()
    second = client.post(url, {**data, "warnings_acknowledged": "on"})
    assert second.status_code == 302
    with schema_context(tenant_a.schema_name):
        assert Event.objects.get(consultation=consultation).capacity == 15


HOSTILE_EVENT = [
    ({"starts_at": "jutro"}, "Wpisz poprawną datę"),
    ({"capacity": "-5"}, "większa lub równa 1"),
    ({"online_url": "javascript:alert(1)"}, "pełny link"),
    ({"title": "x" * 500}, "200"),
]


@pytest.mark.parametrize(("change", "message"), HOSTILE_EVENT)
def test_hostile_event_input_gets_a_polish_message_and_stores_nothing(tenant_a, change, message):
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = meeting_consultation()
    start = evening()
    data = {
        "event_type": "meeting",
        "title": "Spotkanie",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": start.replace(hour=20).strftime("%Y-%m-%dT%H:%M"),
        "venue": "Sala",
        "address": "Rynek 1",
        "step_free_access": "on",
        **change,
    }
    response = client_as(tenant_a, admin).post(
        f"/panel/konsultacje/{consultation.pk}/spotkania/nowe/", data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    with schema_context(tenant_a.schema_name):
        assert not Event.objects.filter(consultation=consultation).exists()
