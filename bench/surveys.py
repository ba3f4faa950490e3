"""The surveys benchmark. Prints one JSON object.

    make bench-surveys > bench-surveys.json

1. Submissions per second of a 20-question survey over real HTTP through gunicorn, with 10
   and with 50 concurrent clients (each fetches the page once for its CSRF cookie, then sends
   responses, each with a fresh idempotency key), next to PostgreSQL's raw insert rate of the
   same rows (a response and its answers in one transaction a response, 10 connections), in
   the same run. Every accepted response (302) must be in the database exactly once.
   Goals: ≥ 25 % of the raw rate and ≥ 100/s, p95 < 500 ms.
2. Results of the survey with 100,000 responses (surveys.selectors.survey_results, in this
   process). Goal: < 1 s.
3. The survey page (the resident's form) with 100,000 responses vs with none: server time
   through django.test.Client (middleware, view, template). Goal: ≤ 1.2×.

Run through ``platform_site.devservices --profile bench`` (sets DATABASE_URL and REDIS_URL);
the database is the bench one with ``_surveys`` added (or BENCH_SURVEYS_DATABASE), dropped and
created again first.
Sizes: BENCH_SURVEY_RESPONSES (100000), BENCH_SURVEY_PER_CLIENT (20 for 10 clients; 50
clients send a fifth of it each), BENCH_REQUESTS (30). Progress goes to stderr.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from provision import (  # noqa: E402 - bench/ is the script's folder, on sys.path
    log,
    machine_info,
    municipality_new,
    site_bench_setup,
    stdout_to_stderr,
)

# bench/remarks.py's HTTP helpers (loaded by path: the name "remarks" is the Django app's).
_spec = importlib.util.spec_from_file_location(
    "bench_remarks", Path(__file__).with_name("remarks.py")
)
assert _spec is not None and _spec.loader is not None
bench_remarks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_remarks)

RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", "100000"))
PER_CLIENT = int(os.environ.get("BENCH_SURVEY_PER_CLIENT", "20"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
RAW_CONNECTIONS = 10
SUBMISSIONS_IN_PROCESS = int(os.environ.get("BENCH_SURVEY_IN_PROCESS", "50"))


def surveys_database_url(url: str) -> str:
    """The bench's own database: BENCH_SURVEYS_DATABASE when set (so two people benching on
    one server never drop each other's), else the given one's name with ``_surveys``."""
    parts = urlsplit(url)
    name = os.environ.get("BENCH_SURVEYS_DATABASE") or (
        (parts.path.lstrip("/") or "konsulta_bench") + "_surveys"
    )
    return urlunsplit(parts._replace(path=f"/{name}"))


# --- The survey: 20 questions of every kind a form posts ----------------------------------


def survey_build(admin: Any, consultation: Any) -> tuple[Any, list[Any]]:
    from surveys import selectors, services
    from surveys.services import QuestionInput

    survey = services.survey_create(acting_user=admin, consultation=consultation, kind="survey")
    section = selectors.survey_current_version(survey).sections.get().key
    kinds = (
        ["single"] * 6
        + ["multiple"] * 4
        + ["scale"] * 4
        + ["short_text"] * 2
        + ["number"] * 2
        + ["matrix", "date"]
    )
    for n, kind in enumerate(kinds, start=1):
        services.question_add(
            acting_user=admin,
            survey_id=survey.pk,
            section_key=section,
            data=QuestionInput(
                type=kind,
                text=f"Pytanie {n}",
                required=kind != "short_text",
                choices=["Tak", "Nie", "Nie wiem"]
                if kind in ("single", "multiple")
                else (["Ławki", "Zieleń", "Oświetlenie"] if kind == "matrix" else []),
                max_value=5
                if kind in ("scale", "matrix")
                else (1000 if kind == "number" else None),
                min_value=0 if kind == "number" else None,
            ),
        )
    structure = selectors.version_structure(selectors.survey_current_version(survey))
    return survey, structure.questions


def form_data(questions: list[Any], i: int) -> dict[str, Any]:
    """A full response as the page posts it (field names of surveys.forms.answers_from_post)."""
    data: dict[str, Any] = {}
    for question in questions:
        name = f"q-{question.key}"
        choices = [c.key for c in question.choices.all()]
        if question.type == "single":
            data[name] = choices[i % 3]
        elif question.type == "multiple":
            data[name] = choices[: 1 + i % 3]
        elif question.type == "scale":
            data[name] = str(1 + i % 5)
        elif question.type == "short_text":
            data[name] = f"Więcej zieleni przy szkole ({i})"
        elif question.type == "number":
            data[name] = str(i % 1000)
        elif question.type == "matrix":
            for k, key in enumerate(choices):
                data[f"{name}-{key}"] = str(1 + (i + k) % 5)
        elif question.type == "date":
            data[name] = f"2026-05-{1 + i % 28:02d}"
    return data


def submission_in_process(host: str, path: str, questions: list[Any], count: int) -> dict[str, Any]:
    """The same POST through django.test.Client in this process (middleware, view, service):
    the SQL queries of one submission and this process's CPU milliseconds a submission,
    figures that the machine's load does not change (the HTTP rates do)."""
    from django.test import Client

    client = Client(HTTP_HOST=host, enforce_csrf_checks=False)

    def post(i: int) -> None:
        data = {"idempotency_key": str(uuid.uuid4()), **form_data(questions, i)}
        response = client.post(path, data)
        assert response.status_code == 302, response.status_code

    queries, cpu_ms = bench_remarks.posts_measure(post, count)
    return {
        "submissions": count,
        "queries_per_submission": len(queries),
        "queries": [q[:160] for q in queries],
        "cpu_ms_per_submission": round(cpu_ms, 2),
    }


