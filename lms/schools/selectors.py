"""Reads for schools and people."""

from __future__ import annotations

from django.db.models import QuerySet
from wagtail.models import APIToken

from lms.schools.models import Guardianship, RoleAssignment, School, SubjectGroup, SubjectGroupMembership, User
from lms.schools.roles import STAFF_ROLES, LeadershipPosition, Role


def get_roles(user, school: School | None = None) -> set[Role]:
    """The person's roles, at one school or at any. Group head comes from heading a subject group."""
    if not getattr(user, "is_authenticated", False):
        return set()
    assignments = RoleAssignment.objects.filter(user=user)
    heads = SubjectGroupMembership.objects.filter(user=user, is_head=True)
    if school is not None:
        assignments = assignments.filter(school=school)
        heads = heads.filter(group__school=school)
    roles = {Role(value) for value in assignments.values_list("role", flat=True)}
    if heads.exists():
        roles.add(Role.GROUP_HEAD)
    return roles


def has_role(user, role: Role | str, school: School | None = None) -> bool:
    return Role(role) in get_roles(user, school)


def is_staff_member(user, school: School | None = None) -> bool:
    return bool(get_roles(user, school) & STAFF_ROLES)


def get_schools_for_user(user) -> QuerySet[School]:
    return School.objects.filter(role_assignments__user=user).distinct().order_by("name")


def get_school_by_code(code: str) -> School:
    return School.objects.select_related("organisation").get(code=code)


def get_principal(school: School) -> User | None:
    assignment = (
        RoleAssignment.objects.select_related("user")
        .filter(school=school, position=LeadershipPosition.PRINCIPAL)
        .first()
    )
    return assignment.user if assignment else None


def get_subject_groups(school: School) -> QuerySet[SubjectGroup]:
    return SubjectGroup.objects.filter(school=school).order_by("name")


def get_group_head(group: SubjectGroup) -> User | None:
    membership = group.memberships.select_related("user").filter(is_head=True).first()
    return membership.user if membership else None


def get_groups_headed_by(user) -> QuerySet[SubjectGroup]:
    return SubjectGroup.objects.filter(memberships__user=user, memberships__is_head=True)


def get_groups_of(user) -> QuerySet[SubjectGroup]:
    return SubjectGroup.objects.filter(memberships__user=user).select_related("school")


def get_children(parent) -> QuerySet[User]:
    return User.objects.filter(guardian_links__parent=parent).order_by("first_name", "last_name")


def get_guardians(student) -> QuerySet[Guardianship]:
    return Guardianship.objects.filter(student=student).select_related("parent")


def get_people(school: School, role: Role | str | None = None) -> QuerySet[User]:
    people = User.objects.filter(role_assignments__school=school)
    if role is not None:
        people = people.filter(role_assignments__role=Role(role))
    # Vietnamese order: by given name (tên), then family and middle names.
    return people.distinct().order_by("first_name", "last_name", "username")


def get_account_summary(user) -> list[dict]:
    """Per school: the person's roles, the groups they belong to and (for parents) their children there.

    Three queries whatever the number of schools, for the account page.
    """
    assignments = list(RoleAssignment.objects.filter(user=user).select_related("school").order_by("school__name"))
    memberships = list(SubjectGroupMembership.objects.filter(user=user).select_related("group"))
    children = list(
        Guardianship.objects.filter(parent=user).select_related("student").prefetch_related("student__role_assignments")
    )
    summary: dict[int, dict] = {}
    for assignment in assignments:
        entry = summary.setdefault(
            assignment.school_id, {"school": assignment.school, "roles": [], "groups": [], "children": []}
        )
        entry["roles"].append(assignment)
    for membership in memberships:
        if membership.group.school_id in summary:
            summary[membership.group.school_id]["groups"].append(membership)
    for link in children:
        for student_assignment in link.student.role_assignments.all():
            if student_assignment.role == Role.STUDENT and student_assignment.school_id in summary:
                summary[student_assignment.school_id]["children"].append(link)
    return list(summary.values())


def get_active_api_tokens(user) -> QuerySet[APIToken]:
    return APIToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created")
