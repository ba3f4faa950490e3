"""Shared fixtures: two test municipalities (A and B) on real PostgreSQL, a real web server,
a real Celery worker on real Redis, and Chromium through Playwright.

Tests marked ``django_db`` run inside a transaction that is rolled back. Tests that need a
separate process to see their data (the web server, the worker) use ``committed_db`` and make
their own uniquely named rows; the whole test database is dropped at the end of the run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test's thread; Django's ORM calls from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "test"
PASSWORD = "Bardzo-Trudne-Haslo-2026"


@dataclass
class TenantInfo:
    schema_name: str
    host: str
    name: str
    pk: int


def tenant_make(subdomain: str, name: str, *, provision: bool = True) -> TenantInfo:
    """Register and provision a municipality in the current (committed) database."""
    from tenants.services import municipality_create, municipality_provision

    municipality = municipality_create(
        name=name,
        kind="gmina",
        teryt="3207023",
        nip=nip_make(),
        contact_email=f"kontakt@{subdomain}.test",
        subdomain=subdomain,
        admin_email=f"admin@{subdomain}.test",
        acting_user=None,
        provision_async=False,
    )
    if provision:
        municipality = municipality_provision(municipality_id=municipality.pk)
    return TenantInfo(
        municipality.schema_name, municipality.primary_host, municipality.name, municipality.pk
    )


_nip_counter = [100000000 + (os.getpid() % 1000) * 1000]


def nip_make() -> str:
    """A fresh NIP with a valid check digit."""
    from tenants.validators import NIP_WEIGHTS

    while True:
        _nip_counter[0] += 1
        body = str(_nip_counter[0])[:9]
        check = sum(int(d) * w for d, w in zip(body, NIP_WEIGHTS, strict=False)) % 11
        if check != 10:
            return body + str(check)


def force_login(client: object, user: object, schema_name: str) -> None:
    """Client.force_login writes the session in the connection's current schema: the
    municipality's, as its site would."""
    from django_tenants.utils import schema_context

    with schema_context(schema_name):
        client.force_login(user)  # type: ignore[attr-defined]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def django_db_setup(
    django_test_environment: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[None]:
    """The test database, its template schema, and municipalities A and B.

    Replaces pytest-django's own, which creates no database when only tests without the
    ``django_db`` mark (the committed, live ones) are selected."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test.utils import setup_databases, teardown_databases

    from tenants.migration import template_schema_ensure

    VAR.mkdir(parents=True, exist_ok=True)
    media = VAR / "media"
    shutil.rmtree(media, ignore_errors=True)
    settings.MEDIA_ROOT = media
    private = VAR / "private"
    shutil.rmtree(private, ignore_errors=True)
    settings.PRIVATE_MEDIA_ROOT = private
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=0, interactive=False, aliases={"default"})
        cache.clear()  # the test Redis database: no entries left from an earlier run
        template_schema_ensure()
        tenant_make("test-a", "Gmina Testowa A")
        tenant_make("test-b", "Gmina Testowa B")
    yield
    with django_db_blocker.unblock():
        from django.db import connection, connections

        # A web or worker process that is still winding down would block DROP DATABASE.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        connections.close_all()
        teardown_databases(db_cfg, verbosity=0)


@pytest.fixture
def tenant_a(django_db_setup: None) -> TenantInfo:
    from tenants.models import Municipality

    m = Municipality.objects.get(schema_name="m_test_a")
    return TenantInfo(m.schema_name, m.primary_host, m.name, m.pk)


@pytest.fixture
def tenant_b(django_db_setup: None) -> TenantInfo:
    from tenants.models import Municipality

    m = Municipality.objects.get(schema_name="m_test_b")
    return TenantInfo(m.schema_name, m.primary_host, m.name, m.pk)


@pytest.fixture(scope="session", autouse=True)
def _participation_stand_ins() -> Iterator[None]:
    """Register stand-in participation kinds until their apps exist (see the module)."""
    from consultations import participation
    from tests.participation_kinds import stand_ins_register

    names = stand_ins_register()
    yield
    for name in names:
        participation.unregister(name)


@pytest.fixture(autouse=True)
def _public_schema_after_each_test() -> Iterator[None]:
    yield
    from django.db import connection

    if connection.connection is not None or connection.schema_name != "public":
        connection.set_schema_to_public()


@pytest.fixture
def committed_db(django_db_setup: None, django_db_blocker: pytest.FixtureRequest) -> Iterator[None]:
    """Database access without a wrapping transaction: what a test writes is committed and
    seen by the web server and the worker. Such tests create uniquely named rows."""
    with django_db_blocker.unblock():
        yield


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


@dataclass
class LiveStack:
    port: int
    mail_dir: Path
    env: dict[str, str]

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def mails(self) -> list[str]:
        return [p.read_text() for p in sorted(self.mail_dir.glob("*.log"))]

    def wait_for_mail(self, to: str, seconds: float = 30) -> str:
        """The first mail whose To: is ``to``, decoded to text, waiting for the worker."""
        import email
        from email import policy

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for raw in self.mails():
                for chunk in raw.split("-" * 79):
                    if not chunk.strip():
                        continue
                    # Parsed from bytes: from a str, an 8bit UTF-8 body comes back as \uXXXX.
                    message = email.message_from_bytes(
                        chunk.strip().encode(), policy=policy.default
                    )
                    if message["To"] == to:
                        body = message.get_body(preferencelist=("plain",))
                        return f"Subject: {message['Subject']}\n\n{body.get_content()}"
            time.sleep(0.2)
        raise AssertionError(f"no mail to {to} within {seconds} s")


@pytest.fixture(scope="session")
def localstripe() -> Iterator[object]:
    """localstripe (a stateful Stripe fake) on 127.0.0.1, its store in a fresh folder; this
    process's settings point the gateway at it (the web server and worker get its env)."""
    from django.conf import settings

    from tests.billing.stripe_fake import localstripe_start

    port = free_port()
    store = VAR / "localstripe"
    shutil.rmtree(store, ignore_errors=True)
    (VAR / "logs").mkdir(parents=True, exist_ok=True)
    fake = localstripe_start(port, store, VAR / "logs" / "localstripe.log")
    try:
        wait_for_port(port, fake.process)
        for name, value in fake.env.items():
            setting = getattr(settings, name)
            if isinstance(setting, bool):
                value = value == "1"
            elif isinstance(setting, list):
                value = value.split(",")
            elif isinstance(setting, float):
                value = float(value)
            elif isinstance(setting, int):
                value = int(value)
            setattr(settings, name, value)
        yield fake
    finally:
        fake.process.terminate()
        fake.process.wait(10)


