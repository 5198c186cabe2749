"""``manage.py reindex``: rebuild the search index of every source (or ``--source lesson``) on every configured
backend (or ``--backend default``), with a progress bar on standard error."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from search.api import get_backend, get_sources, rebuild


class ProgressBar:
    def __init__(self, stream, width: int = 30) -> None:
        self.stream, self.width, self.started = stream, width, time.monotonic()

    def __call__(self, source: str, done: int, total: int) -> None:
        filled = self.width if total == 0 else int(self.width * done / total)
        percent = 100 if total == 0 else int(100 * done / total)
        elapsed = time.monotonic() - self.started
        bar = "█" * filled + "░" * (self.width - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{source:<10} {bar} {percent:3d}% {done}/{total} objects, {elapsed:.1f} s", ending=end)
        self.stream.flush()


class Command(BaseCommand):
    help = "Rebuild the search index (lessons, and library items and questions once their sources are registered)."

    def add_arguments(self, parser):
        parser.add_argument("--source", action="append", help="Only this source (repeatable).")
        parser.add_argument("--backend", action="append", help="Only this backend alias of SEARCH_BACKENDS.")
        parser.add_argument(
            "--keep", action="store_true", help="Do not empty the index first (update in place, keep the rest)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, **options):
        names = {s.name for s in get_sources()}
        unknown = sorted(set(options["source"] or []) - names)
        if unknown:
            raise CommandError(f"Unknown source(s): {', '.join(unknown)}. Registered: {', '.join(sorted(names))}.")
        try:
            backends = [get_backend(alias) for alias in options["backend"]] if options["backend"] else None
        except Exception as error:
            raise CommandError(str(error)) from error
        progress = None if options["no_progress"] else ProgressBar(self.stderr)
        written = rebuild(sources=options["source"], backends=backends, clear=not options["keep"], progress=progress)
        for source, count in written.items():
            self.stdout.write(f"{source}: {count} documents indexed")
