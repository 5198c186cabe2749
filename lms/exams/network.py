"""Where a request comes from and whether that network may take a test (allowed IP ranges, R12 on-site rule).

The client's address is ``REMOTE_ADDR`` unless ``settings.EXAMS_CLIENT_IP_HEADER`` names the header that the trusted
reverse proxy sets (e.g. ``HTTP_X_REAL_IP``); ``X-Forwarded-For`` is never read on its own, since a browser can send
it. When the configured header holds a list, its last entry (the one the proxy added) is used. An address that cannot
be read is ``None``, which no range contains.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request) -> str | None:
    header = getattr(settings, "EXAMS_CLIENT_IP_HEADER", "")
    raw = request.META.get(header, "") if header else request.META.get("REMOTE_ADDR", "")
    return _normalised(raw.split(",")[-1].strip() if raw else "")


@functools.lru_cache(maxsize=8192)
def _normalised(raw: str) -> str | None:
    """The address in its canonical text, or None (parsed once per address: exam day asks for it on every save)."""
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


def parse_networks(text: str | list[str]) -> list[Network]:
    """CIDR ranges, one a line (or a list); a bare address is a /32 (/128). A bad line raises a ``ValidationError``
    that names the line and shows the expected form; host bits set (10.0.0.5/24) are refused too, since they are
    usually a typing mistake."""
    lines = text.splitlines() if isinstance(text, str) else list(text)
    out, errors = [], []
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line:
            continue
        try:
            out.append(ipaddress.ip_network(line, strict=True))
        except ValueError as error:
            if "host bits set" in str(error):
                network = ipaddress.ip_network(line, strict=False)
                errors.append(
                    _("Line %(n)s: %(value)s has host bits set; the range is written %(network)s.")
                    % {"n": number, "value": line, "network": network}
                )
            else:
                errors.append(
                    _("Line %(n)s: %(value)s is not an IP range (write it as 203.113.10.0/24 or 2001:db8::/48).")
                    % {"n": number, "value": line}
                )
    if errors:
        raise ValidationError(errors)
    return out


def contains(networks: list[Network], ip: str | None) -> bool:
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address.version == n.version and address in n for n in networks)
