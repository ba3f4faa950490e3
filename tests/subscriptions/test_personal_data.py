"""Subscriptions in the resident's data export and in account deletion (RODO art. 15, 17)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.selectors import personal_data_export
from accounts.services import user_create, user_delete
from subscriptions.models import Notification, Subscription
from tests.conftest import PASSWORD, unique
from tests.subscriptions.helpers import area_make, confirmed_subscription


@pytest.fixture
def resident(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield user_create(email=unique("ola") + "@a.test", password=PASSWORD)


@pytest.mark.django_db
def test_the_export_lists_the_subscriptions_made_with_the_accounts_address(resident):
    # given a confirmed subscription of the resident's address and one of somebody else's
    area = area_make("Osiedle Słoneczne " + unique(""))
    confirmed_subscription(email=resident.email, areas=(area,))
    confirmed_subscription(email=unique("inny") + "@a.test", whole_municipality=True)

    # when
    exported = personal_data_export(user=resident)["subscriptions"]

    # then only the resident's, with the area by its name
    assert [(row["email"], row["areas"], row["whole_municipality"]) for row in exported] == [
        (resident.email, [area.name], False)
    ]
    assert exported[0]["confirmed_at"] and exported[0]["consented_at"]


@pytest.mark.django_db
def test_deleting_the_account_deletes_its_subscriptions_and_keeps_others(resident):
    # given
    own = confirmed_subscription(email=resident.email, whole_municipality=True)
    other = confirmed_subscription(email=unique("inny") + "@a.test", whole_municipality=True)

    # when
    user_delete(user=resident, password=PASSWORD)

    # then
    assert not Subscription.objects.filter(pk=own.pk).exists()
    assert not Notification.objects.filter(subscription_id=own.pk).exists()
    assert Subscription.objects.filter(pk=other.pk).exists()
