"""The demo shows meetings: every demo consultation has events, held ones with attendance,
and the consultation's staff page and residents' schedule list them."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from consultations.models import Consultation, ConsultationStatus
from meetings.models import Event
from tests.conftest import force_login
from tests.consultations.factories import staff_make

# (consultation, event types it shows): written out from the demo's story, not read from it.
EXPECTED = {
    "Rewitalizacja rynku w Dębnie": {"meeting", "study_walk", "consultation_point"},
    "Program współpracy z organizacjami pozarządowymi na 2027 rok": {"meeting"},
    "Plac zabaw w Cychrach": {"meeting"},
}


@pytest.mark.django_db
def test_the_demo_has_events_and_the_panel_and_schedule_show_them(tenant_b):
    from platform_site.demo import demo_consultations_load

    with schema_context(tenant_b.schema_name):
        admin = staff_make("admin")
        demo_consultations_load(subdomain="debno", admin=admin)
        for title, types in EXPECTED.items():
            events = Event.objects.filter(consultation__title=title)
            assert set(events.values_list("event_type", flat=True)) == types, title
        # an event already held carries its attendance (for the report)
        closed = Consultation.objects.get(status=ConsultationStatus.CLOSED)
        assert closed.meeting_events.get().attendance == 21
        market = Consultation.objects.get(title="Rewitalizacja rynku w Dębnie")
    client = Client(HTTP_HOST=tenant_b.host)
    force_login(client, admin, tenant_b.schema_name)
    panel = client.get(f"/panel/konsultacje/{market.pk}/").content.decode()
    assert "Spacer studyjny" in panel and "Punkt konsultacyjny w bibliotece" in panel
    schedule = Client(HTTP_HOST=tenant_b.host).get(f"/konsultacje/{market.slug}/spotkania/")
    assert schedule.status_code == 200
    assert "Spacer studyjny" in schedule.content.decode()


@pytest.mark.django_db
def test_each_open_demo_consultation_has_a_survey_a_resident_can_answer(tenant_b):
    # given: the demo loaded (its survey form was once linked to a survey with no questions,
    # and the link answered 404)
    from platform_site.demo import demo_consultations_load

    with schema_context(tenant_b.schema_name):
        admin = staff_make("admin")
        demo_consultations_load(subdomain="debno", admin=admin)
        slugs = list(
            Consultation.objects.filter(status=ConsultationStatus.OPEN).values_list(
                "slug", flat=True
            )
        )
    assert len(slugs) == 2
    client = Client(HTTP_HOST=tenant_b.host)
    for slug in slugs:
        # when
        detail = client.get(f"/konsultacje/{slug}/").content.decode()
        answer = client.get(f"/konsultacje/{slug}/ankieta/")

        # then
        assert f'href="/konsultacje/{slug}/ankieta/"' in detail
        assert answer.status_code == 200
        assert "Czy zapoznali się Państwo z projektem?" in answer.content.decode()
