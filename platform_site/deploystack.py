"""The production shape on loopback, for `make deploy-check` (tests/deploy/test_deploy_check.py).

What a provider runs on one host, started from this repository on this machine:

- a certificate authority made for this run and a wildcard certificate it signs for the apex
  domain and ``*.<apex>`` (openssl);
- Debian's nginx terminating TLS on a high loopback port with ``deploy/nginx-locations.conf``
  (the same locations as ``deploy/nginx.conf``): it passes the host, sets the forwarded
  address, protocol and a request id, serves ``/static/`` from the collected files itself and
  leaves ``/media/`` to Django;
- gunicorn, a Celery worker and celery beat with the production settings: a secret from the
  environment, DEBUG off, ``https`` links, secure cookies, HSTS, one trusted proxy hop.

The apex defaults to ``konsulta.localhost``: Chromium resolves every ``*.localhost`` name to
loopback, so no resolver or hosts file is touched, and no port below 1024 is needed.
``production_stack()`` stops every process it started, in reverse order, whatever happens.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
BIN = Path(sys.executable).parent
DEFAULT_APEX = "konsulta.localhost"
# Where deploy/nginx-locations.conf expects the collected static files in the image.
IMAGE_STATIC_ROOT = "/app/var/static/"


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if Path(p).exists()), None
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- Certificates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    ca_cert: Path
    chain: Path  # the site's certificate followed by the CA's, as nginx sends them
    key: Path
    ca_spki_sha256: str  # base64, as Chromium's --ignore-certificate-errors-spki-list wants


def _openssl(*args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], check=True, capture_output=True, input=stdin).stdout


def certificates_make(folder: Path, apex: str) -> Certificates:
    """A fresh CA (valid two days) and a certificate it signs for ``apex`` and ``*.apex``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_cert = folder / "ca.key", folder / "ca.pem"
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
        "-keyout", str(ca_key), "-out", str(ca_cert),
        "-subj", "/O=Konsulta deploy-check/CN=Konsulta deploy-check CA",
        "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    key, csr, cert = folder / "site.key", folder / "site.csr", folder / "site.pem"
    _openssl(
        "req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
        "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={apex}",
    )  # fmt: skip
    extensions = folder / "site.ext"
    extensions.write_text(
        f"subjectAltName=DNS:{apex},DNS:*.{apex}\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
    )
    _openssl(
        "x509", "-req", "-sha256", "-days", "2", "-in", str(csr),
        "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
        "-extfile", str(extensions), "-out", str(cert),
    )  # fmt: skip
    chain = folder / "chain.pem"
    chain.write_bytes(cert.read_bytes() + ca_cert.read_bytes())
    public_key = _openssl("x509", "-in", str(ca_cert), "-noout", "-pubkey")
    spki = _openssl("pkey", "-pubin", "-outform", "DER", stdin=public_key)
    digest = base64.b64encode(hashlib.sha256(spki).digest()).decode()
    for secret in (ca_key, key):
        secret.chmod(0o600)
    return Certificates(ca_cert=ca_cert, chain=chain, key=key, ca_spki_sha256=digest)


# --- nginx ------------------------------------------------------------------------------------


