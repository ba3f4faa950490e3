"""Double opt-in: a request records a wish, only a POST from the mailed link makes it real."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from subscriptions.models import Subscription
from subscriptions.selectors import (
    subscription_get_for_confirmation,
    subscriptions_matching,
    unsubscribe_token,
)
from subscriptions.services import (
    subscription_confirm,
    subscription_request,
    subscription_unsubscribe,
    subscriptions_purge,
)
from tests.subscriptions.helpers import (
    area_make,
    category_make,
    confirmed_subscription,
    email_make,
    opened_consultation,
    pending_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_a(tenant_a):
    with schema_context(tenant_a.schema_name):
        yield tenant_a


def test_a_request_stores_the_choice_as_pending_and_follows_nothing_yet(in_a):
    # given
    area = area_make()
    # when
    result = subscription_request(
        email="  Jan.Kowalski@Poczta.TEST ",
        whole_municipality=False,
        area_ids=[area.pk],
        category_ids=[],
        consent=True,
    )
    # then
    subscription = Subscription.objects.get(pk=result.subscription.pk)
    assert subscription.email == "jan.kowalski@poczta.test"
    assert subscription.confirmed_at is None
    assert subscription.area_ids == []
    assert subscription.pending_area_ids == [area.pk]
    assert subscription.confirmation_hash
    assert subscription.consented_at is not None
    assert result.confirmed_now is False


def test_confirming_applies_the_choice_once(in_a):
    # given
    area = area_make()
    result = subscription_request(
        email=email_make(),
        whole_municipality=False,
        area_ids=[area.pk],
        category_ids=[],
        consent=True,
    )
    token = pending_token(result.subscription)
    # when
    subscription = subscription_confirm(token=token)
    # then
    assert subscription.confirmed_at is not None
    assert subscription.area_ids == [area.pk]
    assert subscription.pending_area_ids == []
    # and the link is used up
    with pytest.raises(ValidationError):
        subscription_confirm(token=token)


def test_a_confirmation_link_expires_after_seven_days(in_a):
    # given a request made eight days ago
    result = subscription_request(
        email=email_make(),
        whole_municipality=True,
        area_ids=[],
        category_ids=[],
        consent=True,
        now=timezone.now() - timedelta(days=8),
    )
    token = pending_token(result.subscription)
    # then
    assert subscription_get_for_confirmation(token=token) is None
    with pytest.raises(ValidationError):
        subscription_confirm(token=token)
    assert Subscription.objects.get(pk=result.subscription.pk).confirmed_at is None


def test_unconfirmed_subscriptions_are_purged_after_seven_days(in_a):
    # given one old unconfirmed, one fresh unconfirmed and one old confirmed subscription
    old = subscription_request(
        email=email_make(),
        whole_municipality=True,
        area_ids=[],
        category_ids=[],
        consent=True,
        now=timezone.now() - timedelta(days=8),
    ).subscription
    fresh = subscription_request(
        email=email_make(), whole_municipality=True, area_ids=[], category_ids=[], consent=True
    ).subscription
    confirmed = confirmed_subscription(whole_municipality=True)
    Subscription.objects.filter(pk=confirmed.pk).update(
        confirmation_sent_at=timezone.now() - timedelta(days=8)
    )
    # when
    deleted = subscriptions_purge()
    # then
    assert deleted == 1
    assert not Subscription.objects.filter(pk=old.pk).exists()
    assert Subscription.objects.filter(pk__in=[fresh.pk, confirmed.pk]).count() == 2


def test_subscribing_the_same_address_again_updates_the_one_row(in_a):
    # given a confirmed subscription to an area
    first, second = area_make(), category_make()
    subscription = confirmed_subscription(email="anna@poczta.test", areas=(first,))
    # when the same address (typed differently) asks for a category instead
    again = subscription_request(
        email="ANNA@poczta.test",
        whole_municipality=False,
        area_ids=[],
        category_ids=[second.pk],
        consent=True,
        now=timezone.now() + timedelta(minutes=5),
    )
    # then there is still one row; the old choice stays until the new one is confirmed
    assert again.subscription.pk == subscription.pk
    assert Subscription.objects.filter(email="anna@poczta.test").count() == 1
    row = Subscription.objects.get(pk=subscription.pk)
    assert row.area_ids == [first.pk] and row.category_ids == []
    assert row.pending_category_ids == [second.pk]
    # when confirmed
    subscription_confirm(token=pending_token(row))
    row.refresh_from_db()
    assert row.area_ids == [] and row.category_ids == [second.pk]


def test_the_database_refuses_a_second_row_for_one_address(in_a):
    from django.db import IntegrityError, transaction

    confirmed_subscription(email="ola@poczta.test", whole_municipality=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            email="ola@poczta.test", consented_at=timezone.now(), unsubscribe_key="x"
        )


def test_the_database_refuses_an_address_not_lower_cased(in_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Subscription.objects.create(
            email="Ola@poczta.test", consented_at=timezone.now(), unsubscribe_key="x"
        )


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"email": "nie-adres"}, "email"),
        ({"whole_municipality": False}, "__all__"),
        ({"consent": False}, "consent"),
        ({"area_ids": [987654321]}, "areas"),
        ({"category_ids": [987654321]}, "categories"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(in_a, fields, error_field):
    # given
    values = {
        "email": email_make(),
        "whole_municipality": True,
        "area_ids": [],
        "category_ids": [],
        "consent": True,
        **fields,
    }
    before = Subscription.objects.count()
    # when / then
    with pytest.raises(ValidationError) as caught:
        subscription_request(**values)
    assert error_field in caught.value.message_dict
    assert Subscription.objects.count() == before


def test_a_signed_in_resident_subscribing_their_verified_address_is_confirmed_at_once(in_a):
    from accounts.services import user_create
    from tests.conftest import PASSWORD

    # given a resident whose address allauth knows as verified
    user = user_create(email=email_make("konto"), password=PASSWORD)
    area = area_make()
    # when
    result = subscription_request(
        email=user.email,
        whole_municipality=False,
        area_ids=[area.pk],
        category_ids=[],
        consent=True,
        user=user,
    )
    # then
    assert result.confirmed_now is True
    row = Subscription.objects.get(pk=result.subscription.pk)
    assert row.confirmed_at is not None and row.user_id == user.pk and row.area_ids == [area.pk]


def test_a_signed_in_resident_subscribing_another_address_still_confirms_by_mail(in_a):
    from accounts.services import user_create
    from tests.conftest import PASSWORD

    user = user_create(email=email_make("konto"), password=PASSWORD)
    result = subscription_request(
        email=email_make("inny"),
        whole_municipality=True,
        area_ids=[],
        category_ids=[],
        consent=True,
        user=user,
    )
    assert result.confirmed_now is False
    assert Subscription.objects.get(pk=result.subscription.pk).confirmed_at is None


def test_unsubscribing_deletes_the_subscription_and_repeating_it_is_harmless(in_a):
    # given
    subscription = confirmed_subscription(whole_municipality=True)
    token = unsubscribe_token(subscription)
    # when
    first = subscription_unsubscribe(token=token)
    second = subscription_unsubscribe(token=token)
    # then
    assert first is True and second is True
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_a_forged_unsubscribe_token_deletes_nothing(in_a):
    subscription = confirmed_subscription(whole_municipality=True)
    token = unsubscribe_token(subscription)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert subscription_unsubscribe(token=forged) is False
    assert subscription_unsubscribe(token=f"{subscription.pk}.x") is False
    assert Subscription.objects.filter(pk=subscription.pk).exists()


# --- Matching -------------------------------------------------------------------------------

# (what the subscriber follows, what the consultation is about, notified?)
MATCHING = [
    ("whole", "nothing", True),
    ("whole", "area1", True),
    ("whole", "cat1", True),
    ("area1", "area1", True),
    ("area1", "area1+area2", True),
    ("area1", "area2", False),
    ("area1", "nothing", False),
    ("area1", "cat1", False),
    ("cat1", "cat1", True),
    ("cat1", "cat2", False),
    ("cat1", "area1+cat1", True),
    ("area1+cat1", "area2+cat1", True),
    ("area1+cat1", "area1+cat2", True),
    ("area1+cat1", "area2+cat2", False),
]


@pytest.mark.parametrize(("follows", "about", "matches"), MATCHING)
def test_matching_by_areas_categories_and_whole_municipality(in_a, follows, about, matches):
    # given two areas and two categories
    objects = {
        "area1": area_make(),
        "area2": area_make(),
        "cat1": category_make(),
        "cat2": category_make(),
    }

    def pick(spec: str, prefix: str) -> tuple:
        return tuple(objects[p] for p in spec.split("+") if p.startswith(prefix))

    subscription = confirmed_subscription(
        whole_municipality=follows == "whole",
        areas=pick(follows, "area"),
        categories=pick(follows, "cat"),
    )
    consultation = opened_consultation(areas=pick(about, "area"), categories=pick(about, "cat"))
    # when
    found = subscriptions_matching(consultation, before=timezone.now())
    # then
    assert (subscription in found) is matches


def test_unconfirmed_subscriptions_never_match(in_a):
    subscription_request(
        email=email_make(), whole_municipality=True, area_ids=[], category_ids=[], consent=True
    )
    consultation = opened_consultation()
    assert not subscriptions_matching(consultation, before=timezone.now()).exists()


def test_a_second_request_within_two_minutes_sends_no_second_mail(
    in_a, django_capture_on_commit_callbacks
):
    # given
    email = email_make()
    now = timezone.now()
    # when the form is sent three times: twice at once, once three minutes later
    with django_capture_on_commit_callbacks() as callbacks:
        for moment in (now, now + timedelta(seconds=30), now + timedelta(minutes=3)):
            subscription_request(
                email=email,
                whole_municipality=True,
                area_ids=[],
                category_ids=[],
                consent=True,
                now=moment,
            )
    # then two confirmation mails were queued, and there is one row
    assert len(callbacks) == 2
    assert Subscription.objects.filter(email=email).count() == 1


def test_the_purge_task_runs_in_every_active_municipality(tenant_a, tenant_b):
    from subscriptions.tasks import subscriptions_purge_all

    # given an expired unconfirmed subscription in A and in B
    emails = {}
    for tenant in (tenant_a, tenant_b):
        with schema_context(tenant.schema_name):
            emails[tenant.schema_name] = subscription_request(
                email=email_make(),
                whole_municipality=True,
                area_ids=[],
                category_ids=[],
                consent=True,
                now=timezone.now() - timedelta(days=8),
            ).subscription.email
    # when
    done = subscriptions_purge_all()
    # then
    for tenant in (tenant_a, tenant_b):
        assert done["results"].get(tenant.schema_name, 0) >= 1
        with schema_context(tenant.schema_name):
            assert not Subscription.objects.filter(email=emails[tenant.schema_name]).exists()
