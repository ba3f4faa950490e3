"""Meetings on a municipality's subdomain: residents' pages and the staff panel."""

from django.urls import path

from meetings import views
from meetings import views_panel as panel

urlpatterns = [
    path("spotkania/", views.event_list, name="meeting_list"),
    path("spotkania/kalendarz.ics", views.calendar_feed, name="meeting_calendar"),
    path("spotkania/<int:event_id>/", views.event_detail, name="meeting_event_detail"),
    path("spotkania/<int:event_id>/wydarzenie.ics", views.event_ics, name="meeting_event_ics"),
    path("spotkania/<int:event_id>/protokol/", views.minutes_download, name="meeting_minutes"),
    path(
        "spotkania/<int:event_id>/zapisano/",
        views.signup_requested,
        name="meeting_signup_requested",
    ),
    path("spotkania/potwierdz/<str:token>/", views.signup_confirm, name="meeting_signup_confirm"),
    path("spotkania/rezygnacja/<str:token>/", views.signup_cancel, name="meeting_signup_cancel"),
    path(
        "konsultacje/<slug:slug>/spotkania/",
        views.consultation_schedule,
        name="meeting_schedule",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/spotkania/",
        panel.event_list,
        name="meeting_panel_events",
    ),
    path(
        "panel/konsultacje/<int:consultation_id>/spotkania/nowe/",
        panel.event_create,
        name="meeting_panel_event_create",
    ),
    path("panel/spotkania/<int:event_id>/", panel.event_detail, name="meeting_panel_event"),
    path("panel/spotkania/<int:event_id>/edycja/", panel.event_edit, name="meeting_panel_edit"),
    path(
        "panel/spotkania/<int:event_id>/odwolaj/", panel.event_cancel, name="meeting_panel_cancel"
    ),
    path(
        "panel/spotkania/<int:event_id>/obecnosc/",
        panel.attendance,
        name="meeting_panel_attendance",
    ),
    path(
        "panel/spotkania/<int:event_id>/protokol/",
        panel.minutes_upload,
        name="meeting_panel_minutes",
    ),
    path(
        "panel/spotkania/<int:event_id>/protokol/pobierz/",
        panel.minutes_download,
        name="meeting_panel_minutes_download",
    ),
]
