"""localstripe for the tests: a subprocess bound to 127.0.0.1 with its store in var/test."""

from __future__ import annotations

import hashlib
import hmac
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib import request as urlrequest
from urllib.parse import urlencode

WEBHOOK_SECRET = "whsec_konsulta_test_secret"
SECRET_KEY = "sk_test_konsulta"


@dataclass
class LocalStripe:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """What gunicorn and the worker need to talk to this localstripe."""
        return {
            "STRIPE_API_BASE": self.api_base,
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "STRIPE_TEST_MODE": "1",
            # localstripe knows cards only; production adds blik and p24.
            "STRIPE_PAYMENT_METHOD_TYPES": "card",
            "STRIPE_MAX_NETWORK_RETRIES": "0",
            "STRIPE_TIMEOUT_SECONDS": "5",
        }

    def webhook_register(self, url: str, *, endpoint_id: str = "konsulta") -> None:
        data = urlencode({"url": url, "secret": WEBHOOK_SECRET}).encode()
        # Our own loopback server, over plain http.
        address = f"{self.api_base}/_config/webhooks/{endpoint_id}"
        config = urlrequest.Request(address, data=data)  # noqa: S310
        urlrequest.urlopen(config, timeout=5).read()  # noqa: S310

    def client(self) -> Any:
        import stripe

        return stripe.StripeClient(
            SECRET_KEY, base_addresses={"api": self.api_base}, max_network_retries=0
        )


def localstripe_start(port: int, store_dir: Path, log: Path) -> LocalStripe:
    process = subprocess.Popen(
        [sys.executable, "-m", "platform_site.localstripe_run", str(port), str(store_dir)],
        cwd=Path(__file__).resolve().parents[2],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    return LocalStripe(port=port, process=process)


def signed(payload: dict[str, Any], *, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """A webhook body and its Stripe-Signature header, as Stripe (and localstripe) sign."""
    body = json.dumps(payload).encode()
    timestamp = int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def event_make(event_type: str, obj: dict[str, Any], *, event_id: str = "") -> dict[str, Any]:
    import uuid

    return {
        "id": event_id or f"evt_test_{uuid.uuid4().hex[:14]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "api_version": "2017-08-15",
        "data": {"object": obj},
    }
