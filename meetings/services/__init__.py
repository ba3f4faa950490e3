"""Writes of meetings, one module per concern; re-exported here."""

from meetings.services.events import (
    EventInput,
    attendance_record,
    event_cancel,
    event_create,
    event_update,
    event_warnings,
    minutes_upload,
)
from meetings.services.mails import reminders_deliver, reminders_plan, reminders_send
from meetings.services.signups import (
    places_fill,
    signup_cancel,
    signup_confirm,
    signup_request,
    signups_purge,
)

__all__ = [
    "EventInput",
    "attendance_record",
    "event_cancel",
    "event_create",
    "event_update",
    "event_warnings",
    "minutes_upload",
    "places_fill",
    "reminders_deliver",
    "reminders_plan",
    "reminders_send",
    "signup_cancel",
    "signup_confirm",
    "signup_request",
    "signups_purge",
]
