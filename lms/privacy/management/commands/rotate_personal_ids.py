"""Re-encrypt every personal ID with the newest key in PRIVACY_ENCRYPTION_KEYS (put the new key first, run this,
then drop the old key)."""

from django.core.management.base import BaseCommand

from lms.privacy.services import rotate_personal_ids


class Command(BaseCommand):
    help = "Re-encrypt the personal IDs with the newest key of PRIVACY_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        count = rotate_personal_ids()
        self.stdout.write(f"{count} personal IDs re-encrypted.")
