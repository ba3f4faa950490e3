"""No foreign key crosses the tenant/shared boundary (ARCHITECTURE.md, "Tenancy rules").

A municipality's tables live in its own schema, the provider's in the public schema. A foreign
key from one side into a table that exists only on the other would tie a municipality's schema
to the public one: it could no longer be dumped, restored or moved to another node on its own
(deploy/SCALE.md). Apps in both lists (auth, sessions, accounts, ...) have a table on each side,
so a key to them stays on its own side.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test.utils import isolate_apps


def _side(model: type[models.Model]) -> str:
    name = model._meta.app_config.name if model._meta.app_config else model._meta.app_label
    shared, tenant = name in settings.SHARED_APPS, name in settings.TENANT_APPS
    if shared and tenant:
        return "both"
    return "shared" if shared else "tenant" if tenant else "unknown"


def boundary_violations(model_list, side=_side) -> list[str]:
    found = []
    for model in model_list:
        if model._meta.abstract or model._meta.proxy or not model._meta.managed:
            continue
        source = side(model)
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            target = side(field.related_model)
            if {source, target} == {"shared", "tenant"} or "unknown" in (source, target):
                found.append(
                    f"{model._meta.label}.{field.name} ({source}) → "
                    f"{field.related_model._meta.label} ({target})"
                )
    return found


def test_no_model_of_the_project_has_a_key_across_the_boundary():
    assert boundary_violations(apps.get_models(include_auto_created=True)) == []


def test_every_model_is_placed_on_a_side():
    unplaced = [m._meta.label for m in apps.get_models() if _side(m) == "unknown"]
    assert unplaced == []


@isolate_apps("tests")
def test_the_check_catches_a_tenant_table_pointing_into_the_public_schema():
    class Municipality(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "tests"

    class Remark(models.Model):  # noqa: DJ008
        municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE)

        class Meta:
            app_label = "tests"

    sides = {Municipality: "shared", Remark: "tenant"}
    found = boundary_violations([Municipality, Remark], side=lambda m: sides[m])
    assert found == ["tests.Remark.municipality (tenant) → tests.Municipality (shared)"]
    assert boundary_violations([Remark], side=lambda m: "tenant") == []
