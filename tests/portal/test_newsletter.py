"""The portal newsletter: double opt-in, one-click unsubscribe, one digest per period."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from portal.models import Digest, DigestSubscriber, Portal
from portal.selectors import portal_hosts_forget, token_hash, unsubscribe_token
from portal.services import (
    digest_confirm,
    digest_subscribe,
    digests_deliver,
    digests_plan,
)
from tests.conftest import unique
from tests.portal.test_search import entry

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def metro(tenant_a):
    portal = Portal.objects.create(name="Metropolia Testowa", subdomain=unique("metro-"))
    portal.members.set([tenant_a.pk])
    portal_hosts_forget()
    return portal


def subscribe(portal, email, *, municipality_ids=(), categories=(), frequency="weekly"):
    subscriber = digest_subscribe(
        portal=portal,
        email=email,
        frequency=frequency,
        municipality_ids=municipality_ids,
        categories=categories,
        consent=True,
        member_ids=[m.pk for m in portal.members.all()],
    )
    return subscriber


def confirmed(portal, email, **kw):
    subscriber = subscribe(portal, email, **kw)
    token = "t-" + unique("")
    DigestSubscriber.objects.filter(pk=subscriber.pk).update(confirmation_hash=token_hash(token))
    return digest_confirm(token=token)


def test_a_request_follows_nothing_until_the_link_is_confirmed_once(metro, tenant_a):
    subscriber = subscribe(metro, " Ala@Poczta.TEST ", municipality_ids=[tenant_a.pk])
    assert subscriber.email == "ala@poczta.test"
    assert subscriber.confirmed_at is None and subscriber.municipality_ids == []
    token = "known-token"
    DigestSubscriber.objects.filter(pk=subscriber.pk).update(confirmation_hash=token_hash(token))
    # opening the link (GET) confirms nothing: mail scanners open links
    host = f"{metro.subdomain}.localhost"
    page = Client(HTTP_HOST=host).get(f"/newsletter/potwierdz/{token}/")
    assert page.status_code == 200
    assert DigestSubscriber.objects.get(pk=subscriber.pk).confirmed_at is None
    # the button (POST) does
    assert Client(HTTP_HOST=host).post(f"/newsletter/potwierdz/{token}/").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.confirmed_at is not None
    assert subscriber.municipality_ids == [tenant_a.pk]
    # and only once
    with pytest.raises(ValidationError):
        digest_confirm(token=token)


def test_another_portals_municipality_and_bad_input_are_refused_and_nothing_saved(metro, tenant_b):
    with pytest.raises(ValidationError) as refused:
        subscribe(metro, "ola@poczta.test", municipality_ids=[tenant_b.pk])
    assert "municipalities" in refused.value.message_dict
    with pytest.raises(ValidationError):
        digest_subscribe(
            portal=metro,
            email="nie-adres",
            frequency="hourly",
            municipality_ids=[],
            categories=[],
            consent=False,
            member_ids=[],
        )
    assert not DigestSubscriber.objects.filter(portal=metro).exists()


def test_the_form_answers_in_polish_and_saves_nothing_on_bad_input(metro):
    response = Client(HTTP_HOST=f"{metro.subdomain}.localhost").post(
        "/newsletter/", {"email": "zly", "frequency": "weekly"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Prosimy poprawić" in html or "poprawny adres e-mail" in html
    assert not DigestSubscriber.objects.filter(portal=metro).exists()


def test_one_click_unsubscribe_deletes_the_address_without_a_cookie(metro):
    subscriber = confirmed(metro, "ela@poczta.test")
    token = unsubscribe_token(subscriber)
    client = Client(HTTP_HOST=f"{metro.subdomain}.localhost", enforce_csrf_checks=True)
    response = client.post(f"/newsletter/wypisz/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not DigestSubscriber.objects.filter(pk=subscriber.pk).exists()
    # a forged token changes nothing and says so
    assert client.post("/newsletter/wypisz/1.x:forged/").status_code == 404


def test_planning_twice_records_one_digest_per_subscriber_and_period(metro):
    first = confirmed(metro, "a@poczta.test")
    second = confirmed(metro, "b@poczta.test", frequency="daily")
    subscribe(metro, "unconfirmed@poczta.test")
    digests_plan(now=NOW)
    digests_plan(now=NOW)
    assert Digest.objects.filter(subscriber=first).count() == 1
    assert Digest.objects.filter(subscriber=second).count() == 1
    assert Digest.objects.filter(subscriber__email="unconfirmed@poczta.test").count() == 0
    # a new day is a new period for the daily one only (the weekly one waits for Monday)
    tomorrow = NOW + timedelta(days=1)
    digests_plan(now=tomorrow)
    assert Digest.objects.filter(subscriber=second).count() == 2
    expected_weekly = 2 if tomorrow.date().weekday() == 0 else 1
    assert Digest.objects.filter(subscriber=first).count() == expected_weekly


def test_a_digest_lists_new_and_closing_consultations_of_the_chosen_members(
    metro, tenant_a, tenant_b, mailoutbox
):
    a, b = tenant_a.pk, tenant_b.pk
    entry(a, 101, title="Nowy skwer", categories=["Zieleń"], published_at=NOW - timedelta(days=1))
    entry(
        a,
        102,
        title="Kończące się",
        published_at=NOW - timedelta(days=30),
        ends_at=NOW + timedelta(days=2),
    )
    entry(
        a,
        103,
        title="Stare i długie",
        published_at=NOW - timedelta(days=30),
        ends_at=NOW + timedelta(days=60),
    )
    entry(b, 104, title="Spoza portalu", published_at=NOW - timedelta(days=1))
    subscriber = confirmed(metro, "czytelnik@poczta.test")
    digests_plan(now=NOW)
    assert digests_deliver(now=NOW) == 1
    assert digests_deliver(now=NOW) == 0  # sent once; a second run finds nothing
    [mail] = mailoutbox
    assert mail.to == ["czytelnik@poczta.test"]
    assert "Nowy skwer" in mail.body and "Kończące się" in mail.body
    assert "Stare i długie" not in mail.body and "Spoza portalu" not in mail.body
    assert "http://x.localhost:8000/konsultacje/k-101/" in mail.body
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_token(subscriber).split(":")[0] in mail.extra_headers["List-Unsubscribe"]
    assert Digest.objects.get(subscriber=subscriber).sent_at is not None


def test_a_period_with_nothing_to_tell_sends_nothing_and_is_done(metro, mailoutbox):
    subscriber = confirmed(metro, "cisza@poczta.test")
    digests_plan(now=NOW)
    digests_deliver(now=NOW)
    assert mailoutbox == []
    assert Digest.objects.get(subscriber=subscriber).sent_at is not None
