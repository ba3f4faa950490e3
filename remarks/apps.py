from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemarksConfig(AppConfig):
    name = "remarks"
    verbose_name = _("Register of remarks")

    def ready(self) -> None:
        """Register the two kinds this app gives consultations (the remark form, with the
        remarks staff enter from other channels, and comments on the draft), its actions'
        names in the audit history, and its part in residents' data rights."""
        from accounts.personal_data import register_anonymiser, register_exporter
        from consultations.participation import ParticipationKind, register
        from consultations.services.audit import audit_action_labels_register
        from remarks import permissions, personal_data, selectors, xlsx
        from remarks.rules import KIND_COMMENTS, KIND_REMARKS

        register(
            ParticipationKind(
                name=KIND_REMARKS,
                label=_("Remarks form"),
                resident_actions=("submit",),
                resident_url_name="remark_form",
                panel_url_name="panel_remark_register",
                settings_url_name="panel_remark_form_settings",
                settings_open=permissions.form_settings_open,
                template_name="remarks/resident/_take_part.html",
                contribution_count=selectors.remarks_count,
                report_section=selectors.report_section,
                report_blockers=selectors.report_blockers,
                participant_emails=selectors.participant_emails,
                personal_strings=selectors.personal_strings,
                archive_files=xlsx.archive_files,
                weight=10,
            )
        )
        register(
            ParticipationKind(
                name=KIND_COMMENTS,
                label=_("Comments on the draft, paragraph by paragraph"),
                resident_actions=("comment", "reply", "support"),
                resident_url_name="draft_comments",
                panel_url_name="panel_draft_edit",
                settings_url_name="panel_comments_settings",
                settings_open=permissions.form_settings_open,
                template_name="remarks/resident/_take_part_comments.html",
                contribution_count=selectors.comments_count,
                weight=20,
            )
        )
        audit_action_labels_register(
            {
                "remark_enter": _("registered a remark received outside the site"),
                "remark_promote": _("moved a survey answer into the register of remarks"),
                "remark_formal_issue_record": _("recorded a formal defect"),
                "remark_formal_issue_withdraw": _("withdrew a formal defect"),
                "remark_group": _("grouped remarks"),
                "remark_ungroup": _("took a remark out of its group"),
                "response_draft": _("drafted a response"),
                "response_approve": _("approved a response"),
                "remark_hide": _("hid a remark or comment"),
                "remark_publish": _("published a remark or comment"),
                "draft_replace": _("replaced the draft to be commented"),
            }
        )
        register_exporter("remarks", personal_data.remarks_export)
        register_anonymiser(personal_data.remarks_anonymise)
