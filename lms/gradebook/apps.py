from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradebookConfig(AppConfig):
    name = "lms.gradebook"
    label = "gradebook"
    verbose_name = _("Gradebook")

    def ready(self) -> None:
        from lms.courses.api import regular_assessment_recorded
        from lms.exams.api import attempts_regraded
        from lms.gradebook import receivers, selectors
        from lms.privacy.api import register_export_provider

        regular_assessment_recorded.connect(
            receivers.record_transferred_score, dispatch_uid="gradebook.record_transferred_score"
        )
        # lms.exams is below the gradebook (layers contract): it announces a regrade, the gradebook updates its marks.
        attempts_regraded.connect(receivers.update_marks_after_regrade, dispatch_uid="gradebook.marks_after_regrade")
        # A student's data export (lms.privacy) includes their marks and results.
        register_export_provider("gradebook", selectors.marks_of_student)
