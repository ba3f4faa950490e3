"""The provider's pages of the legal rule sets, on the apex domain under /operator/."""

from django.urls import path

from rulesets import views

app_name = "rulesets_provider"

urlpatterns = [
    path("operator/reguly-prawne/", views.rule_set_list, name="rule_set_list"),
    path("operator/reguly-prawne/nowa/", views.rule_set_version_new, name="rule_set_version_new"),
]
