"""The provider's way into a municipality's survey builder (surveys.views_provider), on the
apex domain under /operator/gminy/<municipality>/konsultacje/<consultation>/ankieta/. Names
match the staff panel's (``survey_builder`` for ``panel_survey_builder``...) in the
``surveys_provider`` namespace, so surveys.routes builds either."""

from django.urls import path

from surveys import views_provider as views

app_name = "surveys_provider"
base = "gminy/<int:municipality_id>/konsultacje/<int:consultation_id>/ankieta/"
urlpatterns = [
    path(base, views.builder, name="survey_builder"),
    path(base + "ustawienia/", views.settings_edit, name="survey_settings"),
    path(base + "sekcje/nowa/", views.section_edit, name="survey_section_add"),
    path(base + "sekcje/<str:section_key>/", views.section_edit, name="survey_section_edit"),
    path(
        base + "sekcje/<str:section_key>/nowe-pytanie/",
        views.question_edit,
        name="survey_question_add",
    ),
    path(base + "pytania/<str:question_key>/", views.question_edit, name="survey_question_edit"),
    path(base + "zmien/", views.item_change, name="survey_change"),
    path(base + "podglad/", views.preview, name="survey_preview"),
]
