"""Roles, and the permissions each role grants.

A person's roles come from their role assignments at a school (and from heading a subject group). Each role maps to
one Django group; a user's groups are recomputed from their roles whenever those change, so permissions never drift
from the roles shown in the school's records. Later apps add their permissions to a role by registering them here
from their ``AppConfig.ready()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SCHOOL_ADMIN = "school_admin", _("School administrator")
    LEADERSHIP = "leadership", _("School leadership (BGH)")
    GROUP_HEAD = "group_head", _("Subject group head (tổ trưởng)")
    TEACHER = "teacher", _("Teacher")
    STUDENT = "student", _("Student")
    PARENT = "parent", _("Parent")


class LeadershipPosition(models.TextChoices):
    PRINCIPAL = "principal", _("Principal (hiệu trưởng)")
    VICE_PRINCIPAL = "vice_principal", _("Vice-principal (phó hiệu trưởng)")


# Roles held through a RoleAssignment. GROUP_HEAD is derived from heading a subject group instead, so that the head
# of a group and the group's membership can never disagree.
ASSIGNABLE_ROLES = [Role.SCHOOL_ADMIN, Role.LEADERSHIP, Role.TEACHER, Role.STUDENT, Role.PARENT]

STAFF_ROLES = frozenset({Role.SCHOOL_ADMIN, Role.LEADERSHIP, Role.GROUP_HEAD, Role.TEACHER})


@dataclass(frozen=True)
class RoleDefinition:
    role: Role
    group_name: str  # the Django group's name, shown in Wagtail's admin
    permissions: frozenset[str] = field(default_factory=frozenset)  # "app_label.codename"


_ADMIN = "wagtailadmin.access_admin"
# Images and documents: Wagtail checks these on collections (granted on the root collection). "add" also lets a
# person edit and delete what they uploaded themselves; nobody here gets "change" over everyone's files.
_MEDIA = frozenset(
    {
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    }
)
COLLECTION_APPS = frozenset({"wagtailimages", "wagtaildocs"})

_DEFINITIONS: dict[Role, RoleDefinition] = {
    Role.SCHOOL_ADMIN: RoleDefinition(
        Role.SCHOOL_ADMIN,
        "Quản trị trường",
        frozenset({_ADMIN, "schools.view_school", "schools.change_school", "schools.manage_people"}) | _MEDIA,
    ),
    Role.LEADERSHIP: RoleDefinition(
        Role.LEADERSHIP, "Ban giám hiệu", frozenset({_ADMIN, "schools.view_school", "schools.view_people"}) | _MEDIA
    ),
    Role.GROUP_HEAD: RoleDefinition(
        Role.GROUP_HEAD, "Tổ trưởng chuyên môn", frozenset({_ADMIN, "schools.view_people"}) | _MEDIA
    ),
    Role.TEACHER: RoleDefinition(Role.TEACHER, "Giáo viên", frozenset({_ADMIN}) | _MEDIA),
    # Students and parents never enter the admin; what they may see is decided by the apps' own views.
    Role.STUDENT: RoleDefinition(Role.STUDENT, "Học sinh"),
    Role.PARENT: RoleDefinition(Role.PARENT, "Phụ huynh"),
}


def definition(role: Role | str) -> RoleDefinition:
    return _DEFINITIONS[Role(role)]


def definitions() -> list[RoleDefinition]:
    return list(_DEFINITIONS.values())


def register_permissions(role: Role, permissions: set[str] | frozenset[str]) -> None:
    """Let a higher app grant its own permissions to a role (call from ``AppConfig.ready()``)."""
    current = _DEFINITIONS[role]
    _DEFINITIONS[role] = RoleDefinition(current.role, current.group_name, current.permissions | frozenset(permissions))
