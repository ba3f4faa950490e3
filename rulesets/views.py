"""The provider's pages of the legal rule sets (apex domain): the versions per legal basis,
and a form to add a version without a deploy."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.decorators import permission_required
from accounts.http import AuthenticatedRequest
from rulesets import selectors, services
from rulesets.forms import RuleSetVersionForm
from rulesets.models import LegalRuleSet
from tenants.permissions import is_provider_staff

provider_required = permission_required(is_provider_staff)


@provider_required
def rule_set_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "rulesets/provider/rule_set_list.html", {"bases": selectors.rule_sets_by_basis()}
    )


@provider_required
def rule_set_version_new(request: AuthenticatedRequest) -> HttpResponse:
    initial = {}
    copy_of = request.GET.get("na_podstawie")
    if copy_of and copy_of.isdigit():
        base = LegalRuleSet.objects.filter(pk=int(copy_of)).first()
        if base is not None:
            initial = {
                name: getattr(base, name)
                for name in RuleSetVersionForm.Meta.fields
                if name != "valid_from"
            }
    form = RuleSetVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_set_version_add(
                acting_user=request.user,
                legal_basis=form.cleaned_data["legal_basis"],
                valid_from=form.cleaned_data["valid_from"],
                **form.version_values(),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(
                request,
                _(
                    "The new version has been saved. It applies to consultations ordered "
                    "from %(date)s."
                )
                % {"date": form.cleaned_data["valid_from"].strftime("%d.%m.%Y")},
            )
            return redirect("rulesets_provider:rule_set_list")
    return render(request, "rulesets/provider/rule_set_form.html", {"form": form})
