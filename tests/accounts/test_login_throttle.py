"""Sign-in throttling behind the shipped nginx: every request reaches Django from the proxy's
address, so the client's address is the one the proxy forwards, trusted exactly as many hops
as the deployment says. One visitor's failures slow that visitor down; they neither lock out
everyone behind the proxy nor the account's owner signing in from elsewhere."""

import random

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.services import user_create
from tests.conftest import PASSWORD, unique

PROXY = "127.0.0.1"  # nginx on the same host: every request's REMOTE_ADDR
TOO_MANY = "Zbyt wiele nieudanych prób logowania"


def visitor() -> str:
    """A fresh documentation address (RFC 5737), so runs never share a throttle."""
    return f"198.51.{random.randint(0, 255)}.{random.randint(1, 254)}"


def sign_in(host: str, email: str, password: str, forwarded_for: str):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    return client.post("/konto/login/", {"login": email, "password": password})


@pytest.fixture
def account(tenant_a):
    email = unique("mieszkanka") + "@a.test"
    with schema_context(tenant_a.schema_name):
        user_create(email=email, password=PASSWORD)
    return email


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


@pytest.mark.django_db
def test_one_visitors_failures_do_not_lock_out_the_municipality(
    tenant_a, account, behind_one_proxy
):
    # given one visitor who fails eleven times, on eleven addresses
    attacker = visitor()
    for _ in range(11):
        sign_in(tenant_a.host, unique("nikt") + "@a.test", "zle-haslo-123", attacker)
    # then another resident behind the same proxy still signs in
    response = sign_in(tenant_a.host, account, PASSWORD, visitor())
    assert response.status_code == 302, response.content.decode()[:2000]


@pytest.mark.django_db
def test_failures_on_an_account_slow_that_visitor_but_never_lock_out_its_owner(
    tenant_a, account, behind_one_proxy
):
    attacker = visitor()
    # given a visitor who keeps guessing one resident's password
    for _ in range(6):
        failed = sign_in(tenant_a.host, account, "zle-haslo-123", attacker)
    # then that visitor is slowed down: even the right password is refused for a while
    assert TOO_MANY in failed.content.decode()
    refused = sign_in(tenant_a.host, account, PASSWORD, attacker)
    assert refused.status_code != 302
    # and the owner, from their own address, signs in all the same
    owner = sign_in(tenant_a.host, account, PASSWORD, visitor())
    assert owner.status_code == 302, owner.content.decode()[:2000]


@pytest.mark.django_db
def test_without_a_trusted_proxy_a_forged_forwarded_address_changes_nothing(tenant_a, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    email = unique("nikt") + "@a.test"
    client_address = visitor()
    # a client that sends a new X-Forwarded-For with every try
    statuses = []
    for _ in range(7):
        client = Client(
            HTTP_HOST=tenant_a.host,
            REMOTE_ADDR=client_address,
            HTTP_X_FORWARDED_FOR=visitor(),
        )
        response = client.post("/konto/login/", {"login": email, "password": "zle-haslo-123"})
        statuses.append(TOO_MANY in response.content.decode())
    # is still throttled as one address
    assert statuses[-1] is True
