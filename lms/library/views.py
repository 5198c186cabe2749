"""Thin views: the player frames, the package files (same origin, whatever the storage) and the tracking endpoints."""

from __future__ import annotations

import json
import mimetypes
import posixpath
import re

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lms.library import selectors, tracking
from lms.library.access import can_play, make_play_token, read_play_token
from lms.library.models import ItemKind, LibraryItem

# The frames' policies. The H5P frame has an opaque origin ('self' still names our host for fetches and scripts);
# H5P libraries set inline styles. SCORM content is old-style web pages with inline scripts and handlers, so its
# policy allows them but keeps it from loading anything from elsewhere, framing elsewhere or posting elsewhere.
H5P_FRAME_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "media-src": ["'self'", "blob:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'", "blob:", "about:"],
    "frame-ancestors": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'none'"],
}
SCORM_CONTENT_POLICY = {
    **H5P_FRAME_POLICY,
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "form-action": ["'self'"],
}


def _item_for_token(token: str) -> tuple[LibraryItem, int]:
    decoded = read_play_token(token)
    if decoded is None:
        raise Http404
    item = selectors.get_item(decoded[0])
    if item is None:
        raise Http404
    return item, decoded[1]


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range of a ``Range: bytes=…`` header, as (first, last) inclusive; None when absent or not simple."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", (header or "").strip())
    if not match or not (match.group(1) or match.group(2)):
        return None
    if match.group(1):
        first = int(match.group(1))
        last = min(int(match.group(2)), size - 1) if match.group(2) else size - 1
    else:  # the last N bytes
        first, last = max(size - int(match.group(2)), 0), size - 1
    return first, last


def _chunks(handle, length: int, chunk: int = 64 * 1024):
    try:
        while length > 0:
            block = handle.read(min(chunk, length))
            if not block:
                return
            length -= len(block)
            yield block
    finally:
        handle.close()


def _stream_from_storage(key: str, *, cors: bool, range_header: str = "") -> StreamingHttpResponse:
    """Stream a stored file (local or S3) without buffering it whole; one byte range when asked (video seeking)."""
    content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
    bucket = getattr(default_storage, "bucket", None)
    try:
        if bucket is not None:
            client = default_storage.connection.meta.client
            name = default_storage._normalize_name(key)
            size = client.head_object(Bucket=default_storage.bucket_name, Key=name)["ContentLength"]
            wanted = _byte_range(range_header, size)
            if wanted and wanted[0] >= size:
                return _unsatisfiable(size)
            extra = {"Range": f"bytes={wanted[0]}-{wanted[1]}"} if wanted else {}
            body = client.get_object(Bucket=default_storage.bucket_name, Key=name, **extra)["Body"]
            stream = body.iter_chunks(64 * 1024)
        else:
            size = default_storage.size(key)
            wanted = _byte_range(range_header, size)
            if wanted and wanted[0] >= size:
                return _unsatisfiable(size)
            handle = default_storage.open(key, "rb")
            if wanted:
                handle.seek(wanted[0])
            stream = _chunks(handle, (wanted[1] - wanted[0] + 1) if wanted else size)
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    except Exception as exc:
        if exc.__class__.__name__ in {"NoSuchKey", "ClientError"}:
            raise Http404 from exc
        raise
    response = StreamingHttpResponse(stream, content_type=content_type, status=206 if wanted else 200)
    if wanted:
        response["Content-Range"] = f"bytes {wanted[0]}-{wanted[1]}/{size}"
        response["Content-Length"] = str(wanted[1] - wanted[0] + 1)
    else:
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    if cors:
        # The H5P frame's origin is opaque ("null"): its fetches are cross-origin, without cookies.
        response["Access-Control-Allow-Origin"] = "*"
    return response


def _unsatisfiable(size: int):
    from django.http import HttpResponse

    response = HttpResponse(status=416)
    response["Content-Range"] = f"bytes */{size}"
    return response


def _safe_relative(path: str) -> str:
    normal = posixpath.normpath(path)
    if normal.startswith(("../", "/")) or normal in {"..", "."} or "\\" in path or "\x00" in path:
        raise Http404
    return normal


