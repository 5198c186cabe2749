"""Who may read and write gradebooks (R23, R45).

- A teacher reads and edits the gradebooks of their teaching assignments (subject × class).
- The homeroom teacher reads every gradebook of the class, and confirms the class's levels and conduct.
- Leadership (principal, vice-principals) reads every gradebook of the school.
- Unlocking a locked column or gradebook: the principal or the school administrator, with a reason.

Every refusal goes through :func:`refuse`, which records it (who, what, when, IP) and raises ``PermissionDenied``;
routing the record elsewhere (the privacy app) is a change to that one function.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied

from lms.courses.api import find_teaching_assignments
from lms.privacy import api as privacy_api
from lms.schools.api import Role, get_principal, get_roles

logger = logging.getLogger("lms.security")


def _school(school_class):
    return school_class.school_year.school


def _roles(user, school) -> set:
    cache = user.__dict__.setdefault("_gradebook_roles", {})
    if school.pk not in cache:
        cache[school.pk] = get_roles(user, school)
    return cache[school.pk]


def teaches(user, school_class, subject) -> bool:
    if not user.is_authenticated or Role.TEACHER not in _roles(user, _school(school_class)):
        return False
    return find_teaching_assignments(teacher=user, school_class=school_class, subject=subject).exists()


def is_homeroom_teacher(user, school_class) -> bool:
    return (
        user.is_authenticated
        and school_class.homeroom_teacher_id == user.pk
        and Role.TEACHER in _roles(user, _school(school_class))
    )


def is_leadership(user, school) -> bool:
    return user.is_authenticated and (user.is_superuser or Role.LEADERSHIP in _roles(user, school))


def is_principal(user, school) -> bool:
    principal = get_principal(school)
    return principal is not None and principal.pk == user.pk


def can_edit(user, gradebook) -> bool:
    return user.is_authenticated and (user.is_superuser or teaches(user, gradebook.school_class, gradebook.subject))


def can_read_class(user, school_class) -> bool:
    return is_homeroom_teacher(user, school_class) or is_leadership(user, _school(school_class))


def can_read(user, gradebook) -> bool:
    return can_edit(user, gradebook) or can_read_class(user, gradebook.school_class)


def can_unlock(user, school) -> bool:
    """R23: the principal or the school administrator."""
    return user.is_authenticated and (
        user.is_superuser or is_principal(user, school) or Role.SCHOOL_ADMIN in _roles(user, school)
    )


def can_lock(user, gradebook) -> bool:
    return can_edit(user, gradebook) or can_unlock(user, _school(gradebook.school_class))


def can_confirm_results(user, school_class) -> bool:
    """The homeroom teacher confirms levels and records conduct (R21, R22)."""
    return user.is_authenticated and (user.is_superuser or is_homeroom_teacher(user, school_class))


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def refuse(*, user, what: str, obj, request=None) -> None:
    """Record a refused read or write of marks (who, what, when, IP) and raise ``PermissionDenied`` (R45)."""
    from lms.gradebook.models import RefusedAccess

    RefusedAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        what=what[:60],
        object_ref=f"{obj._meta.label}:{obj.pk}"[:200],
        path=(request.get_full_path() if request is not None else "")[:300],
        ip=_client_ip(request),
    )
    logger.warning("gradebook: refused %s", what, extra={"user_id": getattr(user, "pk", None), "object": str(obj)})
    # The school-wide refusal log the principal reads (lms.privacy, R45) gets the same event.
    privacy_api.record_refused_access(
        user, None, f"gradebook: {what} ({obj._meta.label}:{obj.pk})", request, school=_school_of(obj)
    )
    raise PermissionDenied


def _school_of(obj):
    school_class = obj if obj._meta.label == "courses.SchoolClass" else getattr(obj, "school_class", None)
    year = getattr(school_class, "school_year", None)
    return getattr(year, "school", None)


def require(allowed: bool, *, user, what: str, obj, request=None) -> None:
    if not allowed:
        refuse(user=user, what=what, obj=obj, request=request)
