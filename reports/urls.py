from django.urls import path

from reports import views

PANEL = "panel/konsultacje/<int:consultation_id>/raport/"
PUBLIC = "konsultacje/<slug:slug>/raport/"

urlpatterns = [
    path(PANEL, views.panel_report, name="panel_report"),
    path(PANEL + "wnioski/", views.panel_conclusions, name="panel_report_conclusions"),
    path(PANEL + "generuj/", views.panel_generate, name="panel_report_generate"),
    path(PANEL + "publikuj/", views.panel_publish, name="panel_report_publish"),
    path(PANEL + "errata/", views.panel_erratum, name="panel_report_erratum"),
    path(PANEL + "efekty/", views.panel_effects, name="panel_report_effects"),
    path(PANEL + "archiwum.zip", views.panel_archive, name="panel_report_archive"),
    path(
        PANEL + "podglad/<int:version_id>/raport.<str:fmt>",
        views.panel_preview_file,
        name="panel_report_preview_file",
    ),
    path(PANEL + "podglad/<int:version_id>/", views.panel_preview, name="panel_report_preview"),
    path(PUBLIC, views.report_page, name="report_page"),
    path(PUBLIC + "wersja/<int:number>/", views.report_page, name="report_version_page"),
    path(PUBLIC + "wersja/<int:number>/raport.<str:fmt>", views.report_file, name="report_file"),
    path("raport/wypisz/<str:token>/", views.report_opt_out_view, name="report_opt_out"),
]
