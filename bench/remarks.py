"""The register of remarks benchmark. Prints one JSON object.

    make bench-remarks > bench-remarks.json

1. Remark submissions per second over real HTTP through gunicorn with 10 concurrent clients
   (each fetches the form once for its CSRF cookie, then sends remarks, each with a fresh
   idempotency key), next to PostgreSQL's raw insert rate of the same rows, by 10 connections
   with one INSERT and COMMIT a row, in the same run. Goal: ≥ 25 % of the raw rate, p95 < 300 ms.
2. The staff register page with 5,000 remarks: server time (django.test.Client in this process:
   middleware, URLconf, view, template), SQL queries at 50 and at 5,000 remarks (they must be
   the same), peak Python memory. Goal: p95 < 100 ms with constant queries.
3. The XLSX export of 5,000 remarks: time and peak memory. Goal: < 5 s.

Run through ``platform_site.devservices --profile bench`` (sets DATABASE_URL and REDIS_URL);
the script uses the database named like the bench one with ``_remarks`` added, dropped and
created again first (the name must contain "bench"). Progress goes to stderr.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from provision import (  # noqa: E402 - bench/ is the script's folder, first on sys.path
    log,
    machine_info,
    municipality_new,
    site_bench_setup,
    stdout_to_stderr,
)

CLIENTS = 10
PER_CLIENT = int(os.environ.get("BENCH_REMARKS_PER_CLIENT", "30"))
REGISTER_SIZE = int(os.environ.get("BENCH_REMARKS", "5000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(samples_ms: list[float]) -> dict[str, Any]:
    return {
        "median_ms": round(statistics.median(samples_ms), 2),
        "p95_ms": round(p95(samples_ms), 2),
        "max_ms": round(max(samples_ms), 2),
        "requests": len(samples_ms),
    }


def remarks_database_url(url: str) -> str:
    """The bench's own database: ``BENCH_REMARKS_DATABASE`` when set (it must contain "bench",
    as it is dropped), else the bench database's name with ``_remarks`` added."""
    parts = urlsplit(url)
    name = os.environ.get("BENCH_REMARKS_DATABASE") or (
        (parts.path.lstrip("/") or "konsulta_bench") + "_remarks"
    )
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- 1. Submissions over HTTP -------------------------------------------------------------


def _client(
    port: int,
    host: str,
    path: str,
    count: int,
    out: list[float],
    errors: list[str],
    barrier: threading.Barrier,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if response.status != 200 or not cookie or not token:
            errors.append(f"form: HTTP {response.status}")
            return
        barrier.wait()
        for i in range(count):
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "idempotency_key": str(uuid.uuid4()),
                    "document_part": "§ 3 ust. 2",
                    "current_wording": "Park jest otwarty w godzinach 6–22.",
                    "proposed_wording": "Park jest otwarty całą dobę.",
                    "justification": f"Mieszkańcy wracają późno z pracy ({i}).",
                    "author_kind": "person",
                    "author_name": "Jan Kowalski",
                    "email": f"mieszkaniec{uuid.uuid4().hex[:10]}@example.pl",
                    "consent": "on",
                }
            )
            started = time.perf_counter()
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Host": host,
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": f"csrftoken={cookie.group(1)}",
                    "Referer": f"http://{host}{path}",
                },
            )
            response = conn.getresponse()
            response.read()
            out.append((time.perf_counter() - started) * 1000)
            if response.status != 302:
                errors.append(f"post: HTTP {response.status}")
    finally:
        conn.close()


