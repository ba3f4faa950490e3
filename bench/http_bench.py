"""HTTP benchmark: gunicorn (3 sync workers, as ``make run`` starts it) serving a static file
and residents' pages at 1 and 10 concurrent clients, then every municipality's home page
round-robin, with the memory of the workers and of their PostgreSQL backends after that round.
Three database connection policies side by side in one run:

- ``new_connection_per_request``: ``CONN_MAX_AGE=0`` (before);
- ``persistent_unbounded``: kept for 10 minutes whatever they serve (the experiment of
  issue 14, where one backend grew to 291 MiB);
- ``persistent_bounded``: the settings' defaults (kept a minute, retired after
  ``DB_CONN_MAX_SCHEMAS`` schemas, tenants/connections.py; gunicorn.conf.py's max_requests).

    make bench-http > bench-http.json    (python bench/http.py runs this file's main)

The database (name must contain "bench") is dropped and filled with ``BENCH_HTTP_TENANTS``
municipalities (default 1,000) by template clone, and the first gets 1,000 consultations as
in bench/pages.py; ``BENCH_HTTP_REUSE=1`` keeps a database filled before (e.g. by
bench/release.py) and only seeds it. Prints one JSON object; progress goes to stderr.

``BENCH_HTTP_MODES`` chooses what is measured (default ``direct,nginx_tls``):

- ``direct``: the policies above, clients talking plain HTTP to gunicorn;
- ``nginx_tls``: the production shape of ``make deploy-check`` (platform_site/deploystack.py:
  a CA and wildcard certificate made for the run, Debian's nginx with
  deploy/nginx-locations.conf terminating TLS, gunicorn with the production settings and
  ``WORKERS`` workers): a static file served by nginx itself (the ceiling) and the home,
  filtered list and consultation page at 1, 10 and 50 concurrent clients, each client one
  keep-alive HTTPS connection (the certificate verified against the run's CA), with requests
  per second, p50/p95/p99 and the CPU milliseconds per request of gunicorn's workers and of
  nginx (from /proc: independent of other load).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from provision import (
    ROOT,
    bench_django_setup,
    database_reset,
    fill_to,
    kib,
    log,
    machine_info,
    r3,
    result_print,
)

TENANTS = int(os.environ.get("BENCH_HTTP_TENANTS", "1000"))
CONSULTATIONS = int(os.environ.get("BENCH_HTTP_CONSULTATIONS", "1000"))
SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "5"))  # per page and concurrency
CLIENTS = (1, 10)
WORKERS = 3
STATIC = "/static/css/site.css"
GOAL_SHARE_OF_STATIC = 0.5  # pages at 10 clients, as a share of the static file's rate
POLICIES = {
    "new_connection_per_request": {"DB_CONN_MAX_AGE": "0"},
    "persistent_unbounded": {"DB_CONN_MAX_AGE": "600", "DB_CONN_MAX_SCHEMAS": "1000000"},
    "persistent_bounded": {},
    # The settings' defaults with the page cache off: every page rendered.
    "persistent_bounded_no_page_cache": {"PAGE_CACHE_SECONDS": "0"},
}
# BENCH_HTTP_POLICIES=persistent_bounded,persistent_bounded_no_page_cache picks some.
POLICIES_CHOSEN = [
    name
    for name in os.environ.get("BENCH_HTTP_POLICIES", ",".join(POLICIES)).split(",")
    if name in POLICIES
]


MODES = [m for m in os.environ.get("BENCH_HTTP_MODES", "direct,nginx_tls").split(",") if m]
TLS_CLIENTS = (1, 10, 50)


def http_get(port: int, host: str, path: str) -> int:
    """One request on a new TCP connection (gunicorn's sync workers close each one): the
    status code."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks[:1])[:12]
    return int(head[9:12]) if head.startswith(b"HTTP/") else 0


def client_loop(args: tuple[int, str, str, float]) -> tuple[int, int, list[float]]:
    port, host, path, seconds = args
    ok = errors = 0
    latencies = []
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        try:
            status = http_get(port, host, path)
        except OSError:
            status = 0
        latencies.append(time.perf_counter() - started)
        if status == 200:
            ok += 1
        else:
            errors += 1
    return ok, errors, latencies


def https_client_loop(args: tuple[int, str, str, float, str]) -> tuple[int, int, list[float]]:
    """One client: a keep-alive HTTPS connection through nginx (verified against the run's
    CA, ``host`` as SNI), one request at a time for ``seconds``. A connection that nginx
    closed (keepalive_requests) is opened again and the request sent once more."""
    import http.client
    import ssl

    from platform_site.deploystack import LoopbackHTTPS

    port, host, path, seconds, cafile = args
    context = ssl.create_default_context(cafile=cafile)
    connection = LoopbackHTTPS(host, port, context=context, timeout=30)
    ok = errors = 0
    latencies = []
    deadline = time.perf_counter() + seconds
    while (started := time.perf_counter()) < deadline:
        status = 0
        for _attempt in range(2):
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                break
            except (http.client.HTTPException, OSError):
                connection.close()
        latencies.append(time.perf_counter() - started)
        if status == 200:
            ok += 1
        else:
            errors += 1
    connection.close()
    return ok, errors, latencies


def percentile(latencies: list[float], share: float) -> float:
    """The latency below which ``share`` of the (sorted) requests finished, in ms."""
    return round(latencies[min(len(latencies) - 1, round(share * (len(latencies) - 1)))] * 1000, 2)


def workers_cpu(master: subprocess.Popen[bytes]) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each gunicorn worker, by pid."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(pid)] = (int(fields[11]) + int(fields[12])) / tick
    return out


def rate(
    pool: Any, port: int, host: str, path: str, clients: int, master: subprocess.Popen[bytes]
) -> dict[str, Any]:
    """Requests a second over SECONDS, ``clients`` processes each sending one at a time, and
    the workers' CPU per request (load-independent; None if a worker was replaced meanwhile
    by max_requests)."""
    # Warm up every worker (templates, translations, caches, connections): the pool spreads
    # these over processes, so each gunicorn worker gets some.
    pool.starmap(http_get, [(port, host, path)] * (4 * WORKERS * clients), chunksize=1)
    load = os.getloadavg()[0]
    cpu_before = workers_cpu(master)
    results = pool.map(client_loop, [(port, host, path, SECONDS)] * clients, chunksize=1)
    cpu_after = workers_cpu(master)
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(latency for r in results for latency in r[2])
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    same_workers = set(cpu_before) == set(cpu_after)
    cpu_ms = (
        round((sum(cpu_after.values()) - sum(cpu_before.values())) * 1000 / (ok + errors), 3)
        if same_workers and ok + errors
        else None
    )
    return {
        "requests_per_second": round(ok / SECONDS, 1),
        "worker_cpu_ms_per_request": cpu_ms,
        "errors": errors,
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "load_average_1min": round(load, 2),
    }


def round_robin(pool: Any, port: int, hosts: list[str], clients: int) -> dict[str, Any]:
    """Every municipality's home page once, spread over ``clients`` processes."""
    started = time.perf_counter()
    statuses = pool.starmap(http_get, [(port, host, "/") for host in hosts], chunksize=10)
    seconds = time.perf_counter() - started
    return {
        "requests": len(hosts),
        "not_200": sum(1 for s in statuses if s != 200),
        "seconds": r3(seconds),
        "requests_per_second": round(len(hosts) / seconds, 1),
    }


def memory(master: subprocess.Popen[bytes]) -> dict[str, Any]:
    """RSS of the gunicorn workers, and private memory (RssAnon: catalogue caches live there,
    shared buffers do not) of the PostgreSQL backends connected to the bench database."""
    from django.db import connection

    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    workers = [kib(int(pid), "VmRSS") or 0 for pid in children]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    backends = [kib(pid, "RssAnon") for pid in pids]
    backends_known = [b for b in backends if b is not None]

    def mib(values: list[int]) -> float | None:
        return round(max(values) / 1024, 1) if values else None

    return {
        "workers": len(workers),
        "worker_rss_mib_max": mib(workers),
        "worker_rss_mib_total": round(sum(workers) / 1024, 1),
        "postgres_backends": len(pids),
        "postgres_backend_private_mib_max": mib(backends_known),
        "postgres_backend_private_mib_total": round(sum(backends_known) / 1024, 1),
        "postgres_backend_memory_readable": len(backends_known) == len(pids),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(env: dict[str, str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    master = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "platform_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return master, port
        time.sleep(0.2)
    master.kill()
    raise RuntimeError("gunicorn did not start")


def gunicorn_stop(master: subprocess.Popen[bytes]) -> None:
    master.send_signal(signal.SIGTERM)
    try:
        master.wait(30)
    except subprocess.TimeoutExpired:
        master.kill()
        master.wait()


def seed(first_schema: str) -> dict[str, str]:
    """1,000 consultations in the first municipality (once), as bench/pages.py makes them;
    the measured paths."""
    from django_tenants.utils import schema_context
    from pages import catalogue_seed, consultations_seed, extras_seed, pages_make

    from consultations.models import Area, Category, Consultation, Department

    with schema_context(first_schema):
        if not Consultation.objects.exists():
            catalogue = catalogue_seed()
            for start in range(0, CONSULTATIONS, 500):
                consultations_seed(start, min(start + 500, CONSULTATIONS), catalogue)
            extras_seed(catalogue)
        catalogue = {
            "departments": list(Department.objects.order_by("pk")),
            "areas": list(Area.objects.order_by("pk")),
            "categories": list(Category.objects.order_by("pk")),
        }
        paths = pages_make(catalogue)
    return {
        "static": STATIC,
        "home": paths["home"],
        "list": paths["list_filters"],
        "consultation": paths["detail"],
    }


def policy_measure(
    name: str, extra_env: dict[str, str], paths: dict[str, str], host: str, hosts: list[str]
) -> dict[str, Any]:
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "platform_site.settings", **extra_env}
    log(f"{name}: gunicorn {WORKERS} workers, {extra_env or 'settings defaults'}")
    master, port = gunicorn_start(env)
    out: dict[str, Any] = {"environment": extra_env}
    try:
        with multiprocessing.Pool(max(CLIENTS)) as pool:
            for page, path in paths.items():
                out[page] = {}
                for clients in CLIENTS:
                    out[page][f"clients_{clients}"] = rate(pool, port, host, path, clients, master)
                    log(f"  {page} x{clients}: {out[page][f'clients_{clients}']}")
            static_10 = out["static"]["clients_10"]["requests_per_second"]
            out["share_of_static_at_10_clients"] = {
                page: round(out[page]["clients_10"]["requests_per_second"] / static_10, 3)
                for page in paths
                if page != "static" and static_10
            }
            log(f"  round-robin over {len(hosts)} municipalities' home pages")
            out["round_robin"] = round_robin(pool, port, hosts, max(CLIENTS))
            log(f"    {out['round_robin']}")
        out["memory_after_round"] = memory(master)
        log(f"    {out['memory_after_round']}")
    finally:
        gunicorn_stop(master)
        connection.close()
    return out


def tls_rate(
    pool: Any,
    stack: Any,
    host: str,
    path: str,
    clients: int,
) -> dict[str, Any]:
    """Requests a second and latency percentiles through nginx over TLS, ``clients``
    processes each on one keep-alive connection; CPU per request of gunicorn's workers and of
    nginx's."""
    web, proxy = stack.processes["web"], stack.processes["nginx"]
    cafile = str(stack.certs.ca_cert)
    # Warm-up: every gunicorn worker renders the page, nginx opens its upstream connections.
    pool.map(https_client_loop, [(stack.port, host, path, 0.5, cafile)] * clients, chunksize=1)
    load = os.getloadavg()[0]
    web_before, proxy_before = workers_cpu(web), workers_cpu(proxy)
    results = pool.map(
        https_client_loop, [(stack.port, host, path, SECONDS, cafile)] * clients, chunksize=1
    )
    web_after, proxy_after = workers_cpu(web), workers_cpu(proxy)
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    latencies = sorted(latency for r in results for latency in r[2])

    def cpu_ms(before: dict[int, float], after: dict[int, float]) -> float | None:
        if set(before) != set(after) or not ok + errors:
            return None  # a worker was replaced meanwhile (max_requests)
        return round((sum(after.values()) - sum(before.values())) * 1000 / (ok + errors), 3)

    return {
        "requests_per_second": round(ok / SECONDS, 1),
        "errors": errors,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "gunicorn_cpu_ms_per_request": cpu_ms(web_before, web_after),
        "nginx_cpu_ms_per_request": cpu_ms(proxy_before, proxy_after),
        "load_average_1min": round(load, 2),
    }


def nginx_tls_measure(paths: dict[str, str], host: str) -> dict[str, Any]:
    """The production shape (deploystack.production_stack, no worker or beat): each page
    and the static file at 1, 10 and 50 clients, in one run."""
    from django.conf import settings
    from django.db import connection

    from platform_site.deploystack import nginx_binary, production_stack

    if nginx_binary() is None:
        return {"error": "nginx is missing: `make deploy-deps` installs Debian's"}
    db = connection.settings_dict
    folder = ROOT / "var" / "bench" / "http-nginx"
    log(f"nginx_tls: nginx over TLS, gunicorn {WORKERS} workers, production settings")
    out: dict[str, Any] = {}
    with production_stack(
        folder,
        database_url=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        redis_url=settings.REDIS_URL,
        media_root=Path(settings.MEDIA_ROOT),
        apex=settings.PLATFORM_DOMAIN,
        extra_env={"STRIPE_WEBHOOK_SECRET": "whsec_bench", "LOG_LEVEL": "WARNING"},
        web_workers=WORKERS,
        background=False,
    ) as stack:
        out["server"] = (
            "nginx, 1 worker process, TLS (deploy/nginx-locations.conf); gunicorn "
            f"{WORKERS} sync workers, production settings (platform_site/deploystack.py)"
        )
        with multiprocessing.Pool(max(TLS_CLIENTS)) as pool:
            # gunicorn's workers import the site after the port opens: let each render every
            # page once before anything is measured, the static file included.
            cafile = str(stack.certs.ca_cert)
            for path in paths.values():
                pool.map(
                    https_client_loop,
                    [(stack.port, host, path, 1.0, cafile)] * (2 * WORKERS),
                    chunksize=1,
                )
            for page, path in paths.items():
                out[page] = {}
                for clients in TLS_CLIENTS:
                    figures = tls_rate(pool, stack, host, path, clients)
                    out[page][f"clients_{clients}"] = figures
                    log(f"  {page} x{clients}: {figures}")
        out["share_of_static"] = {
            f"clients_{clients}": {
                page: round(
                    out[page][f"clients_{clients}"]["requests_per_second"]
                    / out["static"][f"clients_{clients}"]["requests_per_second"],
                    4,
                )
                for page in paths
                if page != "static" and out["static"][f"clients_{clients}"]["requests_per_second"]
            }
            for clients in TLS_CLIENTS
        }
        errors = stack.log("web").count("Traceback")
        out["web_log_tracebacks"] = errors
    connection.close()
    return out


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-http`")
    reuse = os.environ.get("BENCH_HTTP_REUSE") == "1"
    # Two labels: the run's wildcard certificate (nginx_tls) covers <subdomain>.<apex>, and
    # no TLS client accepts a wildcard directly below a top-level name such as "localhost".
    os.environ.setdefault("PLATFORM_DOMAIN", "konsulta.localhost")
    import dj_database_url

    name = str(dj_database_url.parse(url)["NAME"])
    # A bench's own database: bench/*.py make them ("bench"), bench/scale.py too ("scale").
    if "bench" not in name and not (reuse and "scale" in name):
        raise SystemExit("the database's name must contain 'bench'")
    if not reuse:
        log(f"database {database_reset(url)} dropped and created again")
    bench_django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from tenants.models import Domain, Municipality

    if not reuse:
        call_command("schemas_migrate", verbosity=0)
        created, seconds = fill_to(TENANTS)
        log(f"{created} municipalities added by clone in {seconds:.0f} s")
    municipalities = list(
        Municipality.objects.exclude(schema_name="public")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    domains = dict(
        Domain.objects.filter(is_primary=True, tenant_id__in=municipalities).values_list(
            "tenant_id", "domain"
        )
    )
    hosts = [domains[pk] for pk in municipalities if pk in domains]
    first = Municipality.objects.get(pk=municipalities[0])
    paths = seed(first.schema_name)
    log(f"{len(hosts)} municipalities; pages of {hosts[0]}: {paths}")
    result: dict[str, Any] = {
        "benchmark": "http",
        "machine": machine_info(),
        "modes": MODES,
        "seconds_per_measurement": SECONDS,
        "municipalities": len(hosts),
        "paths": paths,
    }
    if "direct" in MODES:
        policies = {
            name: policy_measure(name, extra, paths, hosts[0], hosts)
            for name, extra in POLICIES.items()
            if name in POLICIES_CHOSEN
        }
        result.update(
            server=f"gunicorn, {WORKERS} sync workers, gunicorn.conf.py",
            client="one process per concurrent client, a new TCP connection per request",
            policies=policies,
        )
        bounded = policies.get("persistent_bounded")
        result["goals"] = {
            "pages_share_of_static_at_10_clients_goal": GOAL_SHARE_OF_STATIC,
            "pages_share_of_static_at_10_clients": bounded["share_of_static_at_10_clients"]
            if bounded
            else None,
            "db_conn_max_schemas": settings.DB_CONN_MAX_SCHEMAS,
            "backend_private_mib_max_after_round": {
                name: p["memory_after_round"]["postgres_backend_private_mib_max"]
                for name, p in policies.items()
            },
        }
    if "nginx_tls" in MODES:
        result["nginx_tls"] = {
            "client": "one process per concurrent client, one keep-alive HTTPS connection "
            "each (HTTP/1.1, certificate verified against the run's CA)",
            **nginx_tls_measure(paths, hosts[0]),
        }
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return result_print(result, real_stdout)
