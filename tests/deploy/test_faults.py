"""Faults survived (issue 13): PostgreSQL and Redis stopped under the production stack.

The whole production shape runs (platform_site/deploystack.py: nginx over verified TLS,
gunicorn, a Celery worker and beat, production settings), but it reaches PostgreSQL and Redis
through a proxy that can be switched off (tests/faults.py): off cuts every open connection
and refuses new ones, exactly what a stopped server means to a client, without stopping the
servers the rest of the test run shares. Nothing of ours is mocked.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from tests.billing.stripe_fake import WEBHOOK_SECRET, event_make, signed
from tests.conftest import PASSWORD, VAR, tenant_make, unique
from tests.e2e.test_billing_order import sign_in
from tests.faults import SwitchableProxy
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.browser, pytest.mark.live]

APEX = "konsulta.localhost"
# The broker and cache database of this stack alone: no other worker of the test run
# (the session's live stack) consumes its queue.
REDIS_DB = 11
UNAVAILABLE = "Serwis jest chwilowo niedostępny".encode()


@pytest.fixture(scope="module")
def proxies():
    from django.conf import settings
    from django.db import connection
    from redis.connection import parse_url

    pg = SwitchableProxy(int(connection.settings_dict["PORT"] or 5432))
    redis = SwitchableProxy(int(parse_url(settings.REDIS_URL).get("port", 6379)))
    pg.start()
    redis.start()
    yield pg, redis
    pg.stop()
    redis.stop()


@pytest.fixture(scope="module")
def sink():
    server = SmtpSink()
    yield server
    server.close()


@pytest.fixture(scope="module")
def stack(proxies, sink, django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import connection

    from platform_site.deploystack import nginx_binary, production_stack

    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx missing: `make test` installs it (make deploy-deps)")
        pytest.skip("nginx missing: run `make deploy-deps`")
    pg, redis = proxies
    db = connection.settings_dict
    with (
        django_db_blocker.unblock(),
        production_stack(
            VAR / "faults",
            database_url=f"postgres://{db['USER']}@127.0.0.1:{pg.port}/{db['NAME']}",
            redis_url=f"redis://127.0.0.1:{redis.port}/{REDIS_DB}",
            media_root=Path(settings.MEDIA_ROOT),
            apex=APEX,
            extra_env={
                "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
                # Mail goes out over SMTP, to a server that can hold a delivery.
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink.port),
            },
        ) as running,
    ):
        yield running


@pytest.fixture
def municipality(stack, committed_db, settings):
    settings.PLATFORM_DOMAIN = APEX
    return tenant_make(unique("flt-"), "Gmina Awaryjna")


def timed_get(stack, host, path):
    started = time.monotonic()
    status, headers, body = stack.https(host, path)
    return status, headers, body, time.monotonic() - started


def wait_until_status(stack, host, path, status, seconds=20):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        last = stack.https(host, path)[0]
        if last == status:
            return
        time.sleep(0.3)
    raise AssertionError(f"{host}{path} answered {last}, not {status}, for {seconds} s")


def queue_notifications(stack, times=1):
    """What beat does every few minutes, on this stack's own broker database."""
    from platform_site.celery import app

    with app.connection_for_write(stack.env["REDIS_URL"]) as connection:
        for _ in range(times):
            app.send_task("subscriptions.tasks.notifications_send_all", connection=connection)


def wait_for_every_address(sink, addresses, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(sink.to(a) for a in addresses):
        time.sleep(0.3)
    time.sleep(2)  # a doubled mail would have arrived by now


def test_postgresql_stopped_every_page_is_a_polish_503_within_two_seconds_and_it_recovers(
    stack, proxies, municipality
):
    from tests.consultations.factories import consultation_in_state

    pg, _redis = proxies
    with schema_context(municipality.schema_name):
        consultation = consultation_in_state("open", title="Nowe nasadzenia drzew")
    pages = ["/", "/konsultacje/", f"/konsultacje/{consultation.slug}/", "/konto/login/"]
    pids = {name: p.pid for name, p in stack.processes.items()}
    for path in pages:
        assert stack.https(municipality.host, path)[0] == 200, path

    pg.stop()
    try:
        for path in pages:
            status, headers, body, seconds = timed_get(stack, municipality.host, path)
            assert status == 503, (path, status)
            assert UNAVAILABLE in body and b'lang="pl"' in body, body[:300]
            assert headers["Retry-After"] == "30"
            assert b"Traceback" not in body
            assert seconds < 2, (path, seconds)
        status, _headers, body, seconds = timed_get(stack, municipality.host, "/healthz")
        assert status == 503 and b'"postgresql"' in body and seconds < 2
    finally:
        pg.start()

    # Back by itself: the same processes, no restart.
    for path in pages:
        wait_until_status(stack, municipality.host, path, 200)
    assert {name: p.pid for name, p in stack.processes.items()} == pids
    assert all(p.poll() is None for p in stack.processes.values())


def test_a_webhook_while_the_database_is_down_is_retried_by_stripe_and_applied_once(
    stack, proxies, committed_db
):
    from billing.models import StripeEvent

    pg, _redis = proxies
    payload = event_make("customer.created", {"id": unique("cus_"), "object": "customer"})
    body, header = signed(payload)

    def deliver() -> int:
        connection = stack.connection(APEX)  # verified TLS through nginx
        try:
            connection.request(
                "POST",
                "/stripe/webhook/",
                body=body,
                headers={"Content-Type": "application/json", "Stripe-Signature": header},
            )
            return connection.getresponse().status
        finally:
            connection.close()

    pg.stop()
    try:
        # Anything but 2xx makes Stripe deliver it again later; nothing was stored.
        assert deliver() == 503
    finally:
        pg.start()
    assert not StripeEvent.objects.filter(event_id=payload["id"]).exists()
    deadline = time.monotonic() + 20
    status = deliver()
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.3)
        status = deliver()
    assert status == 200
    assert deliver() == 200  # Stripe's duplicate delivery
    assert StripeEvent.objects.filter(event_id=payload["id"]).count() == 1


