"""``{% survey_route routes "question_edit" question_key=... %}``: a builder link, in the staff
panel or the provider panel alike (surveys.routes)."""

from __future__ import annotations

from typing import Any

from django import template

from surveys.routes import BuilderRoutes

register = template.Library()


@register.simple_tag
def survey_route(routes: BuilderRoutes, name: str, **kwargs: Any) -> str:
    return routes.url(name, **kwargs)
