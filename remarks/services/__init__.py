"""Writes of the register of remarks, split by concern; every service is re-exported here."""

from remarks.services.drafts import draft_units_replace
from remarks.services.moderation import comment_support, remark_flag, remark_hide, remark_publish
from remarks.services.promote import remark_promote
from remarks.services.register import (
    RemarkInput,
    SubmitResult,
    formal_issue_record,
    formal_issue_withdraw,
    reference_next,
    remark_confirm,
    remark_enter,
    remark_submit,
)
from remarks.services.responses import (
    remark_ungroup,
    remarks_group,
    response_approve,
    response_draft,
)
from remarks.services.settings import RemarkSettingsInput, remark_form_settings_update

__all__ = [
    "RemarkInput",
    "RemarkSettingsInput",
    "SubmitResult",
    "comment_support",
    "draft_units_replace",
    "formal_issue_record",
    "formal_issue_withdraw",
    "reference_next",
    "remark_confirm",
    "remark_enter",
    "remark_flag",
    "remark_form_settings_update",
    "remark_hide",
    "remark_promote",
    "remark_publish",
    "remark_submit",
    "remark_ungroup",
    "remarks_group",
    "response_approve",
    "response_draft",
]
