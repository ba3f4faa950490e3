"""Digests through the real Celery worker: exactly one per subscriber, even when the job
is queued twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.models import Digest, Portal, PublicConsultation
from portal.selectors import token_hash
from portal.services import digest_confirm, digest_subscribe
from portal.tasks import digests_send_all
from tests.conftest import unique
from tests.subscriptions.mailbox import messages_to, text_of, wait_for_message

pytestmark = pytest.mark.live


def test_the_worker_sends_one_digest_per_subscriber_even_when_queued_twice(
    live_stack, committed_db, tenant_a
):
    # given a portal with an open consultation of its member, and two confirmed subscribers
    now = timezone.now()
    portal = Portal.objects.create(name="Metropolia Robocza", subdomain=unique("robocza-"))
    portal.members.set([tenant_a.pk])
    consultation_id = int(unique("")[:6], 16) + 10_000_000
    PublicConsultation.objects.create(
        municipality_id=tenant_a.pk,
        consultation_id=consultation_id,
        slug="skwer",
        title="Skwer przy szkole " + unique(""),
        status="open",
        legal_basis="art5a",
        municipality_kind="gmina",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
        published_at=now - timedelta(hours=2),
        url=f"http://{tenant_a.host}:{live_stack.port}/konsultacje/skwer/",
        search_text="Skwer",
    )
    addresses = [unique("czytelnik-") + "@poczta.test" for _ in range(2)]
    for address in addresses:
        subscriber = digest_subscribe(
            portal=portal,
            email=address,
            frequency="weekly",
            municipality_ids=[],
            categories=[],
            consent=True,
            member_ids=[tenant_a.pk],
        )
        Digest.objects.filter(subscriber=subscriber).delete()
        type(subscriber).objects.filter(pk=subscriber.pk).update(
            confirmation_hash=token_hash(address)
        )
        digest_confirm(token=address)
    try:
        # when the job is queued twice, as a retry or two beats would
        first, second = digests_send_all.delay(), digests_send_all.delay()
        first.get(timeout=60)
        second.get(timeout=60)
        # then each subscriber has exactly one digest, in Polish, with one-click unsubscribe
        for address in addresses:
            message = wait_for_message(live_stack, address, lambda m: True)
            assert len(messages_to(live_stack, address)) == 1
            assert "wkrótce kończące się" in message["Subject"]
            assert "Skwer przy szkole" in text_of(message)
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            assert (
                f"{portal.subdomain}.localhost:{live_stack.port}/newsletter/wypisz/"
                in message["List-Unsubscribe"]
            )
        assert Digest.objects.filter(subscriber__portal=portal, sent_at__isnull=False).count() == 2
    finally:
        portal.delete()
        PublicConsultation.objects.filter(consultation_id=consultation_id).delete()
