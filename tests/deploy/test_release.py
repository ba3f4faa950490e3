"""A release on a running site (issue 13): no visitor sees an error while it happens.

The production shape runs (platform_site/deploystack.py: nginx over TLS verified against the
run's CA, gunicorn, worker, beat, production settings) and Chromium keeps loading a
municipality's home, list, consultation page and a signed-in panel page in a loop while the
release of deploy/README.md is carried out against the running site's database:

1. ``manage.py schemas_migrate`` applies ONE pending migration (a nullable field and an index
   on ``consultations.Consultation``, written to a temporary copy of the app's migrations named
   by ``MIGRATION_MODULES``, as bench/release.py does): the running code does not know the
   column and does not need to;
2. ``kill -HUP`` on gunicorn's master: new workers start, the old ones finish their request.

No page load may fail, answer an error status or show the Polish 503/500 page; afterwards every
schema has the column.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django_tenants.utils import schema_context

from accounts.services import user_create
from tests.billing.stripe_fake import WEBHOOK_SECRET
from tests.conftest import PASSWORD, ROOT, VAR, tenant_make, unique
from tests.e2e.test_billing_order import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.live]

APEX = "konsulta.localhost"
UNAVAILABLE = "Serwis jest chwilowo niedostępny"
SERVER_ERROR = "Przepraszamy, wystąpił błąd"
TABLE = "consultations_consultation"


def pending_release():
    """bench/release.py's temporary migrations package (its own module, not a copy)."""
    bench = str(ROOT / "bench")
    if bench not in sys.path:
        sys.path.append(bench)  # after the standard library: bench/http.py must not shadow it
    from release import SETTINGS, PendingMigrations

    return SETTINGS, PendingMigrations


@pytest.fixture
def stack(committed_db, django_db_setup):
    from django.conf import settings
    from django.db import connection

    from platform_site.deploystack import nginx_binary, production_stack

    if nginx_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx missing: `make test` installs it (make deploy-deps)")
        pytest.skip("nginx missing: run `make deploy-deps`")
    db = connection.settings_dict
    with production_stack(
        VAR / "release",
        database_url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        redis_url=settings.REDIS_URL,
        media_root=Path(settings.MEDIA_ROOT),
        apex=APEX,
        extra_env={"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET},
    ) as running:
        yield running


@pytest.fixture
def pending(committed_db):
    """One pending migration in a temporary package; afterwards its column and its record are
    removed from every schema, so the rest of the test run sees the code's own state."""
    from django.db import connection

    settings_module, PendingMigrations = pending_release()
    folder = Path(tempfile.mkdtemp(prefix="konsulta-release-test-"))
    migrations = PendingMigrations(folder)
    name, field, index = migrations.add()
    yield folder, settings_module, name, field, index
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_namespace n JOIN pg_class c ON c.relnamespace = n.oid "
            "JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.relname = %s AND a.attname = %s",
            [TABLE, field],
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{schema}".{TABLE} DROP COLUMN {field}')
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables "
            "WHERE table_name = 'django_migrations'"
        )
        for (schema,) in cursor.fetchall():
            cursor.execute(
                f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s',
                ["consultations", name],
            )


def worker_pids(master: subprocess.Popen[bytes]) -> set[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return {int(pid) for pid in children}


def schemas_without(field: str) -> list[str]:
    from django.conf import settings
    from django.db import connection

    from tenants.models import Municipality

    schemas = [
        settings.TENANT_BASE_SCHEMA,
        *Municipality.objects.exclude(schema_name="public").values_list("schema_name", flat=True),
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = %s "
            "AND a.attname = %s AND NOT a.attisdropped",
            [TABLE, field],
        )
        having = {row[0] for row in cursor.fetchall()}
    return [s for s in schemas if s not in having]


def test_a_release_while_the_browser_keeps_loading_pages_shows_no_error(
    stack, pending, browser, settings
):
    from tests.consultations.factories import consultation_in_state

    folder, settings_module, migration, field, _index = pending
    settings.PLATFORM_DOMAIN = APEX
    municipality = tenant_make(unique("rel-"), "Gmina Wydaniowa")
    coordinator = unique("koord") + "@wydanie.test"
    with schema_context(municipality.schema_name):
        user_create(email=coordinator, password=PASSWORD, role="admin")
        consultation = consultation_in_state("open", title="Rewitalizacja rynku")
    paths = [
        ("/", "Gmina Wydaniowa"),
        ("/konsultacje/", "Rewitalizacja rynku"),
        (f"/konsultacje/{consultation.slug}/", "Rewitalizacja rynku"),
        ("/panel/", "Panel urzędu"),
    ]
    assert schemas_without(field), "the migration is already applied"

    chromium = browser.browser_type.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        args=[
            "--no-sandbox",
            f"--ignore-certificate-errors-spki-list={stack.certs.ca_spki_sha256}",
        ],
    )
    loads: list[tuple[float, float]] = []  # (started, finished) of each completed page load
    failures: list[str] = []
    bad_responses: list[str] = []
    try:
        context = chromium.new_context(locale="pl-PL")
        page = context.new_page()
        page.set_default_timeout(30000)
        page.on(
            "response",
            lambda r: bad_responses.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        sign_in(page, stack.url(municipality.host, "/konto/login/"), coordinator)
        page.get_by_role("heading", name="Panel urzędu").wait_for()

        def load_every_page() -> None:
            for path, expected in paths:
                started = time.monotonic()
                try:
                    response = page.goto(stack.url(municipality.host, path), wait_until="load")
                    body = page.content()
                except Exception as exc:  # noqa: BLE001 - an unfinished load is the finding
                    failures.append(f"{path}: {type(exc).__name__}: {exc}"[:300])
                    continue
                if response is None or response.status != 200:
                    failures.append(f"{path}: {response.status if response else 'no response'}")
                elif UNAVAILABLE in body or SERVER_ERROR in body or expected not in body:
                    failures.append(f"{path}: an error page or not the page ({expected!r})")
                else:
                    loads.append((started, time.monotonic()))

        load_every_page()  # before the release
        assert failures == [] and bad_responses == [], (failures, bad_responses)

        # 1. Migrate while loading: the real command, a separate process, the site's settings
        #    plus the pending migration.
        env = {
            **stack.env,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
        }
        migrate_started = time.monotonic()
        release = subprocess.Popen(
            [sys.executable, "manage.py", "schemas_migrate"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        while release.poll() is None:
            load_every_page()
        migrate_finished = time.monotonic()
        output = release.stdout.read().decode() if release.stdout else ""
        assert release.returncode == 0, output
        assert "0 failed" in output, output
        during_migration = [s for s, f in loads if s >= migrate_started and f <= migrate_finished]
        assert len(during_migration) >= len(paths), (
            "too few page loads while schemas_migrate ran",
            len(during_migration),
        )

        # 2. Restart the workers gracefully while loading: HUP to gunicorn's master.
        master = stack.processes["web"]
        old_workers = worker_pids(master)
        os.kill(master.pid, signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            load_every_page()
            current = worker_pids(master)
            if current and not current & old_workers:
                break
        else:
            raise AssertionError(f"gunicorn kept its old workers: {old_workers}")
        load_every_page()  # served by the new workers only
        assert master.poll() is None
        context.close()
    finally:
        chromium.close()

    assert failures == [], failures
    assert bad_responses == [], bad_responses
    assert len(loads) >= 4 * len(paths)
    assert schemas_without(field) == []
    web_log = stack.log("web")
    assert "Traceback" not in web_log
    assert " ERROR " not in web_log
    assert migration
