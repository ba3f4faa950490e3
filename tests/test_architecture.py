"""The import-linter contracts (pyproject.toml) cover every app of the project: an app missing
from ``root_packages`` or from the layers would be silently left unchecked by `make lint`."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings


def _importlinter() -> dict:
    with (Path(settings.BASE_DIR) / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["importlinter"]


def _project_apps() -> set[str]:
    base = Path(settings.BASE_DIR).resolve()
    return {
        config.name.split(".")[0]
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == base
    }


def test_every_project_app_is_a_root_package_of_import_linter():
    roots = set(_importlinter()["root_packages"])
    assert _project_apps() - roots == set()


def test_every_root_package_has_its_place_in_the_layers():
    (layers,) = [c for c in _importlinter()["contracts"] if c["type"] == "layers"]
    placed = {name.strip().strip("()") for layer in layers["layers"] for name in layer.split("|")}
    assert set(_importlinter()["root_packages"]) - placed == set()
