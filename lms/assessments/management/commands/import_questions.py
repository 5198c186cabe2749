"""``manage.py import_questions PATH [--format …] [--dry-run] [--json]``: read a question file and report it.

With ``--dry-run`` nothing is saved; ``--json`` prints one object with ``format``, ``questions`` and ``errors``.
Without ``--dry-run`` the questions are saved into ``--bank`` (all-or-nothing unless ``--per-item``).
Exit code 0 when the file has no error, 1 otherwise.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.assessments.importers import FORMATS, import_file


class Command(BaseCommand):
    help = "Import questions from GIFT, Aiken, Moodle XML, QTI or Vietnamese Word (.docx)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--format", default="auto", choices=("auto", *FORMATS))
        parser.add_argument("--dry-run", action="store_true", help="Only read and report; save nothing.")
        parser.add_argument("--json", action="store_true", help="Print the result as one JSON object.")
        parser.add_argument("--bank", type=int, help="Id of the question bank to save into.")
        parser.add_argument("--user", help="Username of the author recorded on the saved questions.")
        parser.add_argument("--per-item", action="store_true", help="Save the good questions even if some fail.")

    def handle(self, *args, path, format, dry_run, json: bool, bank, user, per_item, **options):
        try:
            result = import_file(path, fmt=format)
        except FileNotFoundError:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from None
        saved = None
        if not dry_run:
            if bank is None or user is None:
                raise CommandError(_("Give --bank and --user to save, or --dry-run to only read."))
            from django.contrib.auth import get_user_model

            from lms.assessments import services
            from lms.assessments.models import QuestionBank

            saved = services.save_import(
                result,
                bank=QuestionBank.objects.get(pk=bank),
                author=get_user_model().objects.get(username=user),
                per_item=per_item,
            )
        if json:
            payload = result.to_dict()
            if saved is not None:
                payload["saved"] = len(saved)
            self.stdout.write(_dumps(payload))
        else:
            self._report(result, saved)
        if result.errors:
            sys.exit(1)

    def _report(self, result, saved):
        self.stdout.write(
            _("%(format)s: %(count)d question(s), %(errors)d error(s)")
            % {"format": result.format, "count": len(result.questions), "errors": len(result.errors)}
        )
        for q in result.questions:
            self.stdout.write(f"  {q.number}. [{q.type}] {q.key or ''} {q.stem[:70]}")
        for e in result.errors:
            where = _("question %(n)s") % {"n": e.question} if e.question else _("file")
            self.stderr.write(f"  ✗ {where}: {e.message}" + (f" — {e.hint}" if e.hint else ""))
        if saved is not None:
            self.stdout.write(_("Saved %(n)d question(s).") % {"n": len(saved)})


def _dumps(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, indent=1)
