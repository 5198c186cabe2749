"""Project hygiene that a reviewer would otherwise check by hand: migrations, translations, layering."""

from __future__ import annotations

import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"Missing migrations (exit {exc.code}):\n{out.getvalue()}")


def test_migrations_have_descriptive_names():
    auto = [p.relative_to(ROOT) for p in ROOT.glob("**/migrations/0*_auto_*.py") if ".venv" not in p.parts]
    assert auto == [], "Give these migrations a telling name (makemigrations --name ...)"


def test_vietnamese_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(ROOT / "locale/vi/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"Untranslated: {untranslated}"
    assert fuzzy == [], f"Fuzzy: {fuzzy}"
    mo = polib.mofile(str(ROOT / "locale/vi/LC_MESSAGES/django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    source = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in po.translated_entries()}
    stale = {k for k in source if compiled.get(k) != source[k]}
    assert not stale, f"django.mo is out of date for {sorted(stale)[:5]}: run `make messages`"


def test_every_translatable_string_is_in_the_catalogue(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the source finds no string that the committed catalogue lacks."""
    from django.core.management.utils import find_command

    if find_command("xgettext") is None:
        pytest.fail("GNU gettext (xgettext) is needed: apt-get install gettext")
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "locale", "node_modules", "test-results", "tests", "docs", "*.pyc"
        ),
    )
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [str(source / "locale")]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["vi"], no_location=True, verbosity=0)
    extracted = {e.msgid for e in polib.pofile(str(source / "locale/vi/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(ROOT / "locale/vi/LC_MESSAGES/django.po")) if not e.obsolete}
    assert len(extracted) > 100
    assert extracted - committed == set(), "New strings: run `make messages` and translate them"


def test_import_contracts_hold():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_wagtail_admin_vietnamese_supplement_is_complete():
    """Every Wagtail admin string that Wagtail leaves untranslated has a checked Vietnamese translation."""
    from tools.wagtail_vi_catalogue import check

    assert check() == []


def test_wagtail_admin_strings_render_in_vietnamese():
    from django.utils import translation

    with translation.override("vi"):
        assert translation.gettext("Images") == "Hình ảnh"
        assert translation.gettext("Documents") == "Tài liệu"
