"""Where the builder's pages are: the municipality's staff panel reaches them under
``/panel/konsultacje/<id>/ankieta/``, the provider's staff (a survey the municipality ordered
from the provider, the "addon-survey" add-on) under
``/operator/gminy/<municipality>/konsultacje/<id>/ankieta/`` on the apex domain. The same
views and templates serve both; they ask a :class:`BuilderRoutes` for every link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

PROVIDER_NAMESPACE = "surveys_provider"


@dataclass(frozen=True)
class BuilderRoutes:
    kind: str
    consultation_id: int
    # Set when the provider's staff build the survey from the provider panel.
    municipality_id: int | None = None

    @property
    def provider(self) -> bool:
        return self.municipality_id is not None

    def url(self, name: str, **kwargs: Any) -> str:
        """The builder's page ``name`` ("builder", "settings", "section_add",
        "section_edit", "question_add", "question_edit", "change", "preview")."""
        if self.municipality_id is None:
            return reverse(
                f"panel_{self.kind}_{name}",
                kwargs={"consultation_id": self.consultation_id, **kwargs},
            )
        return reverse(
            f"{PROVIDER_NAMESPACE}:{self.kind}_{name}",
            kwargs={
                "municipality_id": self.municipality_id,
                "consultation_id": self.consultation_id,
                **kwargs,
            },
        )

    @property
    def builder(self) -> str:
        return self.url("builder")

    @property
    def settings(self) -> str:
        return self.url("settings")

    @property
    def section_add(self) -> str:
        return self.url("section_add")

    @property
    def change(self) -> str:
        return self.url("change")

    @property
    def preview(self) -> str:
        return self.url("preview")

    @property
    def back(self) -> str:
        """The page the builder returns to: the consultation in the staff panel, the
        municipality in the provider panel."""
        if self.municipality_id is None:
            return reverse(
                "panel_consultation_detail", kwargs={"consultation_id": self.consultation_id}
            )
        return reverse(
            "provider:municipality_detail", kwargs={"municipality_id": self.municipality_id}
        )
