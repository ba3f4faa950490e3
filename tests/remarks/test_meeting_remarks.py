"""Remarks made at a meeting and written in its minutes go into the register with channel
"meeting" and the event named — through the participation registry, since remarks and
meetings never import each other."""

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import ConsultationStatus
from meetings.models import EventStatus, EventType
from remarks.models import Channel, Remark
from remarks.selectors import RegisterFilters, register_rows
from tests.conftest import force_login
from tests.meetings.helpers import event_make, meeting_consultation
from tests.remarks.helpers import paper_remark, remark_input, staff_make


def _held_walk(consultation, **overrides):
    """A study walk that took place two days ago."""
    start = timezone.now() - timedelta(days=2)
    values = {
        "event_type": EventType.STUDY_WALK,
        "title": "Spacer badawczy po parku",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
    }
    values.update(overrides)
    return event_make(consultation, **values)


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


@pytest.fixture
def clerk(in_a):
    return staff_make("admin")


@pytest.mark.django_db
def test_a_remark_from_the_minutes_is_registered_with_the_event_named(in_a, clerk):
    consultation = meeting_consultation()
    walk = _held_walk(consultation)
    remark = paper_remark(
        consultation,
        clerk,
        channel="meeting",
        meeting_event_id=walk.pk,
        received_on=timezone.localdate(walk.starts_at),
        data=remark_input(email="", justification="Brakuje ławek przy stawie."),
    )
    assert remark.channel == Channel.MEETING
    assert remark.reference and remark.reference.startswith("UW/")
    assert remark.meeting_event_id == walk.pk
    assert remark.meeting_event_label.startswith("Spacer studyjny: Spacer badawczy po parku (")
    # it is in the register, among every other channel
    rows = list(register_rows(consultation, RegisterFilters(channel="meeting")))
    assert [row.pk for row in rows] == [remark.pk]


# What a clerk may not do (an independent list of the refusals and where they are shown).
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "error_on"),
    [
        ("no event", "meeting_event"),
        ("another consultation's event", "meeting_event"),
        ("cancelled event", "meeting_event"),
        ("received before the event", "received_on"),
    ],
)
def test_a_meeting_remark_needs_a_real_held_event_of_the_consultation(in_a, clerk, case, error_on):
    consultation = meeting_consultation()
    walk = _held_walk(consultation)
    other = _held_walk(meeting_consultation())
    received_on = timezone.localdate(walk.starts_at)
    event_id: int | None = walk.pk
    if case == "no event":
        event_id = None
    elif case == "another consultation's event":
        event_id = other.pk
    elif case == "cancelled event":
        walk.status = EventStatus.CANCELLED
        walk.save()
    elif case == "received before the event":
        received_on = received_on - timedelta(days=1)
    with pytest.raises(Exception) as refused:
        paper_remark(
            consultation,
            clerk,
            channel="meeting",
            meeting_event_id=event_id,
            received_on=received_on,
        )
    assert error_on in refused.value.message_dict
    assert not Remark.objects.filter(consultation=consultation).exists()


@pytest.mark.django_db
def test_the_database_refuses_a_meeting_remark_that_names_no_event(in_a, clerk):
    consultation = meeting_consultation()
    remark = paper_remark(consultation, clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Remark.objects.filter(pk=remark.pk).update(channel="meeting")


@pytest.mark.django_db
def test_an_event_of_another_municipality_is_not_found(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        b_walk = _held_walk(meeting_consultation())
    with schema_context(tenant_a.schema_name):
        consultation = meeting_consultation()
        clerk = staff_make("admin")
        # no event of A has B's id within this consultation (A's own walk has another id)
        with pytest.raises(Exception) as refused:
            paper_remark(consultation, clerk, channel="meeting", meeting_event_id=b_walk.pk)
        assert "meeting_event" in refused.value.message_dict


@pytest.mark.django_db
def test_the_clerk_goes_from_the_event_to_the_register_and_back(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk = staff_make("admin")
        consultation = meeting_consultation()
        walk = _held_walk(consultation)
        point = _held_walk(
            consultation, event_type=EventType.CONSULTATION_POINT, title="Punkt konsultacyjny"
        )
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, clerk, tenant_a.schema_name)

    # the consultation's panel page lists its events, each linked to its page
    detail = client.get(f"/panel/konsultacje/{consultation.pk}/").content.decode()
    assert f'href="/panel/spotkania/{walk.pk}/"' in detail
    assert f'href="/panel/spotkania/{point.pk}/"' in detail

    # the event's page links to the remark form with the event chosen
    event_page = client.get(f"/panel/spotkania/{walk.pk}/").content.decode()
    enter_url = f"/panel/konsultacje/{consultation.pk}/uwagi/nowa/?spotkanie={walk.pk}"
    assert enter_url in event_page.replace("&amp;", "&")
    form_page = client.get(enter_url)
    form = form_page.context["form"]
    assert form.initial["channel"] == "meeting"
    assert form.initial["meeting_event"] == walk.pk
    # the date of the walk is in the date field as the browser shows it (ISO)
    day = timezone.localdate(walk.starts_at).isoformat()
    assert f'value="{day}"' in form_page.content.decode()

    response = client.post(
        f"/panel/konsultacje/{consultation.pk}/uwagi/nowa/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "channel": "meeting",
            "meeting_event": str(walk.pk),
            "received_on": timezone.localdate(walk.starts_at).isoformat(),
            "justification": "Prosimy o więcej cienia na placu zabaw.",
            "author_kind": "person",
            "author_name": "Maria Nowak",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    register = client.get(f"/panel/konsultacje/{consultation.pk}/uwagi/").content.decode()
    assert "Spacer badawczy po parku" in register
    assert "Na spotkaniu konsultacyjnym" in register


@pytest.mark.django_db
def test_without_an_event_the_form_says_so_in_polish(tenant_a):
    with schema_context(tenant_a.schema_name):
        clerk = staff_make("admin")
        consultation = meeting_consultation(status=ConsultationStatus.OPEN)
    client = Client(HTTP_HOST=tenant_a.host)
    force_login(client, clerk, tenant_a.schema_name)
    response = client.post(
        f"/panel/konsultacje/{consultation.pk}/uwagi/nowa/",
        {
            "idempotency_key": str(uuid.uuid4()),
            "channel": "meeting",
            "received_on": timezone.localdate().isoformat(),
            "justification": "Uwaga bez wskazanego spotkania.",
            "author_kind": "anonymous",
        },
    )
    assert response.status_code == 200
    assert "Proszę wybrać spotkanie, na którym zgłoszono uwagę." in response.content.decode()
