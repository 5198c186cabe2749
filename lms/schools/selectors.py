"""Reads for schools and people."""

from __future__ import annotations

from anyascii import anyascii
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, QuerySet
from wagtail.models import APIToken, ModelLogEntry

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


# --------------------------------------------------------------------------------------------------------------------
# People administration (the admin's "Nhân sự" area)
# --------------------------------------------------------------------------------------------------------------------
def get_roles_by_school(user) -> dict[School, set[Role]]:
    """Every school where the person holds a role, with their roles there (group head included). Two queries."""
    if not getattr(user, "is_authenticated", False):
        return {}
    result: dict[School, set[Role]] = {}
    for assignment in RoleAssignment.objects.filter(user=user).select_related("school"):
        result.setdefault(assignment.school, set()).add(Role(assignment.role))
    for membership in SubjectGroupMembership.objects.filter(user=user, is_head=True).select_related("group__school"):
        result.setdefault(membership.group.school, set()).add(Role.GROUP_HEAD)
    return result


def get_all_schools() -> QuerySet[School]:
    return School.objects.order_by("name")


def fold_text(text: str) -> str:
    """Lower-case ASCII for matching and sorting: "Nguyễn Đình" → "nguyen dinh"."""
    return anyascii(text or "").lower()


def find_people(
    school: School,
    *,
    role: Role | str | None = None,
    group: SubjectGroup | None = None,
    query: str = "",
    include_identifier: bool = False,
) -> list[int]:
    """Ids of the school's people, in Vietnamese name order (tên, then họ và tên đệm), filtered by role, subject group
    and a search that ignores case and diacritics ("nguyen an" finds "Nguyễn Văn An").

    One query whatever the number of people: the names are folded and matched in Python, which no database here can
    do in SQL without an extension. ``include_identifier`` also matches the mã định danh (for those who may see it).
    """
    role = Role(role) if role else None
    if role is not None and role != Role.GROUP_HEAD:
        people = User.objects.filter(role_assignments__school=school, role_assignments__role=role)
    else:
        people = User.objects.filter(role_assignments__school=school)
    if role == Role.GROUP_HEAD:
        people = people.filter(group_memberships__is_head=True, group_memberships__group__school=school)
    if group is not None:
        people = people.filter(group_memberships__group=group, group_memberships__group__school=school)
    fields = ["pk", "first_name", "last_name", "username"]
    if include_identifier:
        fields.append("ma_dinh_danh")
    rows = [(row[0], [value or "" for value in row[1:]]) for row in people.distinct().values_list(*fields)]
    terms = fold_text(query).split()
    if terms:
        rows = [(pk, values) for pk, values in rows if _matches(terms, fold_text(" ".join(values)))]
    rows.sort(key=lambda row: ([fold_text(value) for value in row[1][:3]], row[1][:3]))
    return [pk for pk, _values in rows]


def _matches(terms: list[str], haystack: str) -> bool:
    return all(term in haystack for term in terms)


def get_people_details(school: School, ids: list[int]) -> list[User]:
    """The people with these ids, in the given order, each with ``school_roles`` (their role assignments at the school)
    and ``school_memberships`` (their subject groups there, head first). Three queries whatever the number."""
    users = User.objects.filter(pk__in=ids).prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.filter(school=school),
            to_attr="school_roles",
        ),
        Prefetch(
            "group_memberships",
            queryset=SubjectGroupMembership.objects.filter(group__school=school)
            .select_related("group")
            .order_by("-is_head", "group__name"),
            to_attr="school_memberships",
        ),
    )
    order = {role.value: index for index, role in enumerate(Role)}
    by_id = {}
    for user in users:
        user.school_roles.sort(key=lambda assignment: order.get(assignment.role, len(order)))
        by_id[user.pk] = user
    return [by_id[pk] for pk in ids if pk in by_id]


def get_school_person(school: School, user_id: int) -> User:
    """A person holding a role at the school; ``User.DoesNotExist`` for anyone else, other schools' people included."""
    return User.objects.filter(pk=user_id, role_assignments__school=school).distinct().get()