@pytest.fixture(scope="session")
def extra_env(localstripe: object) -> dict[str, str]:
    """Environment added to the live stack's processes (localstripe's address and keys)."""
    return dict(localstripe.env)  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def live_stack(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest, extra_env: dict[str, str]
) -> Iterator[LiveStack]:
    """gunicorn and a Celery worker on the test database and the test Redis database."""
    from django.conf import settings
    from django.db import connection

    port = free_port()
    mail_dir = VAR / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mail_dir.mkdir(parents=True)
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "PLATFORM_PORT": str(port),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "platform_site.settings",
        **extra_env,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    # Links built in this process point at the same server as the worker's.
    settings.PLATFORM_PORT = str(port)
    settings.EMAIL_BACKEND = env["EMAIL_BACKEND"]
    settings.EMAIL_FILE_PATH = str(mail_dir)
    bin_dir = Path(sys.executable).parent
    logs = VAR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    web = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "platform_site.wsgi",
            "--config",
            "python:tests.gunicorn_kinds",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "web.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            str(bin_dir / "celery"),
            "-A",
            "platform_site",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "worker.log", "wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, web)
        yield LiveStack(port=port, mail_dir=mail_dir, env=env)
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def stripe_webhooks(live_stack: LiveStack, localstripe: object) -> object:
    """localstripe delivers its events, signed, to the live server's apex host."""
    localstripe.webhook_register(live_stack.url("localhost", "/stripe/webhook/"))  # type: ignore[attr-defined]
    return localstripe


