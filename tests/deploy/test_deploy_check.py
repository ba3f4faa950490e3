"""`make deploy-check`: the production shape on loopback, proven in Chromium over verified TLS.

nginx (Debian's) terminates TLS with a certificate signed by a CA made for this run and passes
requests to gunicorn; a Celery worker and beat run beside it; all three with the production
settings (platform_site/deploystack.py). Chromium trusts exactly that CA (its SPKI hash), no
other certificate error is ignored; Python's ssl module checks the chain and the host names.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import time
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from tests.conftest import PASSWORD, VAR, tenant_make, unique
from tests.e2e.test_billing_order import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.live]

APEX = "konsulta.localhost"
# Expected from Django's documented header format for the values deploy/README.md promises
# (a year, includeSubDomains, preload), not read from the settings.
HSTS = "max-age=31536000; includeSubDomains; preload"
NGINX_EXPIRES_30_DAYS = "max-age=2592000"


@pytest.fixture
def stack(committed_db, localstripe, browser):
    from django.conf import settings
    from django.db import connection

    from platform_site.deploystack import nginx_binary, port_open, production_stack

    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx missing: `make test` installs it (make deploy-deps)")
        pytest.skip("nginx missing: run `make deploy-deps`")
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    with production_stack(
        VAR / "deploy",
        database_url=database_url,
        redis_url=settings.REDIS_URL,
        media_root=Path(settings.MEDIA_ROOT),
        apex=APEX,
        extra_env=localstripe.env,
    ) as running:
        yield running
    # Everything it started is stopped: nothing listens any more.
    assert not port_open(running.port) and not port_open(running.web_port)
    assert all(p.poll() is not None for p in running.processes.values())


def municipalities(settings):
    """Two municipalities on subdomains of the check's apex domain."""
    settings.PLATFORM_DOMAIN = APEX
    a = tenant_make(unique("dc-a-"), "Gmina Wdrożeniowa A")
    b = tenant_make(unique("dc-b-"), "Gmina Wdrożeniowa B")
    return a, b


def wait_for_health(stack, host, seconds=30):
    deadline = time.monotonic() + seconds
    body = {}
    while time.monotonic() < deadline:
        status, _headers, raw = stack.https(host, "/healthz")
        body = json.loads(raw)
        if status == 200:
            return body
        time.sleep(0.5)
    raise AssertionError(f"/healthz not healthy through nginx: {body}")


