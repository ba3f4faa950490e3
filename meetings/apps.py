from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings, walks and consultation points"

    def ready(self) -> None:
        from accounts import personal_data
        from consultations import participation
        from consultations.services import audit_action_labels_register
        from meetings import kind, personal

        participation.register(kind.MEETING_KIND)
        personal_data.register_exporter("meeting_signups", personal.signups_export)
        personal_data.register_anonymiser(personal.signups_anonymise)
        audit_action_labels_register(
            {
                "meeting_event_create": _("event added"),
                "meeting_event_update": _("event changed"),
                "meeting_event_cancel": _("event cancelled"),
                "meeting_attendance_record": _("attendance recorded"),
                "meeting_minutes_upload": _("minutes attached"),
            }
        )