# --- Browser ------------------------------------------------------------------------------

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = VAR / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(executable).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium missing at {executable}: `make test` installs it")
        pytest.skip(f"Chromium missing at {executable}: run `make browser-deps`")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def csp_violation(message: object) -> str | None:
    """Chromium reports what the Content-Security-Policy blocked as a console error."""
    text = message.text  # type: ignore[attr-defined]
    where = (message.location or {}).get("url", "")  # type: ignore[attr-defined]
    return f"{where}: {text}" if "Content Security Policy" in text else None


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A page that records every Content-Security-Policy violation: a journey that trips the
    policy fails. The policy stays on (no bypass_csp); see assert_accessible for axe-core."""
    context = browser.new_context(locale="pl-PL", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(15000)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(csp_violation(message) or ""))
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"FAILED-{request.node.name}.png"), full_page=True)
    context.close()
    # A violation without a source address comes from a script evaluated through DevTools
    # (axe-core adds a <style> on some pages), not from the page.
    blocked = [text for text in violations if text and not text.startswith(": ")]
    assert blocked == [], "Content-Security-Policy violations:\n" + "\n".join(blocked)


PHONE = {"width": 390, "height": 844}

# What a resident must find from every page of a municipality's site (issue 15): the paths
# are written out here, not reversed from the URLconf, so a renamed or dropped link fails.
FOOTER_PATHS = {
    "/subskrypcje/": "subscriptions",
    "/konsultacje/rss/": "RSS feed",
    "/konsultacje/kalendarz.ics": "calendar",
}
# What every page of every site must link in its footer (issue 8): the privacy notice and the
# accessibility statement — a municipality's own on its site, the provider's on the apex and
# on the pages shown for an unknown, suspended or archived site.
LEGAL_PATHS = {
    "/polityka-prywatnosci/": "privacy notice",
    "/deklaracja-dostepnosci/": "accessibility statement",
}
# Legal pages already opened by a journey (by full address): each is followed once a run.
_LEGAL_PAGES_SEEN: set[str] = set()


def _axe_violations(page: object) -> list[dict[str, object]]:
    if not AXE.exists():
        raise AssertionError("axe-core is missing: `make test` installs it with npm")
    # Not add_script_tag: that inserts an inline <script>, which the page's CSP blocks (no
    # 'unsafe-inline'). Playwright's evaluate runs through DevTools, outside the policy.
    page.evaluate(AXE.read_text() + "\n;typeof axe")  # type: ignore[attr-defined]
    result = page.evaluate(  # type: ignore[attr-defined]
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return result["violations"]


def _violations_report(violations: list[dict[str, object]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    "
        + "\n    ".join(node["html"][:160] for node in v["nodes"][:5])  # type: ignore[index]
        for v in violations
    )


def is_municipality_site(url: str) -> bool:
    """A page of a municipality's subdomain (the apex "localhost" is the provider's)."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host.endswith(".localhost")


def footer_paths_missing(page: object, paths: dict[str, str] | None = None) -> list[str]:
    """The paths of FOOTER_PATHS (or ``paths``) that no link in the page's footer points at."""
    hrefs = page.evaluate(  # type: ignore[attr-defined]
        """() => Array.from(document.querySelectorAll('footer a[href]'))
            .map(a => new URL(a.href).pathname)"""
    )
    paths = FOOTER_PATHS if paths is None else paths
    return [f"{path} ({what})" for path, what in paths.items() if path not in hrefs]