def get_school_person_by_username(school: School, username: str) -> User | None:
    return User.objects.filter(username__iexact=username.strip(), role_assignments__school=school).distinct().first()


def username_taken(username: str) -> bool:
    return User.objects.filter(username__iexact=username.strip()).exists()


def identifier_taken(ma_dinh_danh: str, *, exclude: User | None = None) -> bool:
    people = User.objects.filter(ma_dinh_danh=ma_dinh_danh)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people.exists()


def get_school_roles_of(user, school: School) -> list[RoleAssignment]:
    order = {role.value: index for index, role in enumerate(Role)}
    assignments = list(RoleAssignment.objects.filter(user=user, school=school))
    return sorted(assignments, key=lambda assignment: order.get(assignment.role, len(order)))


def get_school_memberships_of(user, school: School) -> QuerySet[SubjectGroupMembership]:
    return (
        SubjectGroupMembership.objects.filter(user=user, group__school=school)
        .select_related("group")
        .order_by("-is_head", "group__name")
    )


def get_children_at_school(parent, school: School) -> QuerySet[User]:
    return get_children(parent).filter(role_assignments__school=school, role_assignments__role=Role.STUDENT).distinct()


def get_subject_groups_overview(school: School) -> list[SubjectGroup]:
    """The school's subject groups with ``member_count`` and ``head`` (a person or None). Two queries."""
    groups = list(
        SubjectGroup.objects.filter(school=school)
        .annotate(member_count=Count("memberships"))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=SubjectGroupMembership.objects.filter(is_head=True).select_related("user"),
                to_attr="head_memberships",
            ),
            "subjects",
        )
        .order_by("name")
    )
    for group in groups:
        group.head = group.head_memberships[0].user if group.head_memberships else None
    return groups


def get_person_history(user: User, school: School, *, limit: int = 50) -> list[ModelLogEntry]:
    """This app's audit entries about the person that concern the school (roles, groups, creation there) or the
    person themselves (identifier corrections), newest first. Entries about other schools are left out."""
    return list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User),
            object_id=str(user.pk),
            action__startswith="schools.",
        )
        .filter(Q(data__school=school.code) | Q(action="schools.identifier_corrected"))
        .select_related("user")
        .order_by("-timestamp", "-pk")[:limit]
    )


def get_subject_group_for(school: School, subject) -> SubjectGroup | None:
    """The group of ``school`` that reviews ``subject`` (a curriculum subject), if any."""
    return SubjectGroup.objects.filter(school=school, subjects=subject).first()


def get_group_heads_for(pairs) -> dict[tuple[int, int], User | None]:
    """For (school_id, subject_id) pairs, the head of the group reviewing the subject at the school (as
    ``get_group_head(get_subject_group_for(school, subject))``), in two queries whatever the number of pairs."""
    pairs = set(pairs)
    if not pairs:
        return {}
    group_of: dict[tuple[int, int], int] = {}
    rows = (
        SubjectGroup.subjects.through.objects.filter(
            subjectgroup__school_id__in={school for school, _subject in pairs},
            subject_id__in={subject for _school, subject in pairs},
        )
        .order_by("subjectgroup__school_id", "subjectgroup__name")
        .values_list("subjectgroup__school_id", "subject_id", "subjectgroup_id")
    )
    for school_id, subject_id, group_id in rows:
        group_of.setdefault((school_id, subject_id), group_id)  # the first group by name, as .first()
    memberships = SubjectGroupMembership.objects.filter(group_id__in=set(group_of.values()), is_head=True)
    heads = {m.group_id: m.user for m in memberships.select_related("user")}
    return {pair: heads.get(group_of.get(pair)) for pair in pairs}


def get_principals_of(school_ids) -> dict[int, User]:
    """The principal of each school that has one, in one query."""
    return {
        a.school_id: a.user
        for a in RoleAssignment.objects.select_related("user").filter(
            school_id__in=set(school_ids), position=LeadershipPosition.PRINCIPAL
        )
    }
