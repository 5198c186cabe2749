"""Personal-data rules, keyed by the legal instrument they come from (R49), never scattered as literals.

``PDPL_91_2025`` is Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15 with NĐ 356/2025/NĐ-CP (in force 01/01/2026). Several
figures rest on secondary sources (see ../shared/docs/vn-regulations.md §6): change them here when the texts are
verified, with a new key and effective date rather than by editing the old one.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LegalBasis:
    CONSENT = "consent"
    LEGAL_OBLIGATION = "legal_obligation"  # processing required by law (Art. 19(1) no-consent cases)


LEGAL_BASIS_LABELS = {
    LegalBasis.CONSENT: _("Consent of the data subject"),
    LegalBasis.LEGAL_OBLIGATION: _("Legal obligation of the school (no consent needed)"),
}

# Processing purposes (R38). ``publication`` marks purposes that publish or disclose a child's information outside
# the class, which need the child's own consent from ``own_consent_age`` (PDPL Art. 24).
PDPL_91_2025 = {
    "effective": date(2026, 1, 1),
    "notice_version": "TB-DLCN-2026-01",
    "purposes": {
        "core_teaching": {
            "label": _("Core teaching records (classes, marks, attendance)"),
            "legal_basis": LegalBasis.LEGAL_OBLIGATION,
            "publication": False,
        },
        "learning_analytics": {
            "label": _("Learning analytics (time on task, progress dashboards)"),
            "legal_basis": LegalBasis.CONSENT,
            "publication": False,
        },
        "publish_work": {
            "label": _("Publishing the student's work or photos outside the class (school showcase)"),
            "legal_basis": LegalBasis.CONSENT,
            "publication": True,
        },
        "external_services": {
            "label": _("Use of external or AI services with the student's data"),
            "legal_basis": LegalBasis.CONSENT,
            "publication": False,
        },
        "parent_messaging": {
            "label": _("Messages to parents by e-mail or phone"),
            "legal_basis": LegalBasis.CONSENT,
            "publication": False,
        },
    },
    # Art. 24: the child's own consent from this age (publication and disclosure; collected for every consent-based
    # purpose, the conservative reading); the legal representative consents while the student is below
    # ``representative_consent_below_age`` (a child is under 16 by law; school practice asks parents of every
    # minor, so 18).
    "own_consent_age": 7,
    "representative_rights_below_age": 16,
    "representative_consent_below_age": 18,
    # NĐ 356/2025: a data-subject request is acknowledged, with the procedure, within 2 working days.
    "request_ack_working_days": 2,
    # Vietnamese working week: Monday–Friday. Fixed-date public holidays (Bộ luật Lao động 2019 Art. 112, with 1/9
    # added to Quốc khánh). Lunar holidays (Tết, Giỗ Tổ) move every year: list them in settings.PRIVACY_HOLIDAYS.
    "weekend_days": frozenset({5, 6}),
    "fixed_holidays": frozenset({(1, 1), (4, 30), (5, 1), (9, 1), (9, 2)}),
    # PDPL Art. 23(1): notify the specialised authority within 72 hours of detecting a breach.
    "incident_notify_hours": 72,
    # R42: behaviour and usage logs are sensitive; kept this many days (24 months by default).
    "behaviour_log_retention_days": 730,
    # An access or export request's ZIP can be downloaded for this many days, then it is deleted.
    "request_delivery_days": 30,
    # What a deletion request cannot erase, because the school must keep it (school records under TT 22/2021 and
    # TT 27/2020: marks, results, học bạ; the processing log itself, as proof of lawful processing) [U: periods].
    "retained_on_deletion": (
        _("marks, results and the school record (học bạ), which the school must keep"),
        _("consent records and the processing log, kept as proof of lawful processing"),
    ),
}

CURRENT = "PDPL_91_2025"
RULES = {"PDPL_91_2025": PDPL_91_2025}


def current() -> dict:
    return RULES[CURRENT]


def purposes() -> dict[str, dict]:
    return current()["purposes"]


def consent_purposes() -> dict[str, dict]:
    return {code: p for code, p in purposes().items() if p["legal_basis"] == LegalBasis.CONSENT}


CHANNEL_LABELS = {
    "web": pgettext_lazy("consent channel", "Online form"),
    "paper": pgettext_lazy("consent channel", "Signed paper form"),
}