def workers_cpu_seconds(master: subprocess.Popen[bytes]) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers together."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- 1. Submissions over HTTP -------------------------------------------------------------


def _client(
    port: int,
    host: str,
    path: str,
    questions: list[Any],
    count: int,
    out: list[float],
    accepted: list[str],
    errors: list[str],
    barrier: threading.Barrier,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        html = response.read().decode()
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if response.status != 200 or not cookie or not token:
            errors.append(f"form: HTTP {response.status}")
            barrier.abort()
            return
        barrier.wait()
        for i in range(count):
            key = str(uuid.uuid4())
            body = urlencode(
                {
                    "csrfmiddlewaretoken": token.group(1),
                    "idempotency_key": key,
                    **form_data(questions, i),
                },
                doseq=True,
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
            if response.status == 302:
                accepted.append(key)
            else:
                errors.append(f"post: HTTP {response.status}")
    finally:
        conn.close()


def submissions_measure(
    port: int, host: str, path: str, questions: list[Any], clients: int, per_client: int
) -> dict[str, Any]:
    from surveys.models import Response

    before = Response.objects.count()
    samples: list[float] = []
    accepted: list[str] = []
    errors: list[str] = []
    # The clock starts when every client holds its form (as in bench/remarks.py): the first
    # page of a freshly started worker (imports, first queries) is not a submission's cost.
    clock: list[float] = []
    barrier = threading.Barrier(clients, action=lambda: clock.append(time.perf_counter()))
    threads = [
        threading.Thread(
            target=_client,
            args=(port, host, path, questions, per_client, samples, accepted, errors, barrier),
        )
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - clock[0] if clock else float("inf")
    stored = Response.objects.filter(idempotency_key__in=accepted).count()
    return {
        "clients": clients,
        "submissions": clients * per_client,
        "accepted": len(accepted),
        "stored_new_rows": Response.objects.count() - before,
        "accepted_stored_exactly_once": stored == len(accepted) == len(set(accepted))
        and Response.objects.count() - before == len(accepted),
        "errors": errors[:5],
        "per_second": round(len(accepted) / elapsed, 1),
        **bench_remarks.summary(samples),
    }


def raw_insert_measure(
    schema: str, survey: Any, questions: list[Any], total: int
) -> dict[str, Any]:
    """The same rows by plain INSERTs, one transaction a response, RAW_CONNECTIONS at once."""
    import psycopg2
    from django.db import connection
    from django.http import QueryDict

    from surveys.forms import answers_from_post
    from surveys.selectors import version_structure
    from surveys.services import answers_check

    version = survey.versions.get()
    structure = version_structure(version)
    query = QueryDict(urlencode(form_data(questions, 1), doseq=True))
    rows, _shown = answers_check(structure, answers_from_post(structure.questions, query))
    answer_rows = [(r.question_id, r.choice_id, r.text, r.number, r.date) for r in rows]
    params = connection.settings_dict
    barrier = threading.Barrier(RAW_CONNECTIONS)
    per = total // RAW_CONNECTIONS

    failures: list[Exception] = []

    def insert() -> None:
        try:
            _insert()
        except Exception as exc:  # noqa: BLE001 - a failed insert stops the bench below
            failures.append(exc)
            barrier.abort()

    def _insert() -> None:
        conn = psycopg2.connect(
            dbname=params["NAME"],
            user=params["USER"],
            password=params["PASSWORD"],
            host=params["HOST"],
            port=params["PORT"],
        )
        try:
            with conn.cursor() as cur:
                cur.execute(f'SET search_path = "{schema}", public')
                conn.commit()
                barrier.wait()
                for _ in range(per):
                    cur.execute(
                        "INSERT INTO surveys_response (survey_id, version_id, idempotency_key, "
                        "browser_token, channel, created_at, updated_at) VALUES "
                        "(%s, %s, %s, '', 'online', now(), now()) RETURNING id",
                        [survey.pk, version.pk, str(uuid.uuid4())],
                    )
                    response_id = cur.fetchone()[0]
                    cur.executemany(
                        "INSERT INTO surveys_answer (response_id, question_id, choice_id, text, "
                        "number, date, file, file_kind) VALUES (%s, %s, %s, %s, %s, %s, '', '')",
                        [(response_id, *row) for row in answer_rows],
                    )
                    conn.commit()
        finally:
            conn.close()

    threads = [threading.Thread(target=insert) for _ in range(RAW_CONNECTIONS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"raw insert failed: {failures[0]!r}") from failures[0]
    done = per * RAW_CONNECTIONS
    return {
        "responses": done,
        "answer_rows_each": len(answer_rows),
        "connections": RAW_CONNECTIONS,
        "per_second": round(done / elapsed, 1),
    }


# --- 2 and 3. Results and the page at 100,000 responses -------------------------------------


def responses_seed(survey: Any, target: int) -> float:
    """Fill the survey up to ``target`` responses in SQL (generate_series): each copies the
    answers of a random earlier response, so the counts vary like real ones."""
    from django.db import connection

    from surveys.models import Response

    version = survey.versions.get()
    have = Response.objects.filter(survey=survey).count()
    missing = target - have
    if missing <= 0:
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE seed_source AS SELECT id, row_number() OVER (ORDER BY id) AS n "
            "FROM surveys_response WHERE survey_id = %s",
            [survey.pk],
        )
        cursor.execute("SELECT count(*) FROM seed_source")
        sources = cursor.fetchone()[0]
        cursor.execute(
            "CREATE TEMP TABLE seed_new AS SELECT g, gen_random_uuid() AS key, "
            "1 + (g %% %s) AS n FROM generate_series(1, %s) AS g",
            [sources, missing],
        )
        cursor.execute(
            "INSERT INTO surveys_response (survey_id, version_id, idempotency_key, "
            "browser_token, channel, created_at, updated_at) SELECT %s, %s, key, '', 'online', "
            "now(), now() FROM seed_new ORDER BY g",
            [survey.pk, version.pk],
        )
        cursor.execute(
            "INSERT INTO surveys_answer (response_id, question_id, choice_id, text, number, date, "
            "file, file_kind) "
            "SELECT r.id, a.question_id, a.choice_id, a.text, a.number, a.date, a.file, "
            "a.file_kind "
            "FROM seed_new s JOIN surveys_response r ON r.idempotency_key = s.key "
            "JOIN seed_source src ON src.n = s.n JOIN surveys_answer a ON a.response_id = src.id"
        )
        cursor.execute("DROP TABLE seed_source; DROP TABLE seed_new")
    # The rows went in around the submit service: count the results' tallies again, as the
    # submits would have kept them.
    from django.db import transaction

    from surveys.services.tallies import tallies_rebuild

    with transaction.atomic():
        tallies_rebuild(survey=survey)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE surveys_answer; ANALYZE surveys_resulttally")
    return time.perf_counter() - started


def page_measure(client: Any, url: str) -> dict[str, Any]:
    """Server time of the page, and this process's CPU milliseconds a request (the server
    time of a loaded machine is mostly waiting for a core; the CPU time is not)."""
    samples = []
    cpu = 0.0
    for i in range(REQUESTS + 3):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if i >= 3:
            cpu += time.process_time() - cpu_started
        assert response.status_code == 200, response.status_code
    return {
        **bench_remarks.summary(samples[3:]),
        "cpu_ms_per_request": round(cpu * 1000 / REQUESTS, 2),
    }


def results_measure(survey: Any) -> dict[str, Any]:
    from surveys.selectors import survey_results

    samples = []
    for _ in range(5):
        started = time.perf_counter()
        results = survey_results(survey)
        samples.append((time.perf_counter() - started) * 1000)
    return {"responses": results.responses, **bench_remarks.summary(samples[1:])}


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-surveys`")
    url = surveys_database_url(url)
    os.environ["SURVEY_RATE_LIMIT_RESPONSES"] = str(10**9)  # every client is 127.0.0.1
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    site_bench_setup(url)
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from consultations.models import Consultation, Department, ParticipationForm
    from tenants.services import municipality_provision

    municipality = municipality_provision(municipality_id=municipality_new("sv").pk)
    host = municipality.primary_host
    with schema_context(municipality.schema_name):
        admin = user_create(email="koordynator@bench.test", password=None, role="admin")
        department = Department.objects.create(name="Wydział Rozwoju")
        now = timezone.now()
        consultation = Consultation.objects.create(
            title="Park przy szkole",
            slug="park-przy-szkole",
            summary="S",
            description="D",
            department=department,
            status="open",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=20),
            payment_cleared_at=now,
        )
        ParticipationForm.objects.create(consultation=consultation, kind="survey")
        survey, questions = survey_build(admin, consultation)
    path = f"/konsultacje/{consultation.slug}/ankieta/"
    # the page with no response yet (requests from the public schema, as a real one starts)
    client = Client(HTTP_HOST=host)
    page_empty = page_measure(client, path)
    log(f"page with no response: p95 {page_empty['p95_ms']} ms")

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "platform_site.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    port = bench_remarks._free_port()
    web = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "platform_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(GUNICORN_WORKERS),
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env={**env, "PLATFORM_PORT": str(port)},
        stdout=sys.stderr,
        stderr=sys.stderr,
    )
    http_results = {}
    try:
        bench_remarks._wait(port)
        with schema_context(municipality.schema_name):
            for clients, per_client in ((10, PER_CLIENT), (50, max(1, PER_CLIENT // 5))):
                log(f"{clients} clients × {per_client} responses over HTTP (gunicorn)")
                cpu_before = workers_cpu_seconds(web)
                result = submissions_measure(port, host, path, questions, clients, per_client)
                # The workers' CPU a submission (each client's one GET of the form included):
                # independent of what else runs on the machine.
                result["workers_cpu_ms_per_submission"] = round(
                    (workers_cpu_seconds(web) - cpu_before) * 1000 / max(1, result["accepted"]),
                    1,
                )
                result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
                log(f"  {result['per_second']}/s, p95 {result['p95_ms']} ms")
                http_results[f"clients_{clients}"] = result
    finally:
        web.terminate()
        web.wait(20)
    log("submissions in process (queries, CPU time)")
    in_process = submission_in_process(host, path, questions, SUBMISSIONS_IN_PROCESS)
    log(
        f"  {in_process['queries_per_submission']} queries, "
        f"{in_process['cpu_ms_per_submission']} ms CPU"
    )
    with schema_context(municipality.schema_name):
        raw = raw_insert_measure(
            municipality.schema_name, survey, questions, http_results["clients_10"]["accepted"]
        )
        log(f"  raw inserts {raw['per_second']}/s")
        log(f"seeding to {RESPONSES} responses")
        seed_s = responses_seed(survey, RESPONSES)
        results = results_measure(survey)
        log(f"results at {results['responses']}: p95 {results['p95_ms']} ms")
    page_full = page_measure(client, path)
    best = max(r["per_second"] for r in http_results.values())
    worst_p95 = max(r["p95_ms"] for r in http_results.values())
    result = {
        "machine": machine_info(),
        "questions": len(questions),
        "gunicorn_workers": GUNICORN_WORKERS,
        "load_average_at_start": load_at_start,
        "submissions_http": http_results,
        "submission_in_process": in_process,
        "raw_insert": raw,
        "submissions_share_of_raw": {
            k: round(r["per_second"] / raw["per_second"], 3) for k, r in http_results.items()
        },
        "results": {**results, "seed_seconds": round(seed_s, 1)},
        "page": {
            "no_response": page_empty,
            f"at_{results['responses']}": page_full,
            "ratio_median": round(page_full["median_ms"] / page_empty["median_ms"], 3),
            "ratio_cpu": round(
                page_full["cpu_ms_per_request"] / page_empty["cpu_ms_per_request"], 3
            ),
        },
        "goals": {
            "submissions_at_least_25_percent_of_raw": best >= 0.25 * raw["per_second"],
            "submissions_at_least_100_per_second": best >= 100,
            "submissions_p95_under_500_ms": worst_p95 < 500,
            "every_accepted_response_stored_once": all(
                r["accepted_stored_exactly_once"] for r in http_results.values()
            ),
            "results_under_1_s": results["p95_ms"] < 1000,
            "page_at_most_1_2x": page_full["median_ms"] <= 1.2 * page_empty["median_ms"],
            "page_at_most_1_2x_cpu": page_full["cpu_ms_per_request"]
            <= 1.2 * page_empty["cpu_ms_per_request"],
        },
    }
    json.dump(result, real_stdout, indent=2, ensure_ascii=False)
    real_stdout.write("\n")
    return 0


if __name__ == "__main__":
    with stdout_to_stderr() as real_stdout:
        sys.exit(main(real_stdout))
