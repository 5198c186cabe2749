"""Supplementary Vietnamese catalogue for Wagtail's admin: find, maintain and check it.

Wagtail ships ``vi`` catalogues that leave most admin strings untranslated (teachers see "Images",
"Documents", ...). ``locale_overrides/vi/LC_MESSAGES/{django,djangojs}.po`` translate every msgid that
Wagtail's own ``vi`` catalogues lack or have empty/fuzzy; put ``BASE_DIR / "locale_overrides"`` on
``LOCALE_PATHS`` and Django prefers them to the app catalogues.

The source of msgids is the ``en`` catalogue of every Wagtail app installed in the venv
(``wagtail/**/locale/en/LC_MESSAGES/*.po``); the matching ``vi`` catalogue decides what is missing. Six
Django-core msgids come along (``DJANGO_TIMESINCE_MSGIDS``): the admin prints Django's ``timesince`` and
compares it with Wagtail's own "0 minutes", and Django's vi catalogue lacks the current msgids.

Usage (stdlib + polib only, Django is not imported)::

    python tools/wagtail_vi_catalogue.py missing [--domain django|djangojs] [--json]
        list the msgids the installed Wagtail leaves untranslated in Vietnamese
    python tools/wagtail_vi_catalogue.py update
        after a Wagtail upgrade: add newly missing msgids to the override .po files (empty msgstr),
        keep every translation already there, drop entries Wagtail no longer needs
    python tools/wagtail_vi_catalogue.py compile
        write the .mo files from the .po files (``msgfmt --check-format`` gives the same result)
    python tools/wagtail_vi_catalogue.py check
        print the problems ``check()`` finds; exit status 1 if there are any

``check()`` is importable and returns a list of problems (empty when the catalogue is complete).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib

REPO_ROOT = Path(__file__).resolve().parent.parent
OVERRIDE_DIR = REPO_ROOT / "locale_overrides" / "vi" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
LANGUAGE = "vi"

HEADER = {
    "Project-Id-Version": "truonghoc-lms wagtail-vi-overrides",
    "Report-Msgid-Bugs-To": "",
    "PO-Revision-Date": "",  # set by update()
    "Last-Translator": "truonghoc-lms maintainers",
    "Language-Team": "Vietnamese",
    "Language": "vi",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}
HEADER_COMMENT = (
    "Vietnamese translations for the Wagtail admin strings that Wagtail's own vi catalogues lack.\n"
    "Loaded through LOCALE_PATHS (BASE_DIR / 'locale_overrides'); maintained with\n"
    "tools/wagtail_vi_catalogue.py (missing / update / compile / check)."
)

# %(name)s, %s, %d, %.2f ... ("%%" is a literal percent sign and is skipped by the regex below).
_PERCENT_RE = re.compile(r"%(?:%|(?P<name>\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conv>[a-zA-Z]))")
# {name}, {0}, {}, {name!r:>10} -- "{{" and "}}" are literal braces.
_BRACE_RE = re.compile(r"\{\{|\}\}|\{(?P<field>[^{}]*)\}")
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
_ENTITY_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]\w*);")


@dataclass
class MissingEntry:
    domain: str
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    flags: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    occurrences: list[tuple[str, str]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


# ---------------------------------------------------------------------------------------------------------------------
# Wagtail's catalogues
# ---------------------------------------------------------------------------------------------------------------------
def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed in this Python environment")
    return Path(next(iter(spec.submodule_search_locations)))


def wagtail_dir() -> Path:
    return _package_dir("wagtail")


def _app_label(en_po: Path, base: Path) -> str:
    parts = en_po.relative_to(base).parts
    app_parts = parts[: parts.index("locale")]
    return ".".join(("wagtail", *app_parts))


@dataclass
class Source:
    """One en/vi catalogue pair that msgids are taken from."""

    app: str
    en_po: Path
    vi_po: Path
    path_prefix: str  # prepended to the en catalogue's occurrences (they are relative to the app)
    only: frozenset[str] | None = None  # msgids to take from it; None means all


def wagtail_catalogues(domain: str) -> list[tuple[str, Path, Path]]:
    """(app, en .po, vi .po) for every Wagtail app that has an ``en`` catalogue of this domain."""
    base = wagtail_dir()
    found = []
    for en_po in sorted(base.glob(f"**/locale/en/LC_MESSAGES/{domain}.po")):
        vi_po = en_po.parent.parent.parent / LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
        found.append((_app_label(en_po, base), en_po, vi_po))
    return found


def sources(domain: str) -> list[Source]:
    """Every Wagtail catalogue of the domain, plus the Django-core msgids the Wagtail admin depends on."""
    found = [
        Source(app, en_po, vi_po, "wagtail/" + "/".join(app.split(".")[1:]))
        for app, en_po, vi_po in wagtail_catalogues(domain)
    ]
    if domain == "django":
        django_locale = _package_dir("django") / "conf" / "locale"
        found.append(
            Source(
                "django (timesince, shown by wagtail.admin)",
                django_locale / "en" / "LC_MESSAGES" / "django.po",
                django_locale / LANGUAGE / "LC_MESSAGES" / "django.po",
                "django",
                DJANGO_TIMESINCE_MSGIDS,
            )
        )
    return found


# Wagtail's ``timesince_simple`` compares Django's ``timesince()`` output with its own ``_("0 minutes")`` to print
# "just now", and shows "%(time_period)s ago" around it everywhere in the admin. Django's vi catalogue still has
# the old "%d minute" msgids, so without these the admin says "0 minutes trước" instead of "vừa xong".
DJANGO_TIMESINCE_MSGIDS = frozenset(f"%(num)d {unit}" for unit in ("year", "month", "week", "day", "hour", "minute"))


def is_translated(entry: polib.POEntry | None) -> bool:
    if entry is None or entry.obsolete or entry.fuzzy:
        return False
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def wagtail_vi_translations(domain: str) -> dict[tuple[str | None, str], polib.POEntry]:
    """Every usable translation in the vi catalogues of ``sources(domain)``."""
    result: dict[tuple[str | None, str], polib.POEntry] = {}
    for source in sources(domain):
        if source.vi_po.exists():
            for entry in polib.pofile(str(source.vi_po)):
                if is_translated(entry) and (source.only is None or entry.msgid in source.only):
                    result.setdefault((entry.msgctxt, entry.msgid), entry)
    return result


def missing_entries(domain: str) -> list[MissingEntry]:
    """msgids of the installed Wagtail that its vi catalogues lack or have empty/fuzzy, de-duplicated per domain.

    A msgid missing from one app's vi catalogue but translated in another app's is still listed (Django's
    lookup would find the other app's translation, but listing it keeps each app complete); ``check`` then
    requires the override to repeat Wagtail's translation unchanged.
    """
    entries: dict[tuple[str | None, str], MissingEntry] = {}
    for source in sources(domain):
        vi_entries = {}
        if source.vi_po.exists():
            vi_entries = {(e.msgctxt, e.msgid): e for e in polib.pofile(str(source.vi_po))}
        for entry in polib.pofile(str(source.en_po)):
            if entry.obsolete or not entry.msgid:
                continue
            if source.only is not None and entry.msgid not in source.only:
                continue
            key = (entry.msgctxt, entry.msgid)
            if is_translated(vi_entries.get(key)):
                continue
            missing = entries.get(key)
            if missing is None:
                missing = entries[key] = MissingEntry(
                    domain=domain,
                    msgid=entry.msgid,
                    msgctxt=entry.msgctxt,
                    msgid_plural=entry.msgid_plural or None,
                    flags=sorted(f for f in entry.flags if f != "fuzzy"),
                )
            if source.app not in missing.apps:
                missing.apps.append(source.app)
            for path, line in entry.occurrences:
                missing.occurrences.append((f"{source.path_prefix}/{path}", line))
    return list(entries.values())


# ---------------------------------------------------------------------------------------------------------------------
# The override catalogue
# ---------------------------------------------------------------------------------------------------------------------
def override_po_path(domain: str, override_dir: Path | None = None) -> Path:
    return (override_dir or OVERRIDE_DIR) / f"{domain}.po"


def override_mo_path(domain: str, override_dir: Path | None = None) -> Path:
    return (override_dir or OVERRIDE_DIR) / f"{domain}.mo"


def _new_catalogue(revision_date: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=0)
    po.header = HEADER_COMMENT
    po.metadata = {**HEADER, "PO-Revision-Date": revision_date}
    return po


def update(override_dir: Path | None = None) -> dict[str, tuple[int, int, int]]:
    """Bring the override .po files in line with the installed Wagtail. Returns domain -> (added, kept, dropped)."""
    stats = {}
    for domain in DOMAINS:
        path = override_po_path(domain, override_dir)
        old = polib.pofile(str(path), wrapwidth=0) if path.exists() else None
        old_entries = {(e.msgctxt, e.msgid): e for e in old} if old else {}
        upstream = wagtail_vi_translations(domain)
        needed = missing_entries(domain)
        po = _new_catalogue("")
        added = kept = 0
        for missing in needed:
            entry = polib.POEntry(
                msgid=missing.msgid,
                msgctxt=missing.msgctxt,
                flags=list(missing.flags),
                occurrences=missing.occurrences,
                comment="apps: " + ", ".join(missing.apps),
            )
            previous = old_entries.get(missing.key)
            if missing.msgid_plural:
                entry.msgid_plural = missing.msgid_plural
                entry.msgstr_plural = {0: ""}
                if previous is not None and previous.msgstr_plural:
                    entry.msgstr_plural = {0: previous.msgstr_plural.get(0, "")}
                elif missing.key in upstream:
                    entry.msgstr_plural = {0: upstream[missing.key].msgstr_plural.get(0, "")}
            elif previous is not None and previous.msgstr:
                entry.msgstr = previous.msgstr
            elif missing.key in upstream:
                entry.msgstr = upstream[missing.key].msgstr
            if previous is not None:
                entry.tcomment = previous.tcomment
                if previous.fuzzy:
                    entry.flags.append("fuzzy")
            if previous is None:
                added += 1
            else:
                kept += 1
            po.append(entry)
        dropped = len(set(old_entries) - {e.key for e in needed} - {(None, "")})
        revision = old.metadata.get("PO-Revision-Date", "") if old else ""
        if added or dropped or not revision:
            revision = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M+0000")
        po.metadata["PO-Revision-Date"] = revision
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        stats[domain] = (added, kept, dropped)
    return stats


def compile_mo(override_dir: Path | None = None) -> None:
    for domain in DOMAINS:
        po = polib.pofile(str(override_po_path(domain, override_dir)))
        po.save_as_mofile(str(override_mo_path(domain, override_dir)))


# ---------------------------------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------------------------------
def placeholders(text: str, *, positional: bool = True) -> tuple[frozenset[str], tuple[str, ...]]:
    """(named placeholders, sorted positional ones) in a msgid/msgstr.

    Named: ``%(name)s`` as "%(name)s" (with its conversion), ``{name}``/``{0}`` as "{name}".
    Positional: ``%s``/``%d`` (only counted when ``positional``) and ``{}``.
    """
    named: set[str] = set()
    unnamed: list[str] = []
    for match in _PERCENT_RE.finditer(text):
        if match.group(0) == "%%":
            continue
        if match.group("name"):
            named.add(f"%{match.group('name')}{match.group('conv')}")
        elif positional:
            unnamed.append(f"%{match.group('conv')}")
    for match in _BRACE_RE.finditer(text):
        field_text = match.group("field")
        if field_text is None:
            continue
        name = re.split(r"[!:.\[]", field_text, maxsplit=1)[0]
        if name:
            named.add("{" + name + "}")
        else:
            unnamed.append("{}")
    return frozenset(named), tuple(sorted(unnamed))


def _edges(text: str) -> tuple[str, str]:
    stripped = text.strip()
    if not stripped:
        return text, ""
    start = text.index(stripped)
    return text[:start], text[start + len(stripped) :]


def _entry_problems(entry: polib.POEntry, where: str) -> list[str]:
    problems = []
    positional = "python-format" in entry.flags
    # Vietnamese has one plural form, used for every n: msgstr[0] follows msgid_plural (as msgfmt checks it).
    sources = [entry.msgid_plural] if entry.msgid_plural else [entry.msgid]
    if entry.msgid_plural:
        extra = sorted(k for k in entry.msgstr_plural if int(k) != 0)
        if extra:
            problems.append(f"{where}: Vietnamese has one plural form; remove msgstr{extra}")
        translations = [entry.msgstr_plural.get(0, "")]
    else:
        translations = [entry.msgstr]
    for text in translations:
        got = placeholders(text, positional=positional)
        wanted = [placeholders(source, positional=positional) for source in sources]
        if got not in wanted:
            problems.append(f"{where}: placeholders {_fmt(got)} in msgstr, expected {_fmt(wanted[0])}")
        if sorted(_TAG_RE.findall(text)) not in [sorted(_TAG_RE.findall(s)) for s in sources]:
            problems.append(f"{where}: HTML tags in msgstr differ from the msgid's")
        if sorted(_ENTITY_RE.findall(text)) not in [sorted(_ENTITY_RE.findall(s)) for s in sources]:
            problems.append(f"{where}: HTML entities in msgstr differ from the msgid's")
        # Whitespace at the edges matters for both forms (templates concatenate them).
        if _edges(text) not in [_edges(s) for s in [entry.msgid, *sources]]:
            problems.append(f"{where}: leading/trailing whitespace of msgstr differs from the msgid's")
    return problems


def _fmt(found: tuple[frozenset[str], tuple[str, ...]]) -> str:
    named, unnamed = found
    return "{" + ", ".join(sorted(named) + list(unnamed)) + "}"


def _describe(entry: polib.POEntry | MissingEntry, domain: str) -> str:
    context = f" (msgctxt {entry.msgctxt!r})" if entry.msgctxt else ""
    return f"{domain}.po: {entry.msgid!r}{context}"


def _mo_problems(po: polib.POFile, domain: str, override_dir: Path | None) -> list[str]:
    mo_path = override_mo_path(domain, override_dir)
    if not mo_path.exists():
        return [f"{mo_path.name} is missing: compile {domain}.po"]

    def table(catalogue) -> dict:
        rows = {}
        for entry in catalogue:
            if getattr(entry, "obsolete", False) or "fuzzy" in getattr(entry, "flags", ()) or not entry.msgid:
                continue
            if entry.msgid_plural:
                if any(entry.msgstr_plural.values()):
                    rows[(entry.msgctxt, entry.msgid, entry.msgid_plural)] = tuple(
                        sorted((int(k), v) for k, v in entry.msgstr_plural.items())
                    )
            elif entry.msgstr:
                rows[(entry.msgctxt, entry.msgid, None)] = entry.msgstr
        return rows

    mo = polib.mofile(str(mo_path))
    po_rows, mo_rows = table(po), table(mo)
    problems = []
    if po_rows != mo_rows:
        stale = len(set(po_rows.items()) ^ set(mo_rows.items()))
        problems.append(f"{mo_path.name} is out of date with {domain}.po ({stale} differing entries): recompile")
    if mo.metadata.get("Plural-Forms", "").replace(" ", "") != HEADER["Plural-Forms"].replace(" ", ""):
        problems.append(f"{mo_path.name}: Plural-Forms header is not {HEADER['Plural-Forms']!r}")
    return problems


def check(override_dir: Path | None = None) -> list[str]:
    """Problems with the override catalogue; an empty list means it is complete, consistent and compiled."""
    problems: list[str] = []
    for domain in DOMAINS:
        po_path = override_po_path(domain, override_dir)
        if not po_path.exists():
            problems.append(f"{po_path} is missing: run `update`, translate, then `compile`")
            continue
        po = polib.pofile(str(po_path))
        meta = po.metadata
        if meta.get("Language") != LANGUAGE:
            problems.append(f"{domain}.po: header Language is {meta.get('Language')!r}, expected 'vi'")
        if "charset=UTF-8" not in meta.get("Content-Type", ""):
            problems.append(f"{domain}.po: header Content-Type must declare charset=UTF-8")
        if meta.get("Plural-Forms", "").replace(" ", "") != HEADER["Plural-Forms"].replace(" ", ""):
            problems.append(f"{domain}.po: header Plural-Forms must be {HEADER['Plural-Forms']!r}")

        entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete and e.msgid}
        upstream = wagtail_vi_translations(domain)
        missing = missing_entries(domain)
        for item in missing:
            entry = entries.get(item.key)
            where = _describe(item, domain)
            if entry is None:
                problems.append(f"{where}: not in the override catalogue")
                continue
            if entry.fuzzy:
                problems.append(f"{where}: marked fuzzy")
            if (entry.msgid_plural or None) != item.msgid_plural:
                problems.append(f"{where}: msgid_plural is {entry.msgid_plural!r}, Wagtail has {item.msgid_plural!r}")
                continue
            if not is_translated(entry) and not entry.fuzzy:
                problems.append(f"{where}: not translated")
                continue
            problems.extend(_entry_problems(entry, where))
            if item.key in upstream:
                theirs = upstream[item.key]
                ours = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
                wanted = theirs.msgstr_plural.get(0) if theirs.msgid_plural else theirs.msgstr
                if ours != wanted:
                    problems.append(f"{where}: differs from Wagtail's existing vi translation {wanted!r}")
        needed = {item.key for item in missing}
        for key, entry in entries.items():
            if key in needed:
                continue
            where = _describe(entry, domain)
            if key in upstream:
                theirs = upstream[key]
                same = (
                    entry.msgstr_plural.get(0) == theirs.msgstr_plural.get(0)
                    if entry.msgid_plural
                    else entry.msgstr == theirs.msgstr
                )
                if not same:
                    problems.append(f"{where}: overrides Wagtail's existing vi translation; keep it unchanged")
            else:
                problems.append(f"{where}: no longer a Wagtail msgid (run `update` to drop it)")
        problems.extend(_mo_problems(po, domain, override_dir))
    return problems


# ---------------------------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("missing", help="list the msgids Wagtail's vi catalogues lack")
    listing.add_argument("--domain", choices=DOMAINS)
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    sub.add_parser("update", help="merge newly missing msgids into the override .po files")
    sub.add_parser("compile", help="write the .mo files")
    sub.add_parser("check", help="check the override catalogue (exit 1 on problems)")
    args = parser.parse_args(argv)

    if args.command == "missing":
        domains = [args.domain] if args.domain else list(DOMAINS)
        found = {domain: missing_entries(domain) for domain in domains}
        if args.json:
            out = {
                domain: [
                    {
                        "msgctxt": e.msgctxt,
                        "msgid": e.msgid,
                        "msgid_plural": e.msgid_plural,
                        "flags": e.flags,
                        "apps": e.apps,
                    }
                    for e in entries
                ]
                for domain, entries in found.items()
            }
            print(json.dumps(out, ensure_ascii=False, indent=1))
        else:
            for domain, entries in found.items():
                for e in entries:
                    plural = f"  |plural {e.msgid_plural!r}" if e.msgid_plural else ""
                    context = f"[{e.msgctxt}] " if e.msgctxt else ""
                    print(f"{domain}\t{','.join(e.apps)}\t{context}{e.msgid!r}{plural}")
            summary = ", ".join(f"{domain}: {len(entries)}" for domain, entries in found.items())
            print(f"missing msgids -- {summary}", file=sys.stderr)
        return 0
    if args.command == "update":
        for domain, (added, kept, dropped) in update().items():
            print(f"{domain}.po: {added} added (untranslated), {kept} kept, {dropped} dropped")
        print("Translate the new entries, then run `compile` and `check`.")
        return 0
    if args.command == "compile":
        compile_mo()
        print(f"compiled {', '.join(f'{d}.mo' for d in DOMAINS)} in {OVERRIDE_DIR}")
        return 0
    problems = check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    counts = ", ".join(f"{d}: {len(missing_entries(d))} msgids translated" for d in DOMAINS)
    print(f"OK -- {counts}; .mo files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
