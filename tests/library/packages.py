"""Builders of small, hand-made packages for the library tests (each test states what it breaks)."""

from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

FIXTURES = Path("../shared/fixtures")
H5P_DIR = FIXTURES / "h5p"
SCORM_DIR = FIXTURES / "scorm"


def zip_bytes(members: dict[str, bytes | str], *, symlinks: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name) if name.endswith("/") else name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def greeting_library(machine="H5P.Greeting", major=1, minor=0, deps=()) -> dict[str, bytes | str]:
    folder = f"{machine}-{major}.{minor}"
    return {
        f"{folder}/library.json": json.dumps(
            {
                "title": "Greeting",
                "machineName": machine,
                "majorVersion": major,
                "minorVersion": minor,
                "patchVersion": 2,
                "runnable": 1,
                "preloadedJs": [{"path": "greeting.js"}],
                "preloadedDependencies": [{"machineName": m, "majorVersion": a, "minorVersion": b} for m, a, b in deps],
            }
        ),
        f"{folder}/semantics.json": json.dumps(
            [
                {"name": "greeting", "type": "text", "label": "Greeting"},
                {"name": "image", "type": "image", "optional": True},
            ]
        ),
        f"{folder}/greeting.js": "H5P.Greeting = function (params) { this.attach = function ($c) {}; };",
    }


def h5p_package(extra: dict[str, bytes | str] | None = None, *, content=None, libraries=None, h5p=None, **kw) -> bytes:
    members: dict[str, bytes | str] = {
        "h5p.json": json.dumps(
            h5p
            or {
                "title": "Xin chào",
                "language": "vi",
                "mainLibrary": "H5P.Greeting",
                "embedTypes": ["div"],
                "license": "CC BY",
                "preloadedDependencies": [{"machineName": "H5P.Greeting", "majorVersion": 1, "minorVersion": 0}],
            }
        ),
        "content/content.json": json.dumps(content if content is not None else {"greeting": "Xin chào các em"}),
    }
    members.update(greeting_library() if libraries is None else libraries)
    members.update(extra or {})
    return zip_bytes(members, **kw)


SCORM12_MANIFEST = """<?xml version="1.0"?>
<manifest identifier="m1" version="1" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org"><organization identifier="org"><title>Bài học</title>
    <item identifier="i1" identifierref="r1"><title>Phần 1</title></item>
  </organization></organizations>
  <resources><resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="index.html">
    <file href="index.html"/></resource></resources>
</manifest>"""


def scorm_package(extra: dict[str, bytes | str] | None = None, manifest: str = SCORM12_MANIFEST, **kw) -> bytes:
    members: dict[str, bytes | str] = {"imsmanifest.xml": manifest, "index.html": "<html><body>Hi</body></html>"}
    members.update(extra or {})
    return zip_bytes(members, **kw)
