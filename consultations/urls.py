"""The consultations app's pages on a municipality's subdomain (residents' and panel)."""

from django.urls import path, re_path

from consultations import views_panel as panel
from consultations import views_public as public

KINDS = "wydzialy|obszary|kategorie"

urlpatterns = [
    path("konsultacje/", public.consultation_list, name="consultation_list"),
    path("konsultacje/<slug:slug>/", public.consultation_detail, name="consultation_detail"),
    path(
        "konsultacje/<slug:slug>/dokumenty/<int:document_id>/",
        public.document_download,
        name="document_download",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/ogloszenie/",
        panel.publication_add,
        name="panel_publication_add",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/ogloszenie/<int:publication_id>/usun/",
        panel.publication_remove,
        name="panel_publication_remove",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/ogloszenie/<int:publication_id>/dowod/",
        panel.publication_proof,
        name="panel_publication_proof",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/terminy/",
        panel.dates_move,
        name="panel_dates_move",
    ),
    path("aktualnosci/", public.news_list, name="news_list"),
    path("aktualnosci/<int:news_id>/", public.news_detail, name="news_detail"),
    path("panel/konsultacje/", panel.consultation_list, name="panel_consultation_list"),
    path("panel/konsultacje/nowa/", panel.consultation_create, name="panel_consultation_create"),
    path(
        "panel/konsultacje/<int:consultation_id>/",
        panel.consultation_detail,
        name="panel_consultation_detail",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/edycja/",
        panel.consultation_edit,
        name="panel_consultation_edit",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/dokumenty/",
        panel.document_upload,
        name="panel_document_upload",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/dokumenty/<int:document_id>/usun/",
        panel.document_delete,
        name="panel_document_delete",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/dokumenty/<int:document_id>/nowa-wersja/",
        panel.document_revise,
        name="panel_document_revise",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/ogloszenie.<slug:kind>",
        panel.notice_preview,
        name="panel_notice_preview",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/<str:action>/",
        panel.consultation_lifecycle,
        name="panel_consultation_lifecycle",
    ),
    path("panel/aktualnosci/", panel.news_list, name="panel_news_list"),
    path("panel/aktualnosci/nowa/", panel.news_edit, name="panel_news_create"),
    path("panel/aktualnosci/<int:news_id>/", panel.news_edit, name="panel_news_edit"),
    # Departments (wydziały), areas (obszary), categories (kategorie).
    re_path(rf"^panel/(?P<kind>{KINDS})/$", panel.catalogue_list, name="panel_catalogue_list"),
    re_path(
        rf"^panel/(?P<kind>{KINDS})/nowy/$", panel.catalogue_edit, name="panel_catalogue_create"
    ),
    re_path(
        rf"^panel/(?P<kind>{KINDS})/(?P<pk>[0-9]+)/$",
        panel.catalogue_edit,
        name="panel_catalogue_edit",
    ),
]