def assert_legal_links(page: object, name: str) -> None:
    """Both legal texts are one click away: a link in the footer of this page, and the page
    it opens answers with the text (each address is followed once a run)."""
    missing = footer_paths_missing(page, LEGAL_PATHS)
    assert missing == [], f"{name}: the footer has no link to {', '.join(missing)}"
    links = page.evaluate(  # type: ignore[attr-defined]
        """(paths) => Array.from(document.querySelectorAll('footer a[href]'))
            .map(a => a.href).filter(href => paths.includes(new URL(href).pathname))""",
        list(LEGAL_PATHS),
    )
    headings = {
        "/polityka-prywatnosci/": "Informacja o przetwarzaniu danych osobowych",
        "/deklaracja-dostepnosci/": "Deklaracja dostępności",
    }
    import http.client
    from urllib.parse import urlsplit

    for href in links:
        if href in _LEGAL_PAGES_SEEN:
            continue
        # "*.localhost" resolves only inside Chromium: ask the server on loopback with the
        # link's Host header, as tests/meetings/http.py does.
        parts = urlsplit(href)
        # A portal created moments ago is known to each web worker within
        # portal.selectors.PORTAL_HOSTS_TTL (5 s): another worker may not know its host yet.
        deadline = time.monotonic() + 8
        while True:
            connection = http.client.HTTPConnection("127.0.0.1", parts.port or 80, timeout=30)
            connection.request("GET", parts.path, headers={"Host": parts.netloc})
            response = connection.getresponse()
            body = response.read().decode()
            connection.close()
            if response.status != 404 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert response.status == 200, f"{name}: {href} answers {response.status}"
        assert f"<h1>{headings[parts.path]}</h1>" in body, f"{name}: {href} shows no text"
        _LEGAL_PAGES_SEEN.add(href)


def assert_accessible(page: object, name: str, *, municipality_site: bool | None = None) -> None:
    """Check the page the journey is on: zero WCAG 2.1 AA violations (axe-core) at desktop
    and phone width, no horizontal scrolling at 390 px, and, on a municipality's site, the
    footer links a resident needs; on every page, the privacy notice and the accessibility
    statement one click away. Screenshots of both widths go to var/test/screenshots.

    ``municipality_site`` defaults to "the host is a municipality's subdomain"; pages that
    are not the municipality's own site there (the unknown-host and suspended pages) pass
    False."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    violations = _axe_violations(page)
    assert violations == [], f"{name}: WCAG 2.1 AA violations:\n{_violations_report(violations)}"
    if municipality_site is None:
        municipality_site = is_municipality_site(page.url)  # type: ignore[attr-defined]
    if municipality_site:
        missing = footer_paths_missing(page)
        assert missing == [], f"{name}: the footer has no link to {', '.join(missing)}"
    assert_legal_links(page, name)
    desktop = page.viewport_size  # type: ignore[attr-defined]
    page.set_viewport_size(PHONE)  # type: ignore[attr-defined]
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}-390.png"), full_page=True)  # type: ignore[attr-defined]
        width = page.evaluate("() => document.scrollingElement.scrollWidth")  # type: ignore[attr-defined]
        assert width <= PHONE["width"], (
            f"{name}: at {PHONE['width']} px the page is {width} px wide (horizontal scrolling):"
            f" {wide_elements(page)}"
        )
        violations = _axe_violations(page)
        assert violations == [], (
            f"{name} at {PHONE['width']} px: WCAG 2.1 AA violations:\n"
            f"{_violations_report(violations)}"
        )
    finally:
        page.set_viewport_size(desktop)  # type: ignore[attr-defined]


def wide_elements(page: object) -> list[str]:
    """The outermost elements that reach past the viewport's right edge, to say what to fix."""
    return page.evaluate(  # type: ignore[attr-defined]
        """() => {
            const limit = document.documentElement.clientWidth;
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.right > limit + 1 && !out.some(o => o.contains(el))) {
                    out.push(el);
                }
            }
            return out.slice(0, 5).map(el => el.tagName.toLowerCase()
                + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                + ' ' + Math.round(el.getBoundingClientRect().right) + 'px');
        }"""
    )
