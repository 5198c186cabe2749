"""Archive safety shared by H5P and SCORM: checks every ZIP member from the central directory (nothing is
extracted) and reads members as bounded streams.

Rejected: path traversal, absolute paths, symbolic links, encrypted members, duplicate names, zip bombs (a member's
compression ratio, the expanded total, the member count), disallowed extensions and SVG images carrying scripts or
event handlers. Each problem is one specific message naming the member.
"""

from __future__ import annotations

import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.utils.translation import gettext as _

from lms.library.packages.limits import MB, Limits

# macOS Finder adds these to every archive it makes; they are metadata, never content.
IGNORED_PREFIXES = ("__MACOSX/",)
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})

_SVG_DANGER = re.compile(
    rb"<\s*script|<\s*foreignObject|\son[a-z]+\s*=|javascript\s*:|<\s*iframe|<\s*embed|<\s*object|"
    rb"xlink:href\s*=\s*[\"']\s*data:text/html|<!ENTITY",
    re.IGNORECASE,
)


class ArchiveTooLarge(Exception):
    """A member turned out larger than its header said (or than the limit) while being read."""


@dataclass
class ArchiveScan:
    members: list[zipfile.ZipInfo] = field(default_factory=list)  # files that belong to the package
    errors: list[str] = field(default_factory=list)
    expanded_bytes: int = 0

    @property
    def names(self) -> set[str]:
        return {m.filename for m in self.members}


def is_ignored(name: str) -> bool:
    return name.startswith(IGNORED_PREFIXES) or PurePosixPath(name).name in IGNORED_NAMES


def _mb(value: int) -> str:
    return f"{value / MB:.1f}"


def check_member_name(name: str) -> str | None:
    """A message if ``name`` may not be written under the package's folder, else ``None``."""
    if "\x00" in name:
        return _("“%(name)s”: the file name contains a NUL character.") % {"name": name.replace("\x00", "␀")}
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return _("“%(name)s”: absolute paths are not allowed in a package.") % {"name": name}
    parts = re.split(r"[\\/]", name)
    if ".." in parts:
        return _("“%(name)s”: the path leaves the package folder (path traversal).") % {"name": name}
    if "\\" in name:
        return _("“%(name)s”: backslashes are not allowed in file names inside a package.") % {"name": name}
    return None


def scan_archive(archive: zipfile.ZipFile, *, limits: Limits, allowed_extensions: frozenset[str], kind: str):
    """Check every member of ``archive`` from its central directory. Never reads member data except SVG images
    (bounded by ``limits.svg_scan_max_bytes``)."""
    scan = ArchiveScan()
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        scan.errors.append(
            _("The package has %(count)d files; at most %(max)d are allowed.")
            % {"count": len(infos), "max": limits.max_members}
        )
        return scan
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        problem = check_member_name(name)
        if problem:
            scan.errors.append(problem)
            continue
        if info.is_dir() or is_ignored(name):
            continue
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            scan.errors.append(_("“%(name)s”: symbolic links are not allowed in a package.") % {"name": name})
            continue
        if info.flag_bits & 0x1:
            scan.errors.append(_("“%(name)s”: encrypted files cannot be checked and are not allowed.") % {"name": name})
            continue
        folded = name.casefold()
        if folded in seen:
            scan.errors.append(_("“%(name)s” appears twice in the package.") % {"name": name})
            continue
        seen.add(folded)
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if extension and extension not in allowed_extensions:
            scan.errors.append(
                _("“%(name)s”: .%(ext)s files are not allowed in %(kind)s packages.")
                % {"name": name, "ext": extension, "kind": kind}
            )
            continue
        if info.file_size > limits.member_max_bytes:
            scan.errors.append(
                _("“%(name)s” is %(size)s MB once extracted; one file may be at most %(max)s MB.")
                % {"name": name, "size": _mb(info.file_size), "max": _mb(limits.member_max_bytes)}
            )
            continue
        if info.file_size >= limits.ratio_check_min_bytes:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > limits.max_compression_ratio:
                scan.errors.append(
                    _(
                        "“%(name)s” expands %(ratio)d times (%(size)s MB from %(packed)s KB): "
                        "this looks like a zip bomb (at most %(max)d times is allowed)."
                    )
                    % {
                        "name": name,
                        "ratio": ratio,
                        "size": _mb(info.file_size),
                        "packed": f"{info.compress_size / 1024:.1f}",
                        "max": limits.max_compression_ratio,
                    }
                )
                continue
        scan.expanded_bytes += info.file_size
        scan.members.append(info)
    if scan.expanded_bytes > limits.expanded_max_bytes:
        scan.errors.append(
            _("The package expands to %(size)s MB; at most %(max)s MB is allowed (zip bomb protection).")
            % {"size": _mb(scan.expanded_bytes), "max": _mb(limits.expanded_max_bytes)}
        )
    if not scan.errors:
        for info in scan.members:
            if info.filename.lower().endswith(".svg"):
                problem = check_svg(archive, info, limits=limits)
                if problem:
                    scan.errors.append(problem)
    return scan


def check_svg(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limits: Limits) -> str | None:
    if info.file_size > limits.svg_scan_max_bytes:
        return _("“%(name)s”: SVG images larger than %(max)s MB cannot be checked for scripts.") % {
            "name": info.filename,
            "max": _mb(limits.svg_scan_max_bytes),
        }
    data = read_member(archive, info, max_bytes=limits.svg_scan_max_bytes)
    match = _SVG_DANGER.search(data)
    if match:
        found = match.group(0).decode("ascii", "replace").strip()
        return _("“%(name)s”: the SVG image contains a script or event handler (%(found)s).") % {
            "name": info.filename,
            "found": found,
        }
    return None


def iter_member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int, chunk: int = 1 << 20):
    """Yield the member's bytes in chunks; raise ArchiveTooLarge past ``max_bytes`` or past the declared size (a
    lying header is how zip bombs get around central-directory checks)."""
    limit = min(max_bytes, info.file_size)
    read = 0
    with archive.open(info) as source:
        while True:
            block = source.read(chunk)
            if not block:
                return
            read += len(block)
            if read > limit:
                raise ArchiveTooLarge(info.filename)
            yield block


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, max_bytes: int) -> bytes:
    return b"".join(iter_member_chunks(archive, info, max_bytes=max_bytes))


def open_zip(path) -> zipfile.ZipFile:
    return zipfile.ZipFile(path)


def members_by_name(scan: ArchiveScan) -> dict[str, zipfile.ZipInfo]:
    return {m.filename: m for m in scan.members}


def top_folders(names) -> Iterator[str]:
    return iter(sorted({n.split("/", 1)[0] for n in names if "/" in n}))