def test_redis_stopped_while_a_coordinator_schedules_the_request_succeeds_and_each_subscriber_gets_one_mail(
    stack, proxies, sink, municipality, browser
):
    from consultations.models import Consultation, ConsultationStatus
    from consultations.services import consultation_payment_clear
    from subscriptions.models import Notification
    from tests.consultations.factories import consultation_in_state
    from tests.subscriptions.helpers import confirmed_subscription

    _pg, redis = proxies
    coordinator = unique("koord") + "@awaria.test"
    with schema_context(municipality.schema_name):
        user_create(email=coordinator, password=PASSWORD, role="admin")
        consultation = consultation_in_state("ordered", title="Plan ścieżek rowerowych")
        consultation_payment_clear(consultation_id=consultation.pk, reference="pi_faults")
        subscribers = [
            confirmed_subscription(email=unique(f"m{n}-") + "@poczta.test", whole_municipality=True)
            for n in range(3)
        ]

    chromium = browser.browser_type.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        args=[
            "--no-sandbox",
            f"--ignore-certificate-errors-spki-list={stack.certs.ca_spki_sha256}",
        ],
    )
    try:
        page = chromium.new_context(locale="pl-PL").new_page()
        page.set_default_timeout(15000)
        sign_in(page, stack.url(municipality.host, "/konto/login/"), coordinator)
        page.get_by_role("heading", name="Panel urzędu").wait_for()
        page.goto(stack.url(municipality.host, f"/panel/konsultacje/{consultation.pk}/"))

        redis.stop()
        try:
            response_statuses: list[int] = []
            page.on("response", lambda r: response_statuses.append(r.status))
            page.get_by_role("button", name="Zaplanuj konsultacje").click()
            page.get_by_text("Konsultacje zostały zaplanowane").first.wait_for()
            assert all(status < 500 for status in response_statuses), response_statuses
            with schema_context(municipality.schema_name):
                assert (
                    Consultation.objects.get(pk=consultation.pk).status
                    == ConsultationStatus.SCHEDULED
                )
        finally:
            redis.start()
    finally:
        chromium.close()

    # Redis is back: the worker reconnects by itself; the beat job's task (queued here on this
    # stack's own broker database) mails every subscriber, twice queued, once delivered.
    queue_notifications(stack, times=2)
    wait_for_every_address(sink, [s.email for s in subscribers])
    for subscription in subscribers:
        mails = sink.to(subscription.email)
        assert len(mails) == 1, (subscription.email, len(mails))
        assert "Plan ścieżek rowerowych" in mails[0]["Subject"]
    with schema_context(municipality.schema_name):
        assert Notification.objects.filter(
            subscription__in=[s.pk for s in subscribers], sent_at__isnull=False
        ).count() == len(subscribers)


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (Celery's prefork pool runs tasks in children)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            found.extend(process_tree(int(child)))
    return found


def test_the_worker_killed_in_the_middle_of_a_notification_batch_loses_and_doubles_nothing(
    stack, sink, municipality
):
    from platform_site.deploystack import BIN, ROOT
    from subscriptions.models import Notification
    from tests.subscriptions.helpers import confirmed_subscription, opened_consultation

    with schema_context(municipality.schema_name):
        subscribers = [
            confirmed_subscription(email=unique(f"k{n}-") + "@poczta.test", whole_municipality=True)
            for n in range(12)
        ]
        opened_consultation(title="Budżet obywatelski – zasady")
    addresses = [s.email for s in subscribers]

    # The fifth mail of the batch waits at the mail server; the worker is killed right then.
    sink.hold_at(5)
    queue_notifications(stack)
    assert sink.held.wait(60), "the batch never reached its fifth mail"
    worker = stack.processes["worker"]
    for pid in process_tree(worker.pid):
        os.kill(pid, signal.SIGKILL)
    worker.wait(10)
    sink.release()
    delivered_before = sum(len(sink.to(a)) for a in addresses)
    assert delivered_before == 4

    # A new worker (as systemd or the supervisor would start), and beat's next tick.
    stack.processes["worker"] = subprocess.Popen(
        [
            str(BIN / "celery"), "-A", "platform_site", "worker", "--concurrency", "1",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
        ],
        cwd=ROOT,
        env=stack.env,
        stdout=(stack.folder / "worker-restarted.log").open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    queue_notifications(stack)
    wait_for_every_address(sink, addresses)
    assert {a: len(sink.to(a)) for a in addresses} == dict.fromkeys(addresses, 1)
    with schema_context(municipality.schema_name):
        assert Notification.objects.filter(
            subscription__in=[s.pk for s in subscribers], sent_at__isnull=False
        ).count() == len(subscribers)