def submissions_measure(host: str, slug: str, env: dict[str, str]) -> dict[str, Any]:
    from django.db import connection

    port = _free_port()
    web = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "platform_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env={**env, "PLATFORM_PORT": str(port)},
        stdout=sys.stderr,
        stderr=sys.stderr,
    )
    try:
        _wait(port)
        path = f"/konsultacje/{slug}/uwagi/"
        samples: list[float] = []
        errors: list[str] = []
        # The clock starts when every client holds its form and CSRF cookie: the first page
        # of a freshly started worker (its templates compiled, its connection opened, seconds
        # on a loaded machine) is not a submission.
        started: list[float] = []
        barrier = threading.Barrier(CLIENTS, action=lambda: started.append(time.perf_counter()))
        threads = [
            threading.Thread(
                target=_client, args=(port, host, path, PER_CLIENT, samples, errors, barrier)
            )
            for _ in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started[0]
    finally:
        web.terminate()
        web.wait(20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM remarks_remark")
        stored = cursor.fetchone()[0]
    total = CLIENTS * PER_CLIENT
    return {
        "clients": CLIENTS,
        "submissions": total,
        "stored": stored,
        "errors": errors[:5],
        "per_second": round(total / elapsed, 1),
        "gunicorn_workers": GUNICORN_WORKERS,
        **summary(samples),
    }


def _remark_insert_statement(schema: str, consultation_id: int) -> tuple[str, list[Any], dict]:
    """The INSERT Django sends for a resident's remark (every column of the model, values as
    remark_submit sets them for an anonymous resident), with where the values that differ
    between rows sit in its parameters. Built from the model, so the baseline never lags
    behind a column added later (a hand-written one missed meeting_event_label, NOT NULL, and
    every raw insert failed unseen)."""
    from django.db import connection
    from django.db.models.sql import InsertQuery
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from remarks.models import Remark

    now = timezone.now()
    remark = Remark(
        consultation_id=consultation_id,
        channel="online",
        state="pending",
        idempotency_key=uuid.uuid4(),
        document_part="§ 3 ust. 2",
        current_wording="Park jest otwarty w godzinach 6–22.",
        proposed_wording="Park jest otwarty całą dobę.",
        justification="Mieszkańcy wracają późno z pracy (0).",
        author_kind="person",
        author_name="Jan Kowalski",
        email="raw@example.pl",
        consent_at=now,
        submitted_at=now,
        confirmation_hash="0" * 64,
        confirmation_sent_at=now,
        visibility="published",
    )
    fields = [f for f in Remark._meta.local_concrete_fields if not f.primary_key]
    query = InsertQuery(Remark)
    query.insert_values(fields, [remark])
    with schema_context(schema):
        ((sql, params),) = query.get_compiler(connection=connection).as_sql()
    names = [f.attname for f in fields]
    varying = {
        name: names.index(name)
        for name in ("idempotency_key", "justification", "email", "confirmation_hash")
    }
    return sql, list(params), varying


def raw_insert_measure(schema: str, consultation_id: int) -> dict[str, Any]:
    """The same rows by plain INSERT + COMMIT, 10 connections at once: the statement Django
    sends for a submission, one row a transaction as the web writes them (a submission is
    one transaction), so the comparison leaves out only what the web does around it."""
    import psycopg2
    from django.db import connection

    params = connection.settings_dict
    total = CLIENTS * PER_CLIENT
    # As for the web: the clock starts when every connection is open.
    started: list[float] = []
    barrier = threading.Barrier(CLIENTS, action=lambda: started.append(time.perf_counter()))
    sql, template, varying = _remark_insert_statement(schema, consultation_id)
    inserted: list[int] = []
    failures: list[str] = []

    def insert(n: int) -> None:
        conn = psycopg2.connect(
            dbname=params["NAME"],
            user=params["USER"],
            password=params["PASSWORD"],
            host=params["HOST"],
            port=params["PORT"],
        )
        done = 0
        try:
            with conn.cursor() as cur:
                cur.execute(f'SET search_path = "{schema}", public')
                conn.commit()
                barrier.wait()
                for i in range(n):
                    values = list(template)
                    values[varying["idempotency_key"]] = str(uuid.uuid4())
                    values[varying["justification"]] = f"Mieszkańcy wracają późno ({i})."
                    values[varying["email"]] = f"raw{uuid.uuid4().hex[:10]}@example.pl"
                    values[varying["confirmation_hash"]] = uuid.uuid4().hex * 2
                    cur.execute(sql, values)
                    conn.commit()
                    done += 1
        except Exception as exc:  # noqa: BLE001 - reported in the JSON and fatal below
            failures.append(repr(exc))
            barrier.abort()
        finally:
            inserted.append(done)
            conn.close()

    threads = [threading.Thread(target=insert, args=(PER_CLIENT,)) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started[0] if started else 0.0
    if failures or sum(inserted) != total:
        raise RuntimeError(f"raw inserts failed ({sum(inserted)} of {total}): {failures[:2]}")
    return {"rows": total, "connections": CLIENTS, "per_second": round(total / elapsed, 1)}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(port: int, seconds: float = 60) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def submission_in_process(host: str, slug: str, count: int = 50) -> dict[str, Any]:
    """The same POST through django.test.Client in this process: SQL queries of one
    submission and this process's CPU time a submission, figures that the machine's load
    does not change (the HTTP figures above do)."""
    from django.test import Client

    from platform_site.celery import app

    # The request's own work, as a gunicorn worker does it: its tasks (the confirmation mail,
    # the portal's recount) are queued to Redis for the Celery worker, not run here eagerly.
    app.conf.task_always_eager = False
    client = Client(HTTP_HOST=host)
    path = f"/konsultacje/{slug}/uwagi/"

    def post(i: int) -> None:
        response = client.post(
            path,
            {
                "idempotency_key": str(uuid.uuid4()),
                "document_part": "§ 3 ust. 2",
                "current_wording": "Park jest otwarty w godzinach 6–22.",
                "proposed_wording": "Park jest otwarty całą dobę.",
                "justification": f"Mieszkańcy wracają późno z pracy ({i}).",
                "author_kind": "person",
                "author_name": "Jan Kowalski",
                "email": f"mieszkaniec{uuid.uuid4().hex[:10]}@example.pl",
                "consent": "on",
            },
        )
        assert response.status_code == 302, response.status_code

    queries, cpu_ms = posts_measure(post, count)
    app.conf.task_always_eager = True
    return {
        "submissions": count,
        "queries_per_submission": len(queries),
        "cpu_ms_per_submission": round(cpu_ms, 2),
    }


def posts_measure(post: Any, count: int) -> tuple[list[str], float]:
    """``post(i)`` warmed up three times, then the SQL of one call and this process's CPU
    milliseconds a call over ``count`` calls (the in-process figures of remarks and surveys)."""
    from django.db import connection

    for i in range(3):
        post(i)
    queries: list[str] = []

    def note(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        post(-1)
    started = time.process_time()
    for i in range(count):
        post(i)
    return queries, (time.process_time() - started) * 1000 / count


# --- 2 and 3. The register page and the export ------------------------------------------------


def register_seed(consultation: Any, clerk: Any, count: int, start: int) -> None:
    """``count`` registered remarks from every channel, some with defects, groups, responses."""
    from django.utils import timezone

    from remarks.models import FormalIssue, Remark, RemarkGroup, Response

    now = timezone.now()
    channels = ["online", "paper", "email", "epuap", "meeting"]
    rows = [
        Remark(
            consultation=consultation,
            channel=channels[i % 5],
            state="registered",
            reference=f"UW/{now.year}/{start + i + 1:05d}",
            idempotency_key=uuid.uuid4(),
            document_part=f"§ {1 + i % 12}",
            current_wording="Obecny zapis " * 5,
            proposed_wording="Proponowany zapis " * 8,
            justification="Uzasadnienie uwagi " * 20,
            author_kind="person",
            author_name=f"Mieszkaniec {i}",
            email=f"m{i}@example.pl",
            submitted_at=now,
            registered_at=now,
            visibility="published",
            formally_defective=i % 10 == 0,
            # A remark from the minutes names its meeting (check constraint).
            meeting_event_id=1 if channels[i % 5] == "meeting" else None,
            meeting_event_label="Spotkanie w sali sesyjnej" if channels[i % 5] == "meeting" else "",
        )
        for i in range(count)
    ]
    created = Remark.objects.bulk_create(rows, batch_size=1000)
    FormalIssue.objects.bulk_create(
        [
            FormalIssue(remark=r, code="late", rule="Uwagi przyjmowano do 1 grudnia 2026")
            for r in created
            if r.formally_defective
        ],
        batch_size=1000,
    )
    Response.objects.bulk_create(
        [
            Response(
                remark=r,
                decision="rejected",
                justification="Niezgodne z planem.",
                drafted_by=clerk,
                drafted_at=now,
            )
            for r in created[1::3]
        ],
        batch_size=1000,
    )
    group = RemarkGroup.objects.create(consultation=consultation, title="Godziny otwarcia")
    Remark.objects.filter(pk__in=[r.pk for r in created[2::3][:200]]).update(group=group)
    Response.objects.create(
        group=group, decision="partly", justification="Częściowo.", drafted_by=clerk, drafted_at=now
    )


def page_measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection

    for _ in range(3):
        assert client.get(url).status_code == 200
    # Counted by an execute wrapper: Django empties connection.queries when a request
    # starts, so CaptureQueriesContext around a test client's request sees nothing.
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200
    assert "UW/" in response.content.decode()
    samples = []
    cpu_started = time.process_time()
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    cpu_ms = (time.process_time() - cpu_started) * 1000 / REQUESTS
    tracemalloc.start()
    client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "queries": len(queries),
        # This process's CPU time a request (the load of other processes does not count).
        "cpu_ms_per_request": round(cpu_ms, 2),
        "peak_python_mb": round(peak / 2**20, 2),
        **summary(samples),
    }


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-remarks`")
    url = remarks_database_url(url)
    load_start = os.getloadavg()
    site_bench_setup(url)
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from consultations.models import Consultation, Department, ParticipationForm
    from remarks.xlsx import register_xlsx
    from tenants.services import municipality_provision

    municipality = municipality_provision(municipality_id=municipality_new("rm").pk)
    host = municipality.primary_host
    from datetime import timedelta

    from django.utils import timezone

    with schema_context(municipality.schema_name):
        clerk = user_create(email="koordynator@bench.test", password=None, role="coordinator")
        department = Department.objects.create(name="Wydział Rozwoju")
        department.coordinators.add(clerk)
        now = timezone.now()
        consultation = Consultation.objects.create(
            title="Regulamin parku",
            slug="regulamin-parku",
            summary="S",
            description="D",
            department=department,
            status="open",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=20),
            payment_cleared_at=now,
        )
        ParticipationForm.objects.create(
            consultation=consultation, kind="remarks", settings={"name_required": False}
        )
        consultation_id = consultation.pk
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "platform_site.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)

    log(f"{CLIENTS} clients × {PER_CLIENT} remarks over HTTP (gunicorn)")
    with schema_context(municipality.schema_name):
        http_result = submissions_measure(host, "regulamin-parku", env)
    log(f"  {http_result['per_second']}/s, p95 {http_result['p95_ms']} ms")
    raw = raw_insert_measure(municipality.schema_name, consultation_id)
    log(f"  raw inserts {raw['per_second']}/s")

    log("submissions in process (queries, CPU time)")
    in_process = submission_in_process(host, "regulamin-parku")
    log(f"  {in_process}")

    from remarks.models import Remark

    with schema_context(municipality.schema_name):
        Remark.objects.filter(consultation_id=consultation_id).delete()
        client = Client(HTTP_HOST=host)
        client.force_login(clerk)
        register_seed(consultation, clerk, 50, 0)
    # Requests from the public schema, as a real one starts: the middleware picks the tenant.
    page_url = f"/panel/konsultacje/{consultation_id}/uwagi/"
    small = page_measure(client, page_url)
    with schema_context(municipality.schema_name):
        register_seed(consultation, clerk, REGISTER_SIZE - 50, 50)
    log(f"register page at {REGISTER_SIZE} remarks")
    large = page_measure(client, page_url)
    with schema_context(municipality.schema_name):
        started = time.perf_counter()
        cpu_started = time.process_time()
        data = register_xlsx(consultation)
        export_s = time.perf_counter() - started
        export_cpu_s = time.process_time() - cpu_started
        # Memory in a second run: tracemalloc slows Python down several times.
        tracemalloc.start()
        register_xlsx(consultation)
        _current, export_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    result = {
        "machine": machine_info(),
        # The machine is shared: wall times move with this, CPU times and queries much less.
        "load_average": {
            "start": [round(x, 2) for x in load_start],
            "end": [round(x, 2) for x in os.getloadavg()],
        },
        "submissions_http": http_result,
        "raw_insert": raw,
        "submissions_in_process": in_process,
        "submissions_share_of_raw": round(http_result["per_second"] / raw["per_second"], 3),
        "register_page": {
            "at_50": small,
            f"at_{REGISTER_SIZE}": large,
            "queries_constant": small["queries"] == large["queries"],
        },
        "export_xlsx": {
            "remarks": REGISTER_SIZE,
            "seconds": round(export_s, 3),
            "cpu_seconds": round(export_cpu_s, 3),
            "bytes": len(data),
            "peak_python_mb": round(export_peak / 2**20, 2),
        },
        "goals": {
            "submissions_at_least_25_percent_of_raw": http_result["per_second"]
            >= 0.25 * raw["per_second"],
            "submissions_p95_under_300_ms": http_result["p95_ms"] < 300,
            "register_p95_under_100_ms": large["p95_ms"] < 100,
            "export_under_5_s": export_s < 5,
        },
    }
    json.dump(result, real_stdout, indent=2, ensure_ascii=False)
    real_stdout.write("\n")
    return 0


if __name__ == "__main__":
    with stdout_to_stderr() as real_stdout:
        sys.exit(main(real_stdout))
