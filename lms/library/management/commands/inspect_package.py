"""``manage.py inspect_package PATH [--json]``: check an H5P, SCORM or document file without saving anything."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.library.packages.inspect import inspect_package
from lms.library.selectors import stored_library_keys


class Command(BaseCommand):
    help = "Check an H5P package, a SCORM package or a document without saving anything (exit code 1 if rejected)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, path, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("“%(path)s” is not a file.") % {"path": path})
        report = inspect_package(file, stored_libraries=stored_library_keys())
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            status = _("accepted") if report.ok else _("rejected")
            self.stdout.write(f"{file.name}: {report.kind} {report.version} — {status}")
            self.stdout.write(f"  {_('title')}: {report.title}")
            self.stdout.write(f"  launch: {report.launch}")
            for sco in report.scos:
                self.stdout.write(f"  - {sco['identifier']}: {sco['title']} → {sco['href']}")
            for error in report.errors:
                self.stdout.write(f"  ✗ {error}")
        for warning in report.warnings:
            self.stderr.write(f"! {warning}")
        if not report.ok:
            raise SystemExit(1)