def test_production_shape_on_loopback_with_verified_tls(stack, browser, settings):
    from billing.models import Order, OrderStatus
    from consultations.services import document_add
    from platform_site.celery import app
    from tenants.models import Municipality
    from tests.billing.conftest import consultation_make, invoice_data_enter
    from tests.consultations.factories import consultation_in_state, pdf_bytes, upload

    a, b = municipalities(settings)

    # Health through nginx on a municipality's host: PostgreSQL, Redis and beat's tick.
    health = wait_for_health(stack, a.host)
    assert health["ok"] is True
    assert {health["checks"][k]["ok"] for k in ("postgresql", "redis", "beat")} == {True}

    # TLS: the chain verifies against this run's CA for the apex and both subdomains; the
    # wildcard covers one label only.
    for host in (APEX, a.host, b.host):
        status, headers, _ = stack.https(host, "/")
        assert status == 200, host
        assert headers["Strict-Transport-Security"] == HSTS
    with pytest.raises(ssl.SSLCertVerificationError):
        stack.https(f"x.{a.host}", "/")
    # The worker runs under the same settings and answers on the broker.
    assert app.control.ping(timeout=5), "no Celery worker answered"

    # nginx serves /static/ itself (gunicorn never sees it), never /media/.
    css = next(Path(settings.STATIC_ROOT).glob("css/*.css"))
    status, headers, body = stack.https(a.host, f"/static/css/{css.name}")
    assert (status, body) == (200, css.read_bytes())
    assert headers["Cache-Control"] == NGINX_EXPIRES_30_DAYS

    # DEBUG is off: an unknown page is the site's 404, no Django debug page.
    status, _, body = stack.https(a.host, "/nie-ma-takiej-strony/")
    assert status == 404
    assert b"URLconf" not in body and b"Traceback" not in body

    # Links are built with https and the stored host; gunicorn reached over plain HTTP
    # redirects to HTTPS, except the health probe.
    _, _, robots = stack.https(a.host, "/robots.txt")
    assert f"https://{a.host}:{stack.port}/".encode() in robots
    status, headers, _ = stack.direct(a.host, "/")
    assert status == 301 and headers["Location"].startswith(f"https://{a.host}")
    assert stack.direct(a.host, "/healthz")[0] == 200

    # The request id nginx made comes back and is on the web log line, with the schema.
    _, headers, _ = stack.https(b.host, "/konsultacje/")
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), request_id

    # Given: a coordinator of A with a consultation to order, an open one with a document in B.
    invoice_data_enter(Municipality.objects.get(pk=a.pk))
    to_order = consultation_make(a.schema_name, title="Park nad rzeką", days=21)
    coordinator = unique("koord") + "@a.test"
    with schema_context(a.schema_name):
        # An administrator: a coordinator orders only their own departments' consultations.
        user_create(email=coordinator, password=PASSWORD, role="admin")
    # One PDF, uploaded and later compared with the download: Pillow stamps the second in
    # which it draws one, so drawing it twice failed whenever a second ticked in between.
    pdf = pdf_bytes()
    with schema_context(b.schema_name):
        admin = user_create(email=unique("adm") + "@b.test", password=PASSWORD, role="admin")
        open_one = consultation_in_state("open", title="Nowa pętla autobusowa")
        document = document_add(
            acting_user=admin,
            consultation_id=open_one.pk,
            title="Mapa wariantów pętli",
            upload=upload("mapa.pdf", pdf),
        )

    chromium = browser.browser_type.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        args=[
            "--no-sandbox",
            # Trust this run's CA (by its public key) and nothing else.
            f"--ignore-certificate-errors-spki-list={stack.certs.ca_spki_sha256}",
        ],
    )
    try:
        context = chromium.new_context(locale="pl-PL", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15000)

        # The apex, over HTTPS, its certificate issued by the CA.
        response = page.goto(stack.url(APEX))
        assert response.status == 200
        details = response.security_details()
        assert details["issuer"] == "Konsulta deploy-check CA"
        assert details["subjectName"] == APEX
        assert response.headers["strict-transport-security"] == HSTS

        # Municipality B: a resident downloads the open consultation's document.
        page.goto(stack.url(b.host, f"/konsultacje/{open_one.slug}/"))
        page.get_by_role("heading", name="Nowa pętla autobusowa").wait_for()
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Mapa wariantów pętli").click()
        download = download_info.value
        assert download.suggested_filename == "mapa.pdf"
        assert Path(download.path()).read_bytes() == pdf
        # The same file by its storage path under /media/: not served.
        status, _, body = stack.https(b.host, f"/media/{b.schema_name}/{document.file.name}")
        assert status == 404 and body != pdf

        # Municipality A: the coordinator signs in (CSRF through the proxy, secure cookies)...
        sign_in(page, stack.url(a.host, "/konto/login/"), coordinator)
        page.get_by_role("heading", name="Panel urzędu").wait_for()
        cookies = {c["name"]: c for c in context.cookies(stack.url(a.host))}
        for name in ("sessionid", "csrftoken"):
            assert cookies[name]["secure"] is True, name
            assert cookies[name]["domain"] == a.host, name  # host-only

        # ...orders the consultation and pays it online against localstripe.
        page.goto(stack.url(a.host, f"/panel/zamowienia/nowe/{to_order}/"))
        page.get_by_label("Płatność online (karta, BLIK, Przelewy24)").check()
        page.get_by_role("button", name="Złóż zamówienie").click()
        page.get_by_text("Zamówienie zostało złożone.").wait_for()
        page.get_by_role("button", name="Zapłać").click()
        page.get_by_text("Dziękujemy – płatność została przyjęta.").wait_for()
        assert page.locator("#order-status").inner_text() == "Opłacone"
        order = Order.objects.get(municipality_id=a.pk, consultation_id=to_order)
        assert order.status == OrderStatus.PAID
        context.close()
    finally:
        chromium.close()

    web_log = stack.log("web")
    assert f"schema={b.schema_name} request={request_id}" in web_log
    assert "/static/" not in web_log
    assert "Traceback" not in web_log
