"""The yearly reminder to review the accessibility statement through the real Celery worker:
queued twice from the public schema as beat does, each municipality's admin gets it once."""

import time

import pytest
from django_tenants.utils import schema_context

from consultations.models import AccessibilityReviewReminder
from consultations.tasks import accessibility_review_remind_all
from tests.conftest import unique
from tests.subscriptions.mailbox import messages_to, text_of, wait_for_message

pytestmark = pytest.mark.live

# A March day of a year no other test uses: the reminder's row is per year.
MARCH_DAY = "2031-03-02"


def _admin(schema_name: str) -> str:
    from accounts.models import User

    email = unique("admin-dd-") + "@urzad.test"
    with schema_context(schema_name):
        User.objects.create(email=email, role="admin")
        AccessibilityReviewReminder.objects.filter(year=2031).delete()
    return email


def test_the_review_reminder_goes_once_to_each_municipality(
    live_stack, committed_db, tenant_a, tenant_b
):
    admin_a, admin_b = _admin(tenant_a.schema_name), _admin(tenant_b.schema_name)
    # when beat queues it twice (and once on a day outside March, which sends nothing)
    results = [
        accessibility_review_remind_all.delay(MARCH_DAY),
        accessibility_review_remind_all.delay(MARCH_DAY),
        accessibility_review_remind_all.delay("2031-04-02"),
    ]
    for result in results:
        assert not result.get(timeout=60)["failed"]
    # then each municipality's admin has exactly one reminder, with the link to the form
    for email, tenant in ((admin_a, tenant_a), (admin_b, tenant_b)):
        message = wait_for_message(live_stack, email, lambda m: "31 marca" in m["Subject"])
        assert tenant.name in message["Subject"]
        assert (
            f"http://{tenant.host}:{live_stack.port}/panel/ustawienia/deklaracja-dostepnosci/"
            in (text_of(message))
        )
    time.sleep(1)  # a duplicate would have arrived by now
    assert len(messages_to(live_stack, admin_a)) == 1
    assert len(messages_to(live_stack, admin_b)) == 1
    with schema_context(tenant_a.schema_name):
        reminder = AccessibilityReviewReminder.objects.get(year=2031)
        assert reminder.sent_at is not None
        reminder.delete()
    with schema_context(tenant_b.schema_name):
        AccessibilityReviewReminder.objects.filter(year=2031).delete()
