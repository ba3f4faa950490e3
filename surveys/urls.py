"""Pages of surveys ("ankieta") and polls ("sondaz"): residents' and the panel's. Each URL
exists once per kind; the kind is passed to the view, and the names start with it
(``survey_answer``, ``panel_poll_builder``...). Included before consultations' URLs, whose
``panel/konsultacje/<id>/<action>/`` would otherwise take "ankieta" for an action."""

from django.urls import path

from surveys import views
from surveys import views_panel as panel

urlpatterns = []
for segment, kind in (("ankieta", "survey"), ("sondaz", "poll")):
    resident = f"konsultacje/<slug:slug>/{segment}/"
    staff = f"panel/konsultacje/<int:consultation_id>/{segment}/"
    k = {"kind": kind}
    urlpatterns += [
        path(resident, views.answer, k, name=f"{kind}_answer"),
        path(resident + "dziekujemy/", views.thanks, k, name=f"{kind}_thanks"),
        path(resident + "wyniki/", views.results, k, name=f"{kind}_results"),
        path(resident + "zaproszenie/<str:token>/", views.answer, k, name=f"{kind}_invited"),
        path(staff, panel.builder, k, name=f"panel_{kind}_builder"),
        path(staff + "ustawienia/", panel.settings_edit, k, name=f"panel_{kind}_settings"),
        path(staff + "sekcje/nowa/", panel.section_edit, k, name=f"panel_{kind}_section_add"),
        path(
            staff + "sekcje/<str:section_key>/",
            panel.section_edit,
            k,
            name=f"panel_{kind}_section_edit",
        ),
        path(
            staff + "sekcje/<str:section_key>/nowe-pytanie/",
            panel.question_edit,
            k,
            name=f"panel_{kind}_question_add",
        ),
        path(
            staff + "pytania/<str:question_key>/",
            panel.question_edit,
            k,
            name=f"panel_{kind}_question_edit",
        ),
        path(staff + "zmien/", panel.item_change, k, name=f"panel_{kind}_change"),
        path(staff + "podglad/", panel.preview, k, name=f"panel_{kind}_preview"),
        path(staff + "wyniki/", panel.results, k, name=f"panel_{kind}_results"),
        path(staff + "papier/", panel.paper_entry, k, name=f"panel_{kind}_paper"),
        path(staff + "zaproszenia/", panel.invitations, k, name=f"panel_{kind}_invitations"),
        path(staff + "pliki/<int:answer_id>/", panel.answer_file, k, name=f"panel_{kind}_file"),
        path(staff + "eksport.csv", panel.export, {**k, "fmt": "csv"}, name=f"panel_{kind}_csv"),
        path(staff + "eksport.xlsx", panel.export, {**k, "fmt": "xlsx"}, name=f"panel_{kind}_xlsx"),
    ]
