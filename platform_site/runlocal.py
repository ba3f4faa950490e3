"""`make run`: migrate, load the demo, then serve the site with a Celery worker and beat.

Runs under ``platform_site.devservices``, which has set DATABASE_URL and REDIS_URL. The
processes are run by honcho (the Python Foreman): their output interleaved with a name in
front, and when one ends or Ctrl-C (or TERM) arrives, the others are stopped too; then
devservices stops the servers it started.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib import request
from urllib.parse import urlencode

from honcho.manager import Manager

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


LOCALSTRIPE_PORT = int(os.environ.get("LOCALSTRIPE_PORT", "8420"))
WEBHOOK_SECRET = "whsec_konsulta_demo"  # noqa: S105 - a local fake's, never Stripe's


def localstripe_use() -> list[str]:
    """No Stripe key: point the site at localstripe on loopback so the demo can order and
    pay (test mode, the server confirms the payment; production hands it to Stripe.js).
    Returns the command that runs it."""
    os.environ.update(
        {
            "STRIPE_API_BASE": f"http://127.0.0.1:{LOCALSTRIPE_PORT}",
            "STRIPE_SECRET_KEY": "sk_test_konsulta_demo",
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_TEST_MODE": "1",
            "STRIPE_PAYMENT_METHOD_TYPES": "card",
        }
    )
    print(
        f"[konsulta] Stripe: localstripe (test mode) on 127.0.0.1:{LOCALSTRIPE_PORT}",
        file=sys.stderr,
        flush=True,
    )
    return [
        sys.executable,
        "-m",
        "platform_site.localstripe_run",
        str(LOCALSTRIPE_PORT),
        str(ROOT / "var" / "run" / "localstripe"),
    ]


def webhook_register(port: str) -> None:
    """Tell localstripe where to deliver its signed events: our webhook on the apex host."""
    data = urlencode(
        {"url": f"http://localhost:{port}/stripe/webhook/", "secret": WEBHOOK_SECRET}
    ).encode()
    address = f"http://127.0.0.1:{LOCALSTRIPE_PORT}/_config/webhooks/konsulta"
    for _ in range(50):
        try:
            request.urlopen(request.Request(address, data=data), timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    print("[konsulta] localstripe did not answer: payments will fail", file=sys.stderr)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform_site.settings")
    port = os.environ.setdefault("PLATFORM_PORT", "8000")
    (ROOT / "var").mkdir(exist_ok=True)

    # Before the processes are added: each takes a copy of the environment as it is then.
    stripe_fake = localstripe_use() if not os.environ.get("STRIPE_SECRET_KEY") else None

    manage("schemas_migrate")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    manage("demo_load")

    commands = {
        "web": [
            str(BIN / "gunicorn"),
            "platform_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            os.environ.get("WEB_CONCURRENCY", "3"),
            # No --access-logfile: Django writes one access line per request, with the
            # schema and the request id (platform_site/logcontext.py).
        ],
        "worker": [
            str(BIN / "celery"),
            "-A",
            "platform_site",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
        ],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "platform_site",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(ROOT / "var" / "celerybeat-schedule"),
        ],
    }
    if stripe_fake is not None:
        commands["localstripe"] = stripe_fake
    manager = Manager()
    for name, command in commands.items():
        # honcho runs each command through the shell, as a Procfile line.
        manager.add_process(name, shlex.join(command), cwd=str(ROOT))
    if stripe_fake is not None:
        threading.Thread(target=webhook_register, args=(port,), daemon=True).start()
    print(
        f"\nKonsulta runs at http://localhost:{port}/ — press Ctrl-C to stop.\n",
        file=sys.stderr,
        flush=True,
    )
    manager.loop()
    print("[konsulta] web, worker and beat stopped", file=sys.stderr, flush=True)
    # Stopped by Ctrl-C or TERM (honcho: 130, 143) is how `make run` ends: not an error.
    code = manager.returncode
    return 0 if code is None or code in (130, 143) else code


if __name__ == "__main__":
    sys.exit(main())
