"""``manage.py load_curriculum``: (re)load the bundled subjects and YCCĐ outcomes (also done after every migrate)."""

from django.core.management.base import BaseCommand, CommandError

from curriculum.api import load_bundled_curriculum


class Command(BaseCommand):
    help = "Load the bundled programme subjects and required outcomes (YCCĐ). Idempotent."

    def handle(self, *args, **options):
        report = load_bundled_curriculum()
        if report.errors:
            raise CommandError("Nothing loaded from the files with errors:\n" + "\n".join(report.errors))
        self.stdout.write(
            self.style.SUCCESS(
                f"Subjects created: {report.subjects_created}; outcomes created: {report.outcomes_created}, "
                f"updated: {report.outcomes_updated}."
            )
        )