@require_GET
def package_file(request, token: str, path: str):
    item, _user_id = _item_for_token(token)
    relative = _safe_relative(path)
    if item.kind == ItemKind.H5P and not (relative == "h5p.json" or relative.startswith("content/")):
        raise Http404
    response = _stream_from_storage(
        f"{item.storage_prefix}/{relative}",
        cors=item.kind == ItemKind.H5P,
        range_header=request.headers.get("Range", ""),
    )
    if item.kind == ItemKind.SCORM and response["Content-Type"].startswith(("text/html", "application/xhtml")):
        response.csp_policy = SCORM_CONTENT_POLICY
    return response


@require_GET
def h5p_library_file(request, token: str, key: str, path: str):
    item, _user_id = _item_for_token(token)
    if key not in (item.package_metadata.get("dependencies") or []):
        raise Http404
    library = selectors.library_by_key(key)
    if library is None:
        raise Http404
    return _stream_from_storage(f"{library.storage_prefix}/{_safe_relative(path)}", cors=True)


@require_GET
def player(request, token: str):
    """The document inside the sandboxed frame."""
    item, user_id = _item_for_token(token)
    base = reverse("library:package_file", args=[token, "x"])[:-1]
    if item.kind == ItemKind.H5P:
        config = {
            "h5pJsonPath": base.rstrip("/"),
            "librariesPath": reverse("library:player", args=[token]) + "thu-vien-h5p",
            "frameJs": static("library/vendor/h5p-standalone/frame.bundle.js"),
            "frameCss": static("library/vendor/h5p-standalone/styles/h5p.css"),
            "item": str(item.uuid),
            "userData": _initial_user_data(item, user_id),
            "saveFreq": getattr(settings, "LIBRARY_H5P_SAVE_SECONDS", 10) if user_id else False,
        }
        response = render(request, "library/h5p_frame.html", {"item": item, "config": config})
        response.csp_policy = H5P_FRAME_POLICY
        return response
    raise Http404


def _initial_user_data(item, user_id) -> dict:
    if not user_id:
        return {}
    from django.contrib.auth import get_user_model

    student = get_user_model().objects.filter(pk=user_id).first()
    return selectors.get_user_data(item, student) if student else {}


@login_required
@require_GET
def scorm_player(request, reference: str):
    """SCORM runs in a frame that keeps our origin (SCOs find the API in a parent window, which only works within
    one origin), so this page is session-authenticated and commits with the CSRF token."""
    item = get_object_or_404(LibraryItem, uuid=reference, kind=ItemKind.SCORM)
    if not can_play(request.user, item):
        raise Http404
    token = make_play_token(item, request.user)
    runtimes = selectors.get_scorm_runtimes(item, request.user)
    scos = [entry for entry in item.toc if entry.get("href")]
    wanted = request.GET.get("sco")
    # Resume at the SCO last worked on (the most recently committed one that is not completed), else the first.
    unfinished = sorted(
        (r for r in runtimes.values() if r.completion_status != "completed"), key=lambda r: r.updated_at
    )
    current = (
        wanted
        if wanted in {s["identifier"] for s in scos}
        else (unfinished[-1].sco if unfinished else scos[0]["identifier"])
    )
    config = {
        "version": item.version,
        "current": current,
        "scos": [
            {
                "identifier": s["identifier"],
                "title": s["title"],
                "url": reverse("library:package_file", args=[token, s["href"].split("#")[0].split("?")[0]])
                + ("?" + s["href"].split("?", 1)[1] if "?" in s["href"] else ""),
                "commitUrl": reverse("library:scorm_commit", args=[item.uuid, s["identifier"]]),
                "cmi": tracking.resume_cmi(runtimes.get(s["identifier"]), item.version),
                "completed": s["identifier"] in runtimes and runtimes[s["identifier"]].completion_status == "completed",
                "masteryScore": s.get("mastery_score", ""),
                "dataFromLms": s.get("data_from_lms", ""),
            }
            for s in scos
        ],
        "student": {
            "id": request.user.get_username(),
            "name": request.user.get_full_name() or request.user.get_username(),
        },
        "csrfToken": get_token(request),
        "scormAgain": static(
            "library/vendor/scorm-again/scorm12.min.js"
            if item.version == "1.2"
            else "library/vendor/scorm-again/scorm2004.min.js"
        ),
        "debug": settings.DEBUG,
        "autocommitSeconds": getattr(settings, "LIBRARY_SCORM_AUTOCOMMIT_SECONDS", 10),
    }
    response = render(request, "library/scorm_frame.html", {"item": item, "config": config})
    response.csp_policy = H5P_FRAME_POLICY
    return response


