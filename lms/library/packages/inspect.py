"""``inspect_package``: what an uploaded file is and whether the library accepts it, without saving anything."""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from lms.library.packages import h5p as h5p_reader
from lms.library.packages import scorm as scorm_reader
from lms.library.packages.archive import ArchiveScan, ArchiveTooLarge, read_member, scan_archive
from lms.library.packages.limits import (
    DOCUMENT_EXTENSIONS,
    H5P_EXTENSIONS,
    MB,
    SCORM_EXTENSIONS,
    Limits,
    get_limits,
)


class PackageKind:
    H5P = "h5p"
    SCORM = "scorm"
    DOCUMENT = "document"


VIDEO_EXTENSIONS = frozenset({"mp4", "webm", "ogv", "m4v"})
AUDIO_EXTENSIONS = frozenset({"mp3", "m4a", "ogg", "oga", "wav"})
# The first bytes each format must start with (a renamed .exe is not a PDF).
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "pptx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
    "ods": (b"PK\x03\x04",),
    "odp": (b"PK\x03\x04",),
    "epub": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
    "ppt": (b"\xd0\xcf\x11\xe0",),
    "webm": (b"\x1a\x45\xdf\xa3",),
}


@dataclass
class PackageReport:
    """The acceptance command's JSON (``as_json``) plus what the upload service needs to extract the package."""

    path: Path
    kind: str
    title: str = ""
    version: str = ""
    launch: str = ""
    scos: list[dict[str, str]] = field(default_factory=list)
    libraries: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    scan: ArchiveScan | None = None
    h5p: h5p_reader.H5PInspection | None = None
    manifest: scorm_reader.ScormManifest | None = None
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "ok": self.ok,
            "title": self.title,
            "version": self.version,
            "launch": self.launch,
            "scos": self.scos,
            "libraries": self.libraries,
            "errors": self.errors,
        }


def _guess_kind(path: Path, archive: zipfile.ZipFile | None) -> str:
    extension = path.suffix.lower().lstrip(".")
    if extension == "h5p":
        return PackageKind.H5P
    if archive is not None:
        names = set(archive.namelist())
        if "h5p.json" in names:
            return PackageKind.H5P
        if scorm_reader.MANIFEST in names or any(n.endswith("/" + scorm_reader.MANIFEST) for n in names):
            return PackageKind.SCORM
    if extension == "zip":
        return PackageKind.SCORM
    return PackageKind.DOCUMENT


def inspect_package(
    path: str | os.PathLike,
    *,
    limits: Limits | None = None,
    stored_libraries: frozenset[str] = frozenset(),
    filename: str | None = None,
) -> PackageReport:
    """Check ``path`` (an H5P, a SCORM zip or a document). ``filename`` is the name the user gave the file when it
    differs from ``path`` (an upload's temporary file)."""
    limits = limits or get_limits()
    path = Path(path)
    named = Path(filename) if filename else path
    size = path.stat().st_size
    archive = None
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            archive = None
    kind = _guess_kind(named, archive)
    report = PackageReport(path=path, kind=kind, size=size)
    try:
        if kind == PackageKind.DOCUMENT:
            _inspect_document(report, named, limits)
            return report
        if size > limits.package_max_bytes:
            report.errors.append(
                _("“%(file)s” is %(size)s MB; packages may be at most %(max)s MB.")
                % {"file": named.name, "size": f"{size / MB:.1f}", "max": f"{limits.package_max_bytes / MB:.0f}"}
            )
            return report
        if archive is None:
            report.errors.append(
                _("“%(file)s” is not a ZIP archive (it is damaged or not a %(kind)s package).")
                % {"file": named.name, "kind": "H5P" if kind == PackageKind.H5P else "SCORM"}
            )
            return report
        if kind == PackageKind.H5P:
            _inspect_h5p(report, archive, limits, stored_libraries)
        else:
            _inspect_scorm(report, archive, limits)
    finally:
        if archive is not None:
            archive.close()
    return report


