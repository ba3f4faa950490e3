"""Reports through the real Celery worker: the deadline reminders 7 days and 1 day before,
each exactly once even when the task runs twice; the "report published" mail, one to each
address (subscribers and participants alike) with a way to unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from consultations.models import Consultation, ConsultationStatus
from remarks.models import Remark
from reports import services
from reports.models import ReportMail, ReportReminder
from reports.tasks import report_reminders_send_all
from subscriptions.models import Subscription
from tests.conftest import unique
from tests.consultations.factories import consultation_in_state, department_make, staff_make
from tests.reports.helpers import remarks_seed
from tests.subscriptions.mailbox import messages_to, text_of, wait_for_message

pytestmark = pytest.mark.live


def _closed(days_ago: int, coordinator) -> Consultation:
    consultation = consultation_in_state(
        ConsultationStatus.CLOSED,
        department=department_make(coordinators=(coordinator,)),
        rules_snapshot={"report_deadline_days": 30, "report_article": "§ 9"},
    )
    closed = timezone.now() - timedelta(days=days_ago)
    Consultation.objects.filter(pk=consultation.pk).update(closed_at=closed)
    consultation.refresh_from_db()
    return consultation


def _run_twice() -> None:
    # as beat would, twice at once, from the public schema
    first = report_reminders_send_all.delay()
    second = report_reminders_send_all.delay()
    first.get(timeout=60)
    second.get(timeout=60)


def test_the_reminders_go_seven_days_and_one_day_before_each_exactly_once(
    live_stack, committed_db, tenant_a
):
    # given a consultation whose report is due in 7 days (closed 23 days ago, 30-day deadline)
    # and one due in 20 days
    email = unique("koordynator-") + "@urzad.test"
    quiet_email = unique("spokojny-") + "@urzad.test"
    with schema_context(tenant_a.schema_name):
        coordinator = staff_make("coordinator")
        coordinator.email = email
        coordinator.save()
        quiet = staff_make("coordinator")
        quiet.email = quiet_email
        quiet.save()
        due_soon = _closed(23, coordinator)
        _closed(10, quiet)
    # when the task runs twice
    _run_twice()
    # then the coordinator has one reminder naming the day, and nobody else has any
    message = wait_for_message(
        live_stack, email, lambda m: "termin publikacji raportu" in m["Subject"]
    )
    assert due_soon.title in text_of(message)
    assert "pozostało dni: 7" in text_of(message)
    _run_twice()
    assert len(messages_to(live_stack, email)) == 1
    assert messages_to(live_stack, quiet_email) == []
    # when the deadline is a day away (the consultation closed 29 days ago)
    with schema_context(tenant_a.schema_name):
        Consultation.objects.filter(pk=due_soon.pk).update(
            closed_at=timezone.now() - timedelta(days=29)
        )
    _run_twice()
    wait_for_message(live_stack, email, lambda m: "pozostało dni: 1" in text_of(m))
    _run_twice()
    # then exactly two reminders in all, one per lead time
    assert len(messages_to(live_stack, email)) == 2
    with schema_context(tenant_a.schema_name):
        assert sorted(
            ReportReminder.objects.filter(consultation=due_soon).values_list(
                "days_before", flat=True
            )
        ) == [1, 7]


def test_publishing_mails_each_subscriber_and_participant_once_with_an_unsubscribe_link(
    live_stack, committed_db, tenant_a
):
    # given participants who left e-mails (one of them also a subscriber, one gave it twice)
    both = unique("oboje-") + "@poczta.test"
    participant = unique("uczestnik-") + "@poczta.test"
    subscriber = unique("subskrybent-") + "@poczta.test"
    with schema_context(tenant_a.schema_name):
        admin = staff_make("admin")
        consultation = consultation_in_state(ConsultationStatus.CLOSED)
        remarks = remarks_seed(
            consultation, count=6, drafter=staff_make("coordinator"), approver=admin
        )
        for remark, address in zip(
            remarks, [both, participant, both, "", participant, ""], strict=True
        ):
            Remark.objects.filter(pk=remark.pk).update(email=address)
        for address in (both, subscriber):
            Subscription.objects.create(
                email=address,
                whole_municipality=True,
                consented_at=timezone.now() - timedelta(days=2),
                confirmed_at=timezone.now() - timedelta(days=1),
                unsubscribe_key=unique("k"),
            )
        # when the report is published
        version = services.report_publish(acting_user=admin, consultation_id=consultation.pk)
    # then each address gets one mail with the report's link and a way to unsubscribe
    for address in (both, participant, subscriber):
        message = wait_for_message(
            live_stack, address, lambda m: "opublikowano raport" in m["Subject"], seconds=60
        )
        body = text_of(message)
        assert f"/konsultacje/{consultation.slug}/raport/" in body
        assert message["List-Unsubscribe"]
        link = re.search(r"http://\S+/(?:raport/wypisz|subskrypcje)\S*", body)
        assert link is not None
    with schema_context(tenant_a.schema_name):
        assert ReportMail.objects.filter(version=version, sent_at__isnull=False).count() == 3
    for address in (both, participant, subscriber):
        assert len(messages_to(live_stack, address)) == 1
