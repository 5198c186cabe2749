"""Who may do what with personal data (R39, R42, R45).

- School administrator: the request inbox, incidents, exports, the personal ID; reads the sensitive logs.
- Principal: reads the sensitive logs and the refusals; nothing else here beyond what everyone has.
- Teachers and leadership: publish students' work of their school (with the consents).
- Legal representatives (parents): give and withdraw consent for their children, file requests for them.
- Students: their own consents from the age in the rules (7).
"""

from __future__ import annotations

from lms.schools.api import Role, get_guardians, get_principal, get_roles


def roles(user, school) -> set:
    if not getattr(user, "is_authenticated", False):
        return set()
    cache = user.__dict__.setdefault("_privacy_roles", {})
    if school.pk not in cache:
        cache[school.pk] = get_roles(user, school)
    return cache[school.pk]


def is_principal(user, school) -> bool:
    principal = get_principal(school)
    return principal is not None and principal.pk == user.pk


def can_manage(user, school) -> bool:
    return getattr(user, "is_superuser", False) or Role.SCHOOL_ADMIN in roles(user, school)


def can_read_logs(user, school) -> bool:
    """Behaviour logs and refusals: the school administrator and the principal only (R42: few roles)."""
    return can_manage(user, school) or (getattr(user, "is_authenticated", False) and is_principal(user, school))


def can_publish(user, school) -> bool:
    return getattr(user, "is_superuser", False) or bool({Role.TEACHER, Role.LEADERSHIP} & roles(user, school))


def is_member(user, school) -> bool:
    return getattr(user, "is_superuser", False) or bool(roles(user, school))


def is_representative_of(user, student) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return get_guardians(student).filter(parent=user, is_legal_representative=True).exists()
