"""A portal's pages, on the apex (the national portal) and on each portal's host."""

from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal.css", views.theme_css, name="theme_css"),
    path("konsultacje/", views.consultation_list, name="consultation_list"),
    path("konsultacje/rss/", views.PortalRssFeed(), name="feed_rss"),
    path("konsultacje/atom/", views.PortalAtomFeed(), name="feed_atom"),
    path("konsultacje/kalendarz.ics", views.calendar_ics, name="calendar"),
    path("samorzady/", views.municipalities, name="municipalities"),
    path("aktualnosci/<int:news_id>/", views.news_detail, name="news_detail"),
    path("newsletter/", views.digest_subscribe, name="digest_subscribe"),
    path("newsletter/wyslano/", views.digest_requested, name="digest_requested"),
    path("newsletter/potwierdz/<str:token>/", views.digest_confirm, name="digest_confirm"),
    path("newsletter/wypisz/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
    path("panel-portalu/", views.staff_panel, name="staff_panel"),
    path("panel-portalu/wyroznienia/", views.staff_feature, name="staff_feature"),
]
