"""Operational endpoints."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lib.health import run_checks


@never_cache
@require_GET
def healthz(request):
    """200 when the database, cache, broker and storage all answer; 503 with the failing part named otherwise."""
    checks = run_checks()
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "error", "checks": checks}, status=200 if ok else 503)
