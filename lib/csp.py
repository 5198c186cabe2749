"""Content-Security-Policy header from ``settings.CONTENT_SECURITY_POLICY``.

Django 5.2 has no CSP support of its own (6.0 adds it), so this small middleware sends the header. Views that need a
different policy (the sandboxed H5P frame, for instance) set ``response.csp_policy`` to a dict of directives.
"""

from __future__ import annotations

from django.conf import settings


def build_policy(directives: dict[str, list[str]]) -> str:
    parts = []
    for name, values in directives.items():
        parts.append(" ".join([name, *values]) if values else name)
    return "; ".join(parts)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = (
            "Content-Security-Policy-Report-Only"
            if getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", False)
            else "Content-Security-Policy"
        )
        if header not in response:
            directives = getattr(response, "csp_policy", None) or policy_for_path(request.path)
            response[header] = build_policy(directives)
        return response


def policy_for_path(path: str) -> dict[str, list[str]]:
    """The site policy, with the directives of the first matching ``CONTENT_SECURITY_POLICY_OVERRIDES`` prefix."""
    directives = dict(settings.CONTENT_SECURITY_POLICY)
    for prefix, overrides in getattr(settings, "CONTENT_SECURITY_POLICY_OVERRIDES", []):
        if path.startswith(prefix):
            directives.update(overrides)
            break
    return directives
