"""The survey builder as the provider's staff reach it, from a municipality's page in the
provider panel (apex domain, /operator/): for a consultation whose order includes the add-on
"Przygotowanie ankiety przez operatora". These are the builder's own views
(surveys.views_panel), run in the municipality's schema, entered explicitly for the request
and left when the page is rendered; every change goes through the builder's services inside
:func:`surveys.services.provider_building`, so its audit row names the provider's staff
member and says "provider"."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django_tenants.utils import schema_context

from accounts.decorators import permission_required
from consultations.models import Consultation
from surveys import permissions, services
from surveys import views_panel as panel
from surveys.models import SurveyKind
from surveys.routes import BuilderRoutes
from tenants.permissions import is_provider_staff
from tenants.selectors import municipality_for_provider

provider_required = permission_required(is_provider_staff)


def provider_builder_view(core: panel.BuilderCore) -> Callable[..., HttpResponseBase]:
    @provider_required
    @functools.wraps(core)
    def view(
        request: HttpRequest, municipality_id: int, consultation_id: int, **kwargs: Any
    ) -> HttpResponse:
        municipality = municipality_for_provider(municipality_id=municipality_id)
        if municipality is None or not municipality.is_ready:
            raise Http404
        kind = SurveyKind.SURVEY
        with schema_context(municipality.schema_name):
            consultation = Consultation.objects.filter(pk=consultation_id).first()
            if consultation is None:
                raise Http404
            if not permissions.provider_survey_ordered(consultation):
                return render(
                    request,
                    "surveys/provider/not_ordered.html",
                    {"record": municipality, "consultation": consultation},
                    status=403,
                )
            access = panel.BuilderAccess(
                consultation=consultation,
                can_build=permissions.provider_may_build_survey(request.user, consultation),
                routes=BuilderRoutes(kind, consultation.pk, municipality.pk),
                municipality=municipality,
            )
            with services.provider_building():
                # Rendered inside: the page reads the municipality's tables.
                return core(request, access, kind, **kwargs)

    return view


builder = provider_builder_view(panel.builder_page)
settings_edit = provider_builder_view(panel.settings_page)
section_edit = provider_builder_view(panel.section_page)
question_edit = provider_builder_view(panel.question_page)
item_change = provider_builder_view(panel.change_page)
preview = provider_builder_view(panel.preview_page)
