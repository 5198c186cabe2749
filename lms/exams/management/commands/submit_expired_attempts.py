import time

from django.core.management.base import BaseCommand

from lms.exams.services import submit_expired


class Command(BaseCommand):
    help = "Submit every test attempt whose time is up (also run every 30 s by Celery beat)."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds (without Celery beat).")

    def handle(self, *args, loop=0, **options):
        while True:
            done = submit_expired()
            self.stdout.write(f"{done} attempt(s) submitted")
            if not loop:
                return
            time.sleep(loop)
