"""The notification task through the real Celery worker, with mail written to files."""

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from subscriptions.models import Notification
from subscriptions.tasks import notifications_send_all
from tests.subscriptions.helpers import area_make, confirmed_subscription, opened_consultation
from tests.subscriptions.mailbox import messages_to, text_of, wait_for_message

pytestmark = pytest.mark.live


def test_the_worker_mails_each_subscriber_once_even_when_the_task_is_queued_twice(
    live_stack, committed_db, tenant_a
):
    # given a subscriber of a new area and a consultation opened there
    with schema_context(tenant_a.schema_name):
        area = area_make()
        subscription = confirmed_subscription(areas=(area,))
        consultation = opened_consultation(areas=(area,), opened_at=timezone.now())
    # when the beat task is queued twice (from the public schema, as beat does)
    first = notifications_send_all.delay()
    second = notifications_send_all.delay()
    first.get(timeout=60)
    second.get(timeout=60)
    # then exactly one mail, in Polish, with the one-click headers, on A's host
    message = wait_for_message(live_stack, subscription.email, lambda m: True)
    assert len(messages_to(live_stack, subscription.email)) == 1
    assert "rozpoczęły się konsultacje" in message["Subject"]
    body = text_of(message)
    assert f"http://{tenant_a.host}:{live_stack.port}/konsultacje/{consultation.slug}/" in body
    assert (
        message["List-Unsubscribe"]
        .strip()
        .startswith(f"<http://{tenant_a.host}:{live_stack.port}/")
    )
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with schema_context(tenant_a.schema_name):
        assert (
            Notification.objects.filter(subscription=subscription, sent_at__isnull=False).count()
            == 1
        )
