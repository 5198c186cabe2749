"""H5P package inspection behind our own interface; pyh5p does the h5p.json and semantics validation.

pyh5p reads every member into memory, so it never sees the archive: we check the archive ourselves
(``archive.scan_archive``), read only the small JSON files it needs (h5p.json, content/content.json, each library's
library.json and semantics.json) and hand pyh5p a package whose other members are name-only placeholders. Two gaps
of pyh5p 0.1.0 against H5P core are closed here before validation, so real packages are not rejected wrongly:
a ``group`` with a single field is flattened by H5P (its value is the field's value), list item fields may omit
``name``, and a ``select`` without options (filled in by an editor widget) accepts any value. H5P core corrects
out-of-range numbers, decimals and over-long text when it saves content rather than refusing the package, so those
findings are warnings; wrong types, missing required values, unknown options and missing media are errors.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pyh5p
from django.utils.translation import gettext as _
from pyh5p.errors import H5PError
from pyh5p.package import PackagedLibrary, _content_paths

from lms.library.packages.archive import ArchiveScan, ArchiveTooLarge, is_ignored, read_member
from lms.library.packages.limits import MB

JSON_MAX_BYTES = 20 * MB
# pyh5p finding keywords for values H5P core silently corrects on save (h5p.classes.php H5PContentValidator).
CORRECTED_BY_H5P = frozenset({"decimals", "min", "max", "steps", "maxLength", "regexp", "minItems", "maxItems"})


@dataclass(frozen=True, order=True)
class LibraryRef:
    machine_name: str
    major: int
    minor: int

    @property
    def key(self) -> str:
        """The folder name and our storage key: ``H5P.MultiChoice-1.14``."""
        return f"{self.machine_name}-{self.major}.{self.minor}"

    @classmethod
    def from_json(cls, value: Any) -> LibraryRef:
        return cls(str(value["machineName"]), int(value["majorVersion"]), int(value["minorVersion"]))


@dataclass
class BundledLibrary:
    ref: LibraryRef
    folder: str
    patch: int
    metadata: dict[str, Any]
    members: list[zipfile.ZipInfo] = field(default_factory=list)

    @property
    def runtime_dependencies(self) -> list[LibraryRef]:
        return [LibraryRef.from_json(d) for d in self.metadata.get("preloadedDependencies") or []]


@dataclass
class H5PInspection:
    title: str = ""
    main_library: LibraryRef | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    content: dict[str, Any] | None = None
    libraries: list[BundledLibrary] = field(default_factory=list)
    content_members: list[zipfile.ZipInfo] = field(default_factory=list)
    dependencies: list[LibraryRef] = field(default_factory=list)  # everything the player loads, package order
    missing: list[LibraryRef] = field(default_factory=list)  # needed, neither bundled nor already stored
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def launch(self) -> str:
        return self.main_library.key if self.main_library else ""


def _load_json(archive: zipfile.ZipFile, info: zipfile.ZipInfo, errors: list[str]) -> Any:
    try:
        raw = read_member(archive, info, max_bytes=JSON_MAX_BYTES)
    except ArchiveTooLarge:
        errors.append(_("“%(name)s” is larger than its archive entry says.") % {"name": info.filename})
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        errors.append(_("“%(name)s” is not UTF-8 text.") % {"name": info.filename})
    except json.JSONDecodeError as exc:
        errors.append(
            _("“%(name)s” is not valid JSON (line %(line)d, column %(column)d: %(reason)s).")
            % {"name": info.filename, "line": exc.lineno, "column": exc.colno, "reason": exc.msg}
        )
    return None


def normalise_semantics(fields_: Any, fallback: str = "field") -> Any:
    """H5P core's reading of semantics.json, for pyh5p: single-field groups flattened, missing names filled."""
    if isinstance(fields_, list):
        normalised = [normalise_semantics(f, f"{fallback}{i}") for i, f in enumerate(fields_)]
        return [f for f in normalised if f is not None]
    if not isinstance(fields_, dict):
        return fields_
    spec = dict(fields_)
    spec.setdefault("name", fallback)
    if spec.get("type") == "select" and not spec.get("options"):
        return None  # options come from an editor widget: H5P core accepts any value
    if spec.get("type") == "group" and isinstance(spec.get("fields"), list) and len(spec["fields"]) == 1:
        child = normalise_semantics(dict(spec["fields"][0]), spec["name"])
        child["name"] = spec["name"]
        if spec.get("optional"):
            child["optional"] = True
        return child
    if isinstance(spec.get("fields"), list):
        normalised = [normalise_semantics(f, f"field{i}") for i, f in enumerate(spec["fields"])]
        spec["fields"] = [f for f in normalised if f is not None]
    if isinstance(spec.get("field"), dict):
        spec["field"] = normalise_semantics(spec["field"], "item") or {"type": "text", "name": "item"}
    return spec


