"""The register's pages: residents' under the consultation page, staff's under /panel/."""

from django.urls import path, re_path

from remarks import views
from remarks import views_panel as panel
from remarks.rules import KIND_COMMENTS, KIND_REMARKS

PANEL = "panel/konsultacje/<int:consultation_id>/"

urlpatterns = [
    path("konsultacje/<slug:slug>/uwagi/", views.remark_form, name="remark_form"),
    path("konsultacje/<slug:slug>/uwagi/wyslano/", views.remark_done, name="remark_done"),
    path(
        "konsultacje/<slug:slug>/uwagi/rozpatrzenie/",
        views.remark_public_list,
        name="remark_public_list",
    ),
    path(
        "konsultacje/<slug:slug>/uwagi/<int:remark_id>/zglos/",
        views.remark_flag,
        name="remark_flag",
    ),
    path("konsultacje/<slug:slug>/projekt/", views.draft_comments, name="draft_comments"),
    path("konsultacje/<slug:slug>/projekt/komentarz/", views.comment_add, name="comment_add"),
    path(
        "konsultacje/<slug:slug>/projekt/<int:remark_id>/poparcie/",
        views.comment_support,
        name="comment_support",
    ),
    path("uwagi/potwierdz/<str:token>/", views.remark_confirm, name="remark_confirm"),
    path("panel/uwagi/numer/", panel.remark_by_reference, name="panel_remark_by_reference"),
    path(PANEL + "uwagi/", panel.register, name="panel_remark_register"),
    path(PANEL + "uwagi/rejestr.xlsx", panel.register_export, name="panel_register_export"),
    path(PANEL + "uwagi/import/", panel.decisions_import, name="panel_decisions_import"),
    path(PANEL + "uwagi/nowa/", panel.remark_enter, name="panel_remark_enter"),
    path(PANEL + "uwagi/z-ankiet/", panel.free_texts, name="panel_free_texts"),
    path(PANEL + "uwagi/grupuj/", panel.remarks_group, name="panel_remarks_group"),
    path(PANEL + "uwagi/<int:remark_id>/", panel.remark_detail, name="panel_remark_detail"),
    re_path(
        r"^panel/konsultacje/(?P<consultation_id>[0-9]+)/uwagi/(?P<remark_id>[0-9]+)/"
        r"(?P<field>skan|zalacznik)/$",
        panel.remark_file,
        name="panel_remark_file",
    ),
    path(PANEL + "uwagi/<int:remark_id>/formalne/", panel.formal_issue, name="panel_formal_issue"),
    path(PANEL + "uwagi/<int:remark_id>/moderacja/", panel.moderate, name="panel_moderate"),
    path(PANEL + "uwagi/grupy/<int:group_id>/", panel.group_detail, name="panel_remark_group"),
    re_path(
        r"^panel/konsultacje/(?P<consultation_id>[0-9]+)/odpowiedz/(?P<target>uwaga|grupa)/"
        r"(?P<target_id>[0-9]+)/$",
        panel.response_draft,
        name="panel_response_draft",
    ),
    path(
        PANEL + "odpowiedzi/<int:response_id>/zatwierdz/",
        panel.response_approve,
        name="panel_response_approve",
    ),
    path(PANEL + "projekt/", panel.draft_edit, name="panel_draft_edit"),
    path(
        PANEL + "uwagi/ustawienia/",
        panel.form_settings,
        {"kind": KIND_REMARKS},
        name="panel_remark_form_settings",
    ),
    path(
        PANEL + "projekt/ustawienia/",
        panel.form_settings,
        {"kind": KIND_COMMENTS},
        name="panel_comments_settings",
    ),
]
