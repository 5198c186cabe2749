"""Upload and archive limits, overridable per deployment with ``settings.LIBRARY_LIMITS`` (a dict of these fields)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from django.conf import settings

MB = 1024 * 1024

# Extensions H5P core accepts in content and libraries (h5p.classes.php, default whitelist), minus Flash (swf),
# which no browser plays and which was an attack vector. Extension-less files (LICENSE, README) are allowed.
H5P_EXTENSIONS = frozenset(
    [
        "json",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "svg",
        "eot",
        "ttf",
        "woff",
        "woff2",
        "otf",
        "webm",
        "mp4",
        "ogg",
        "ogv",
        "mp3",
        "m4a",
        "wav",
        "vtt",
        "webvtt",
        "txt",
        "pdf",
        "rtf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "xml",
        "csv",
        "diff",
        "patch",
        "md",
        "textile",
        "gltf",
        "glb",
        "js",
        "css",
        "map",
    ]
)
# SCORM packages are small web sites: pages, scripts, styles, media and the XML schemas they ship with.
SCORM_EXTENSIONS = H5P_EXTENSIONS | frozenset(
    [
        "html",
        "htm",
        "xhtml",
        "xsd",
        "dtd",
        "xsl",
        "xslt",
        "ico",
        "mpg",
        "mpeg",
        "mov",
        "avi",
        "m4v",
        "aac",
        "flac",
        "opus",
        "oga",
        "weba",
        "webp",
        "avif",
        "wasm",
        "jsonld",
        "epub",
    ]
)
DOCUMENT_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "rtf",
        "txt",
        "csv",
        "epub",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "svg",
        "mp3",
        "m4a",
        "ogg",
        "oga",
        "wav",
        "mp4",
        "webm",
        "ogv",
        "m4v",
    ]
)


# Text kept from a PDF's text layer (the search index reads at most 100 000 characters of an item).
EXTRACTED_TEXT_MAX_CHARS = 200_000
# Pages read for it: a 2 000-page scanned book is not worth minutes of an upload request.
EXTRACTED_TEXT_MAX_PAGES = 500


@dataclass(frozen=True)
class Limits:
    package_max_bytes: int = 500 * MB  # the uploaded archive itself
    expanded_max_bytes: int = 1024 * MB  # sum of the members' sizes once extracted
    member_max_bytes: int = 300 * MB  # one member (a lesson video inside an H5P)
    max_members: int = 20_000
    # Deflate reaches ~1000:1 on long runs of one byte; real content (text, JSON, JS) stays far below 100:1.
    max_compression_ratio: int = 200
    # Small members are not checked for ratio (a 3 KB JSON of spaces is harmless).
    ratio_check_min_bytes: int = 1 * MB
    document_max_bytes: int = 200 * MB
    video_max_bytes: int = 1024 * MB
    svg_scan_max_bytes: int = 5 * MB


def get_limits() -> Limits:
    overrides = getattr(settings, "LIBRARY_LIMITS", None) or {}
    known = {f.name for f in fields(Limits)}
    return replace(Limits(), **{k: v for k, v in overrides.items() if k in known})