def _describe_issue(issue) -> str:
    where = issue.path.replace("$.h5p.", "h5p.json: ").replace("$.content", "content/content.json: $")
    return f"{where} — {issue.message}"


def inspect_h5p(archive: zipfile.ZipFile, scan: ArchiveScan, *, stored_libraries: frozenset[str] = frozenset()):
    """Describe and validate an H5P package whose archive ``scan`` passed. ``stored_libraries`` are the library
    keys (``Machine-major.minor``) already in our library store, which content-only packages may rely on."""
    result = H5PInspection()
    members = {m.filename: m for m in scan.members}
    if "h5p.json" not in members:
        nested = sorted(n for n in members if n.endswith("/h5p.json"))
        if nested:
            result.errors.append(
                _(
                    "h5p.json must be at the top of the archive, not in “%(folder)s”; zip the package's contents, "
                    "not its folder."
                )
                % {"folder": nested[0].rsplit("/", 1)[0]}
            )
        else:
            result.errors.append(_("The archive has no h5p.json: it is not an H5P package."))
        return result
    metadata = _load_json(archive, members["h5p.json"], result.errors)
    if result.errors:
        return result
    if not isinstance(metadata, dict):
        result.errors.append(_("h5p.json must contain a JSON object."))
        return result
    result.metadata = metadata
    result.title = str(metadata.get("title") or "").strip()

    content = None
    if "content/content.json" in members:
        content = _load_json(archive, members["content/content.json"], result.errors)
        if content is not None and not isinstance(content, dict):
            result.errors.append(_("content/content.json must contain a JSON object."))
            content = None
    else:
        result.errors.append(_("The package has no content/content.json (the activity's parameters)."))
    result.content = content

    # Library folders: every top-level folder other than content/ must be exactly one library.
    files: dict[str, bytes] = {"h5p.json": b""}
    folders: dict[str, list[zipfile.ZipInfo]] = {}
    for name, info in members.items():
        top, _sep, rest = name.partition("/")
        if name == "h5p.json":
            continue
        if top == "content" and rest:
            result.content_members.append(info)
            files[name] = b""
        elif rest:
            folders.setdefault(top, []).append(info)
        elif not is_ignored(name):
            result.warnings.append(
                _("“%(name)s” at the top of the package is not part of H5P and is ignored.") % {"name": name}
            )
    packaged: list[PackagedLibrary] = []
    for folder, infos in sorted(folders.items()):
        library_json = members.get(f"{folder}/library.json")
        if library_json is None:
            result.errors.append(
                _("Folder “%(folder)s” has no library.json: it is not an H5P library.") % {"folder": folder}
            )
            continue
        lib_meta = _load_json(archive, library_json, result.errors)
        if not isinstance(lib_meta, dict):
            continue
        try:
            ref = LibraryRef.from_json(lib_meta)
        except (KeyError, TypeError, ValueError):
            result.errors.append(
                _("“%(name)s” lacks machineName, majorVersion or minorVersion.") % {"name": library_json.filename}
            )
            continue
        if folder != ref.key:
            result.errors.append(
                _(
                    "Library folder “%(folder)s” does not match its library.json, which describes %(library)s "
                    "(expected folder “%(expected)s”)."
                )
                % {"folder": folder, "library": f"{ref.machine_name} {ref.major}.{ref.minor}", "expected": ref.key}
            )
            continue
        semantics_raw: Any = []
        semantics_info = members.get(f"{folder}/semantics.json")
        if semantics_info is not None:
            semantics_raw = _load_json(archive, semantics_info, result.errors)
        lib_files = {"library.json": json.dumps(lib_meta).encode()}
        normalised = json.dumps(normalise_semantics(semantics_raw or [])).encode()
        lib_files["semantics.json"] = normalised
        for info in infos:
            files[info.filename] = b""
        files[f"{folder}/library.json"] = lib_files["library.json"]
        files[f"{folder}/semantics.json"] = normalised
        try:
            packaged.append(PackagedLibrary(pyh5p.LibraryId.parse(lib_meta), lib_files, lib_meta))
        except (TypeError, ValueError) as exc:
            result.errors.append(f"{library_json.filename}: {exc}")
            continue
        result.libraries.append(
            BundledLibrary(ref, folder, int(lib_meta.get("patchVersion") or 0), lib_meta, list(infos))
        )
    if result.errors:
        return result

    package = pyh5p.H5PPackage(metadata, content, tuple(packaged), files)
    # Media given by address (a YouTube video, an image on another site) is legal H5P; pyh5p calls it unsafe.
    external = {
        path for path, value in _content_paths(content or {}) if value.lower().startswith(("http://", "https://"))
    }
    for issue in package.validate(require_content=True, allow_content_only=True):
        if issue.keyword == "additionalProperties":
            continue  # loose top-level files: reported above as warnings, never extracted
        if issue.path in external:
            result.warnings.append(
                _("%(path)s points to media on another site; the player's security policy will not load it.")
                % {"path": issue.path.replace("$.content", "content/content.json: $")}
            )
            continue
        result.errors.append(_describe_issue(issue))
    if result.errors:
        return result

    # Dependencies: h5p.json's preloadedDependencies and, recursively, each library's own.
    bundled = {lib.ref.key: lib for lib in result.libraries}
    try:
        wanted = [LibraryRef.from_json(d) for d in metadata.get("preloadedDependencies") or []]
    except (KeyError, TypeError, ValueError):
        result.errors.append(_("h5p.json: a preloadedDependencies entry lacks its name or version."))
        return result
    main_name = metadata["mainLibrary"]
    main = next((d for d in wanted if d.machine_name == main_name), None)
    if main is None:
        result.errors.append(
            _("h5p.json: the main library %(library)s is not among preloadedDependencies.") % {"library": main_name}
        )
        return result
    result.main_library = main
    seen: set[str] = set()
    queue = list(wanted)
    needed_by: dict[str, str] = {d.key: "h5p.json" for d in wanted}
    while queue:
        ref = queue.pop(0)
        if ref.key in seen:
            continue
        seen.add(ref.key)
        result.dependencies.append(ref)
        lib = bundled.get(ref.key)
        if lib is None:
            if ref.key not in stored_libraries:
                result.missing.append(ref)
            continue
        try:
            children = lib.runtime_dependencies
        except (KeyError, TypeError, ValueError):
            result.errors.append(
                _("%(folder)s/library.json: a preloadedDependencies entry lacks its name or version.")
                % {"folder": lib.folder}
            )
            continue
        for child in children:
            needed_by.setdefault(child.key, lib.folder)
            queue.append(child)
    if result.missing:
        names = ", ".join(f"{r.machine_name} {r.major}.{r.minor}" for r in result.missing)
        if result.libraries:
            for ref in result.missing:
                result.errors.append(
                    _("Library %(library)s, needed by %(needed_by)s, is neither in the package nor in the library.")
                    % {"library": f"{ref.machine_name} {ref.major}.{ref.minor}", "needed_by": needed_by[ref.key]}
                )
            return result
        result.warnings.append(
            _(
                "Content-only package: it needs %(libraries)s, which the library does not have yet. It can be saved "
                "but not played until a package carrying these libraries is uploaded."
            )
            % {"libraries": names}
        )

    for key in ("preloadedJs", "preloadedCss"):
        if metadata.get(key):
            result.warnings.append(
                _("h5p.json lists %(key)s (not part of the H5P format); these files are not loaded.") % {"key": key}
            )

    # content.json against the main library's semantics (and nested libraries' semantics), when bundled.
    if main.key in bundled and content is not None:
        try:
            h5p_content = pyh5p.H5PContent(
                pyh5p.LibraryStore(),
                pyh5p.LibraryId(main.machine_name, main.major, main.minor),
                content,
                dict(metadata),
                packaged_files=files,
            )
            issues = h5p_content.validate()
        except (H5PError, TypeError, ValueError) as exc:
            result.errors.append(
                _("%(folder)s/semantics.json cannot be read: %(reason)s") % {"folder": main.key, "reason": exc}
            )
            return result
        for issue in issues:
            if issue.path in external or "$.content" + issue.path[1:] in external:
                continue  # warned about above
            if issue.keyword in CORRECTED_BY_H5P:
                result.warnings.append(_describe_issue(issue))
            else:
                result.errors.append(_describe_issue(issue))
    elif content is not None:
        result.warnings.append(
            _("content/content.json was not checked against semantics: the package does not carry %(library)s.")
            % {"library": main.key}
        )
    return result
