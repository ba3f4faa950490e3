"""Subscriptions, feeds, calendar and sitemap on a municipality's subdomain."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from subscriptions import feeds, views, views_feeds
from subscriptions.sitemaps import SITEMAPS

urlpatterns = [
    path("subskrypcje/", views.subscription_request, name="subscription_request"),
    path("subskrypcje/wyslano/", views.subscription_requested, name="subscription_requested"),
    path("subskrypcje/aktywna/", views.subscription_active, name="subscription_active"),
    path(
        "subskrypcje/potwierdz/<str:token>/",
        views.subscription_confirm,
        name="subscription_confirm",
    ),
    path(
        "subskrypcje/wypisz/<str:token>/",
        views.subscription_unsubscribe,
        name="subscription_unsubscribe",
    ),
    # Before consultations' "konsultacje/<slug>/", which would take "rss" and "atom" as slugs.
    path("konsultacje/rss/", feeds.ConsultationsRssFeed(), name="consultation_feed_rss"),
    path("konsultacje/atom/", feeds.ConsultationsAtomFeed(), name="consultation_feed_atom"),
    path("konsultacje/kalendarz.ics", views_feeds.calendar_ics, name="consultation_calendar"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views_feeds.robots_txt, name="robots_txt"),
]