def nginx_config_write(
    folder: Path, *, apex: str, port: int, upstream_port: int, certs: Certificates
) -> Path:
    """nginx.conf for an unprivileged, self-contained nginx: the production locations
    (deploy/nginx-locations.conf) with the static folder of this checkout."""
    from django.conf import settings

    static_root = str(settings.STATIC_ROOT).rstrip("/") + "/"
    folder.mkdir(parents=True, exist_ok=True)
    locations = (DEPLOY / "nginx-locations.conf").read_text()
    if IMAGE_STATIC_ROOT not in locations:
        raise RuntimeError(f"deploy/nginx-locations.conf no longer aliases {IMAGE_STATIC_ROOT}")
    (folder / "locations.conf").write_text(locations.replace(IMAGE_STATIC_ROOT, static_root))
    temp = folder / "temp"
    temp.mkdir(parents=True, exist_ok=True)
    user_line = ""
    if os.geteuid() == 0:
        # Workers never run as root: Debian's www-data reads the static files and owns the
        # temporary folders.
        entry = pwd.getpwnam("www-data")
        user_line = "user www-data;"
        for path in [temp, *temp.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    config = folder / "nginx.conf"
    config.write_text(
        f"""# Written by platform_site/deploystack.py for one `make deploy-check` run.
{user_line}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder}/access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    sendfile on;
    upstream konsulta_web {{ server 127.0.0.1:{upstream_port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{port} ssl http2;
        server_name {apex} *.{apex};
        ssl_certificate     {certs.chain};
        ssl_certificate_key {certs.key};
        ssl_protocols TLSv1.2 TLSv1.3;
        include {folder}/locations.conf;
    }}
}}
"""
    )
    return config


# --- The stack --------------------------------------------------------------------------------


@dataclass
class ProductionStack:
    apex: str
    port: int
    web_port: int
    certs: Certificates
    folder: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def url(self, host: str, path: str = "/") -> str:
        return f"https://{host}:{self.port}{path}"

    def host(self, subdomain: str = "") -> str:
        return f"{subdomain}.{self.apex}" if subdomain else self.apex

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def ssl_context(self) -> ssl.SSLContext:
        """Verifies the chain against this run's CA only, and the host name."""
        context = ssl.create_default_context(cafile=str(self.certs.ca_cert))
        context.load_verify_locations(cafile=str(self.certs.ca_cert))
        return context

    def connection(self, host: str) -> http.client.HTTPSConnection:
        """A connection through nginx on loopback, the certificate verified for ``host``."""
        return LoopbackHTTPS(host, self.port, context=self.ssl_context(), timeout=30)

    def https(
        self, host: str, path: str, *, headers: dict[str, str] | None = None
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """GET through nginx on loopback, the certificate verified for ``host``."""
        connection = self.connection(host)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def direct(self, host: str, path: str) -> tuple[int, http.client.HTTPMessage, bytes]:
        """Plain HTTP straight to gunicorn, bypassing nginx (as a local probe would)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=30)
        try:
            connection.request("GET", path, headers={"Host": host})
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()


class LoopbackHTTPS(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 whatever the name: *.localhost needs no resolver this way; the
    name still goes out as SNI and is what the certificate is checked against."""

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def production_env(
    *,
    apex: str,
    port: int,
    database_url: str,
    redis_url: str,
    media_root: Path,
    mail_dir: Path,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """The environment of web, worker and beat: production, every secret given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "KONSULTA_", "PLATFORM_", "STRIPE_", "BILLING_"))
    }
    env.update(
        {
            "KONSULTA_ENV": "production",
            "DJANGO_SETTINGS_MODULE": "platform_site.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
            "PLATFORM_DOMAIN": apex,
            # Links carry the port only because this check cannot listen on 443.
            "PLATFORM_PORT": str(port),
            "KONSULTA_TRUSTED_PROXY_HOPS": "1",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "MEDIA_ROOT": str(media_root),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "BILLING_PROVIDER_NAME": "Konsulta deploy-check sp. z o.o.",
            "BILLING_PROVIDER_NIP": "5260250274",
            "BILLING_PROVIDER_ADDRESS": "ul. Próbna 1, 00-001 Warszawa",
            "BILLING_PROVIDER_BANK_ACCOUNT": "PL61 1090 1014 0000 0712 1981 2874",
            "TENANT_SPARE_SCHEMAS": "0",
            "LOG_LEVEL": "INFO",
            **(extra or {}),
        }
    )
    return env


def _wait_for(port: int, process: subprocess.Popen[bytes], name: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        if port_open(port):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{name}: nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in reversed(list(processes.values())):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _background_start(start: Any, folder: Path) -> None:
    """The Celery worker and beat, started by ``production_stack``'s ``start``."""
    start(
        "worker",
        [
            str(BIN / "celery"), "-A", "platform_site", "worker", "--concurrency", "1",
            "--loglevel", "INFO", "--without-gossip", "--without-mingle",
        ],
    )  # fmt: skip
    start(
        "beat",
        [
            str(BIN / "celery"), "-A", "platform_site", "beat", "--loglevel", "INFO",
            "--schedule", str(folder / "celerybeat-schedule"),
        ],
    )  # fmt: skip


@contextlib.contextmanager
def production_stack(
    folder: Path,
    *,
    database_url: str,
    redis_url: str,
    media_root: Path,
    apex: str = DEFAULT_APEX,
    extra_env: dict[str, str] | None = None,
    web_workers: int = 2,
    background: bool = True,
) -> Iterator[ProductionStack]:
    """Certificates, collectstatic, gunicorn, worker, beat and nginx; all stopped on exit.

    ``background=False`` leaves out the worker and beat (bench/http_bench.py measures pages
    only); ``web_workers`` is gunicorn's number of workers."""
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is missing: `make deploy-deps` installs Debian's")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    mail_dir = folder / "mail"
    mail_dir.mkdir()
    port, web_port = free_port(), free_port()
    certs = certificates_make(folder / "tls", apex)
    env = production_env(
        apex=apex,
        port=port,
        database_url=database_url,
        redis_url=redis_url,
        media_root=media_root,
        mail_dir=mail_dir,
        extra=extra_env,
    )
    stack = ProductionStack(apex, port, web_port, certs, folder, env)

    def start(name: str, command: list[str]) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=(folder / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        stack.processes[name] = process
        return process

    try:
        # The release step that needs no restart: under the production settings, which refuse
        # to load without their secrets, so this also proves the environment complete.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        web = start(
            "web",
            [
                str(BIN / "gunicorn"), "platform_site.wsgi",
                "--bind", f"127.0.0.1:{web_port}", "--workers", str(web_workers),
                "--timeout", "60",
            ],
        )  # fmt: skip
        if background:
            _background_start(start, folder)
        config = nginx_config_write(
            folder / "nginx", apex=apex, port=port, upstream_port=web_port, certs=certs
        )
        proxy = start(
            "nginx",
            [
                nginx, "-p", str(folder / "nginx"), "-c", str(config),
                "-e", str(folder / "nginx" / "error.log"), "-g", "daemon off;",
            ],
        )  # fmt: skip
        _wait_for(web_port, web, "gunicorn", 30)
        _wait_for(port, proxy, "nginx", 10)
        yield stack
    finally:
        _stop(stack.processes)
