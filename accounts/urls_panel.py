"""The staff team pages of a municipality's panel, under /panel/zespol/."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("zapros/", views.staff_invite, name="staff_invite"),
    path("<int:member_id>/", views.staff_member, name="staff_member"),
    path("<int:member_id>/odbierz-dostep/", views.staff_revoke, name="staff_revoke"),
    path(
        "zaproszenia/<int:invitation_id>/wyslij-ponownie/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "zaproszenia/<int:invitation_id>/anuluj/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
]