def _inspect_h5p(report: PackageReport, archive: zipfile.ZipFile, limits: Limits, stored: frozenset[str]) -> None:
    scan = scan_archive(archive, limits=limits, allowed_extensions=H5P_EXTENSIONS, kind="H5P")
    report.scan = scan
    if scan.errors:
        report.errors.extend(scan.errors)
        return
    result = h5p_reader.inspect_h5p(archive, scan, stored_libraries=stored)
    report.h5p = result
    report.title = result.title
    report.launch = result.launch
    report.libraries = [ref.key for ref in result.dependencies]
    report.errors.extend(result.errors)
    report.warnings.extend(result.warnings)


def _inspect_scorm(report: PackageReport, archive: zipfile.ZipFile, limits: Limits) -> None:
    scan = scan_archive(archive, limits=limits, allowed_extensions=SCORM_EXTENSIONS, kind="SCORM")
    report.scan = scan
    if scan.errors:
        report.errors.extend(scan.errors)
        return
    members = {m.filename: m for m in scan.members}
    if scorm_reader.MANIFEST not in members:
        nested = sorted(n for n in members if PurePosixPath(n).name == scorm_reader.MANIFEST)
        if nested:
            report.errors.append(
                _(
                    "imsmanifest.xml must be at the top of the archive, not in “%(folder)s”; zip the package's "
                    "contents, not its folder."
                )
                % {"folder": nested[0].rsplit("/", 1)[0]}
            )
        else:
            report.errors.append(_("The archive has no imsmanifest.xml: it is not a SCORM package."))
        return
    try:
        data = read_member(archive, members[scorm_reader.MANIFEST], max_bytes=10 * MB)
    except ArchiveTooLarge:
        report.errors.append(_("imsmanifest.xml is larger than 10 MB."))
        return
    manifest = scorm_reader.parse_manifest(data, package_files=set(members))
    report.manifest = manifest
    report.version = manifest.version
    report.title = manifest.title
    report.launch = manifest.launch if not manifest.errors else ""
    report.scos = [item.as_dict() for item in manifest.scos] if not manifest.errors else []
    report.errors.extend(manifest.errors)
    report.warnings.extend(manifest.warnings)


def document_kind(extension: str) -> str:
    if extension in VIDEO_EXTENSIONS:
        return "video"
    if extension in AUDIO_EXTENSIONS:
        return "audio"
    if extension in {"png", "jpg", "jpeg", "gif", "webp", "svg"}:
        return "image"
    if extension == "pdf":
        return "pdf"
    if extension == "epub":
        return "epub"
    return "office"


def _inspect_document(report: PackageReport, named: Path, limits: Limits) -> None:
    extension = named.suffix.lower().lstrip(".")
    report.title = named.stem.replace("_", " ").strip()
    if extension not in DOCUMENT_EXTENSIONS:
        report.errors.append(
            _("“%(file)s”: .%(ext)s files are not accepted (documents: %(allowed)s).")
            % {"file": named.name, "ext": extension or "—", "allowed": ", ".join(sorted(DOCUMENT_EXTENSIONS))}
        )
        return
    maximum = limits.video_max_bytes if extension in VIDEO_EXTENSIONS else limits.document_max_bytes
    if report.size > maximum:
        report.errors.append(
            _("“%(file)s” is %(size)s MB; this kind of file may be at most %(max)s MB.")
            % {"file": named.name, "size": f"{report.size / MB:.1f}", "max": f"{maximum / MB:.0f}"}
        )
        return
    with report.path.open("rb") as handle:
        head = handle.read(64 * 1024 if extension == "svg" else 16)
    expected = MAGIC.get(extension)
    if expected and not head.startswith(expected):
        report.errors.append(
            _("“%(file)s” is not really a .%(ext)s file (its content does not match its extension).")
            % {"file": named.name, "ext": extension}
        )
    if extension == "svg":
        from lms.library.packages.archive import _SVG_DANGER

        if report.size > limits.svg_scan_max_bytes or _SVG_DANGER.search(report.path.read_bytes()):
            report.errors.append(
                _("“%(file)s”: the SVG image contains a script or event handler.") % {"file": named.name}
            )
