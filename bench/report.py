"""The consultation report benchmark. Prints one JSON object.

    make bench-report > bench-report.json

A closed consultation with 5,000 remarks (all answered and approved) and 100,000 survey
responses. Measured: building the report's data (every kind's section through the
registry, with the personal-data redaction), then each format rendered from it (PDF, ODT,
DOCX, XLSX, CSV) and the HTML page's body: wall time, CPU seconds (the process's and its
children's: what compares on a shared machine), the load average, and the peak resident
memory of the process doing it (each format in a forked child, so one format's peak is not
hidden by another's; the child starts with the parent's memory, so the figure is what a
worker holding the data needs) and, where the PDF's worker processes ran, ``peak_mb_all``:
the largest worker's peak times the number of workers added to what the process held while
they ran, or the process's own peak, whichever is larger. Then the whole job as the
Celery worker runs it (reports.services.report_version_render) in one process (with the
PDF's workers). Goals: < 60 s in all, < 500 MB.

Run through ``platform_site.devservices --profile bench``; the script uses the database
named like the bench one with ``_report`` added (or ``BENCH_REPORT_DATABASE`` when set, so
that benches run side by side do not share one), dropped and created again first.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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

REMARKS = int(os.environ.get("BENCH_REPORT_REMARKS", "5000"))
RESPONSES = int(os.environ.get("BENCH_REPORT_RESPONSES", "100000"))
GOAL_SECONDS = 60
GOAL_MB = 500


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _rss_together_kb(pid: int) -> int:
    """The resident memory (kB) of the process ``pid`` and of its children, now."""
    total = 0
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        with open(f"/proc/{pid}/task/{pid}/children") as children:
            for child in children.read().split():
                total += _rss_together_kb(int(child))
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return total


def _sample_together(stop: Any, peak: list[int]) -> None:
    """Every 20 ms, the memory of this process and its children together (the largest seen,
    ``peak[0]``) and this process's own while it has children (``peak[1]``)."""
    pid = os.getpid()
    while not stop.wait(0.02):
        together = _rss_together_kb(pid)
        peak[0] = max(peak[0], together)
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                has_children = bool(children.read().split())
        except OSError:
            has_children = False
        if has_children:
            with open(f"/proc/{pid}/status") as status:
                own = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
            peak[1] = max(peak[1], own)


