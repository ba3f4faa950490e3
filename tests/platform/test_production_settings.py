"""Production fails closed: a forgotten secret or provider detail stops the processes with a
clear message instead of running on values printed in the repository; development says so
loudly; `manage.py check --deploy` with the production environment prints no warning.

Each case starts a fresh interpreter with only the environment given (settings are read once,
at import), the way gunicorn, Celery and manage.py start in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What a provider's environment file holds in production (deploy/README.md). The values are
# made up for the test; none of them is a default of the settings.
PRODUCTION = {
    "KONSULTA_ENV": "production",
    "DJANGO_SECRET_KEY": "t3st-0nly-" + "kq8Zx2LmW9vB4nR7pJ5sD1fH6gT3yC0aE8uI2oK4" * 2,
    "STRIPE_SECRET_KEY": "sk_test_from_the_environment",
    "STRIPE_WEBHOOK_SECRET": "whsec_from_the_environment",
    "BILLING_PROVIDER_NAME": "Dostawca Testowy sp. z o.o.",
    "BILLING_PROVIDER_NIP": "1234563218",
    "BILLING_PROVIDER_ADDRESS": "ul. Testowa 5, 00-950 Warszawa",
    "BILLING_PROVIDER_BANK_ACCOUNT": "PL27 1140 2004 0000 3002 0135 5387",
    "PLATFORM_DOMAIN": "konsulta.example",
    "KONSULTA_TRUSTED_PROXY_HOPS": "1",
}

# The values the repository used to print on documents when the environment was forgotten.
REPOSITORY_PROVIDER = {"nip": "5252248481", "bank_account": "PL61 1090 1014 0000 0712 1981 2874"}

SHOW = (
    "from django.conf import settings as s; "
    "print(repr((s.SECRET_KEY, s.STRIPE_WEBHOOK_SECRET, s.BILLING_PROVIDER, "
    "s.ALLAUTH_TRUSTED_PROXY_COUNT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)))"
)


def start(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``args`` (default: load the settings) with exactly this environment."""
    base = {
        "PATH": os.environ["PATH"],
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/konsulta"
        ),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "DJANGO_SETTINGS_MODULE": "platform_site.settings",
    }
    command = list(args) or ["-c", f"import django; django.setup(); {SHOW}"]
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def without(*names: str) -> dict[str, str]:
    return {k: v for k, v in PRODUCTION.items() if k not in names}


def test_the_full_production_environment_starts():
    result = start(PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert PRODUCTION["DJANGO_SECRET_KEY"] in result.stdout
    assert "'nip': '1234563218'" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        ("DJANGO_SECRET_KEY",),
        ("STRIPE_WEBHOOK_SECRET",),
        ("BILLING_PROVIDER_NIP",),
        ("BILLING_PROVIDER_BANK_ACCOUNT",),
        ("BILLING_PROVIDER_NAME", "BILLING_PROVIDER_ADDRESS"),
    ],
)
def test_production_refuses_to_start_without_a_secret_or_the_providers_details(missing):
    result = start(without(*missing))
    assert result.returncode != 0, result.stdout
    for name in missing:
        assert name in result.stderr
    # and nothing printed in the repository was used instead
    for value in REPOSITORY_PROVIDER.values():
        assert value not in result.stdout


def test_a_forgotten_environment_is_production_not_development():
    # nothing set at all: no key of the repository's, no constant webhook secret
    result = start({})
    assert result.returncode != 0, result.stdout
    for name in ["DJANGO_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "BILLING_PROVIDER_NIP"]:
        assert name in result.stderr


def test_production_refuses_debug():
    result = start({**PRODUCTION, "DJANGO_DEBUG": "1"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_development_runs_without_the_environment_and_says_so_loudly():
    result = start({"KONSULTA_ENV": "development"})
    assert result.returncode == 0, result.stderr
    for name in ["DJANGO_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "BILLING_PROVIDER_NIP"]:
        assert name in result.stderr
    assert "DEVELOPMENT" in result.stderr
    # sample provider details are marked as such, never real-looking ones
    for value in REPOSITORY_PROVIDER.values():
        assert value not in result.stdout


def test_the_proxy_is_trusted_exactly_as_far_as_the_deployment_says():
    assert start(PRODUCTION).stdout.strip().endswith("1, 31536000, True)")
    default = start(without("KONSULTA_TRUSTED_PROXY_HOPS"))
    assert default.returncode == 0, default.stderr
    assert ", 0, 31536000, True)" in default.stdout


def test_check_deploy_with_the_production_environment_prints_no_warning():
    result = start(PRODUCTION, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