def _json_body(request):
    try:
        return json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None


def _playable_item(request, reference) -> LibraryItem:
    item = selectors.get_item(reference)
    if item is None or not can_play(request.user, item):
        raise Http404
    return item


@login_required
@require_POST
def xapi_statements(request, reference: str):
    """A batch of H5P xAPI statements relayed by the lesson page (session + CSRF)."""
    item = _playable_item(request, reference)
    body = _json_body(request)
    if not isinstance(body, dict):
        return HttpResponseBadRequest(_("The request body is not JSON."))
    try:
        result = tracking.record_statements(item=item, student=request.user, statements=body.get("statements", []))
    except tracking.TrackingError as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=400)
    payload = {"ok": True}
    if result is not None:
        payload["result"] = {
            "score": str(result.score_raw) if result.score_raw is not None else None,
            "max": str(result.score_max) if result.score_max is not None else None,
            "attempts": result.attempts,
        }
    return JsonResponse(payload)


@login_required
@require_POST
def h5p_user_data(request, reference: str):
    item = _playable_item(request, reference)
    body = _json_body(request)
    if not isinstance(body, dict):
        return HttpResponseBadRequest(_("The request body is not JSON."))
    try:
        tracking.save_user_data(
            item=item,
            student=request.user,
            data_type=body.get("dataType", ""),
            sub_content_id=body.get("subContentId", "0"),
            data=body.get("data"),
        )
    except tracking.TrackingError as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=400)
    return JsonResponse({"ok": True})


@login_required
@require_POST
def scorm_commit(request, reference: str, sco: str):
    """scorm-again's commit: the SCO's whole CMI JSON, every autocommit interval and on Terminate / LMSFinish."""
    item = _playable_item(request, reference)
    if item.kind != ItemKind.SCORM:
        raise Http404
    body = _json_body(request)
    if body is None:
        return JsonResponse({"result": False, "errorCode": 101}, status=400)
    try:
        tracking.record_scorm_commit(item=item, student=request.user, sco=sco, cmi=body)
    except tracking.TrackingError as exc:
        return JsonResponse({"result": False, "errorCode": 101, "error": str(exc)}, status=400)
    return JsonResponse({"result": True, "errorCode": 0})


DOCUMENT_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "media-src": ["'self'"],
    "frame-ancestors": ["'self'"],
    "sandbox": [],
}


@require_GET
def document(request, reference: str):
    """A document or media item, same origin: inline where the browser can show it (PDF, video, audio, images),
    a download otherwise or when asked (``?tai-ve=1``)."""
    item = get_object_or_404(LibraryItem, uuid=reference, kind=ItemKind.DOCUMENT)
    if not can_play(request.user, item):
        raise Http404
    response = _stream_from_storage(item.document.name, cors=False, range_header=request.headers.get("Range", ""))
    response["Content-Type"] = item.content_type or response["Content-Type"]
    inline = item.media_type in {"pdf", "video", "audio", "image"} and "tai-ve" not in request.GET
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(not inline, item.original_name)
    if item.media_type != "pdf":  # Chromium's PDF viewer does not run in a CSP-sandboxed document
        response.csp_policy = DOCUMENT_POLICY
    return response


@login_required
@require_GET
def item_page(request, reference: str):
    """An item's own page (/thu-vien/<uuid>/): the same player or preview, with tracking, as inside a lesson."""
    from django.utils.safestring import mark_safe

    from lms.library.providers import provider_for

    item = get_object_or_404(LibraryItem.objects.select_related("subject", "school"), uuid=reference)
    if not can_play(request.user, item):
        raise Http404
    player = provider_for(item.kind).render(str(item.uuid), request=request, context={"value": {"title": ""}})
    return render(request, "library/item_page.html", {"item": item, "player": mark_safe(player)})


def document_page(request, reference: str):
    item = get_object_or_404(LibraryItem, uuid=reference, kind=ItemKind.DOCUMENT)
    if not can_play(request.user, item):
        raise Http404
    return render(request, "library/document_page.html", {"item": item})