def _in_child(job: Any) -> dict[str, Any]:
    """Run ``job()`` in a forked child; its seconds, peak RSS (MB) and result size."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        from django.db import connections

        # The child must not share the parent's database socket.
        for conn in connections.all():
            conn.connection = None
            # django-tenants skips SET search_path when it believes it is set already.
            if hasattr(conn, "search_path_set_schemas"):
                conn.search_path_set_schemas = None
        import threading

        stop, together = threading.Event(), [0, 0]
        sampler = threading.Thread(target=_sample_together, args=(stop, together), daemon=True)
        sampler.start()
        started = time.perf_counter()
        cpu = time.process_time()
        size = len(job())
        stop.set()
        sampler.join()
        seconds = time.perf_counter() - started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        result = {
            "seconds": seconds,
            "cpu_seconds": round(
                time.process_time() - cpu + children.ru_utime + children.ru_stime, 2
            ),
            "peak_mb": _rss_mb(),
            "bytes": size,
            "load_average": [round(value, 2) for value in os.getloadavg()],
        }
        if children.ru_maxrss:
            # The PDF's worker processes (reports.pdf_worker), run side by side: the largest
            # one's peak counted once per worker, added to what this process held while they
            # ran (its sampled peak then), or this process's own peak at any other time,
            # whichever is larger: an upper bound of the memory held together.
            from reports.formats.pdf import PDF_WORKERS

            result["workers_peak_mb"] = round(children.ru_maxrss / 1024, 1)
            result["peak_mb_while_workers"] = round(together[1] / 1024, 1)
            result["peak_mb_all"] = round(
                max(
                    result["peak_mb"],
                    result["peak_mb_while_workers"] + PDF_WORKERS * result["workers_peak_mb"],
                ),
                1,
            )
            # Sampled: the most this process and its workers held at one moment.
            result["peak_mb_together_sampled"] = round(together[0] / 1024, 1)
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.waitpid(pid, 0)
    result = json.loads(b"".join(chunks))
    result["seconds"] = round(result["seconds"], 2)
    return result


def main(real_stdout: Any) -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is not set: run `make bench-report`")
    parts = urlsplit(url)
    name = os.environ.get("BENCH_REPORT_DATABASE") or (
        f"{parts.path.lstrip('/') or 'konsulta_bench'}_report"
    )
    url = urlunsplit(parts._replace(path=f"/{name}"))
    site_bench_setup(url)
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from accounts.services import user_create
    from consultations.models import Consultation, Department, ParticipationForm
    from reports import builder, services
    from reports.formats import FORMATS
    from reports.formats.html import report_body_html
    from reports.models import ReportVersion
    from tenants.services import municipality_provision
    from tests.reports.helpers import remarks_seed, survey_seed

    municipality = municipality_provision(municipality_id=municipality_new("rp").pk)
    from datetime import timedelta

    with schema_context(municipality.schema_name):
        clerk = user_create(email="koordynator@bench.test", password=None, role="coordinator")
        approver = user_create(email="zastepca@bench.test", password=None, role="coordinator")
        department = Department.objects.create(name="Wydział Rozwoju")
        department.coordinators.add(clerk, approver)
        now = timezone.now()
        consultation = Consultation.objects.create(
            title="Rewitalizacja rynku",
            slug="rewitalizacja-rynku",
            summary="Streszczenie.",
            description="Opis konsultacji.",
            department=department,
            status="closed",
            starts_at=now - timedelta(days=40),
            ends_at=now - timedelta(days=1),
            closed_at=now - timedelta(days=1),
            payment_cleared_at=now,
        )
        for position, kind in enumerate(("remarks", "survey")):
            ParticipationForm.objects.create(
                consultation=consultation, kind=kind, position=position
            )
        log(f"seeding {REMARKS} remarks")
        remarks_seed(consultation, count=REMARKS, drafter=clerk, approver=approver, grouped=50)
        log(f"seeding {RESPONSES} survey responses")
        survey_seed(consultation, responses=RESPONSES)
        services.report_conclusions_save(
            acting_user=clerk,
            consultation_id=consultation.pk,
            html="<p>Wnioski: <strong>park otwarty dłużej</strong>.</p>",
        )
        rss_before = _rss_mb()
        log("building the data")
        started = time.perf_counter()
        data = builder.report_data(consultation, conclusions_html="<p>Wnioski.</p>")
        build_s = round(time.perf_counter() - started, 2)
        build_mb = _rss_mb()
        per_format: dict[str, Any] = {"data": {"seconds": build_s, "peak_mb": build_mb}}
        per_format["html"] = _in_child(lambda: report_body_html(data).encode())
        log(f"  html {per_format['html']}")
        for code, fmt in FORMATS.items():
            per_format[code] = _in_child(lambda fmt=fmt: fmt.render(data))
            log(f"  {code} {per_format[code]}")
        separate_total = round(sum(v["seconds"] for v in per_format.values()), 2)

        log("the whole job as the worker runs it")
        version = ReportVersion.objects.create(consultation=consultation, created_by=clerk)

        def whole_job() -> bytes:
            services.report_version_render(version_id=version.pk)
            return b"x"

        job = _in_child(whole_job)
        rows = sum(
            len(block["rows"])
            for section in data["sections"]
            for block in section["blocks"]
            if block["type"] == "table"
        )
    result = {
        "machine": machine_info(),
        "remarks": REMARKS,
        "survey_responses": RESPONSES,
        "table_rows": rows,
        "rss_before_mb": rss_before,
        "per_format": per_format,
        "formats_total_seconds": separate_total,
        "worker_job": job,
        "load_average_end": [round(value, 2) for value in os.getloadavg()],
        "goals": {"total_seconds": GOAL_SECONDS, "peak_mb": GOAL_MB},
        "meets_goals": job["seconds"] < GOAL_SECONDS
        and max(v.get("peak_mb_all", v["peak_mb"]) for v in per_format.values()) < GOAL_MB
        and job.get("peak_mb_all", job["peak_mb"]) < GOAL_MB,
    }
    real_stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    real_stdout.flush()
    return 0


if __name__ == "__main__":
    with stdout_to_stderr() as out:
        sys.exit(main(out))
