"""Writes for schools and people. Every change to roles recomputes the person's Django groups.

Functions are keyword-only, run inside ``transaction.atomic()`` and validate with ``full_clean()`` before saving.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import APIToken, Collection, GroupCollectionPermission

from curriculum.api import Subject, get_subject
from lms.schools import roles as role_config
from lms.schools.models import (
    Guardianship,
    Organisation,
    Relationship,
    RoleAssignment,
    School,
    SubjectGroup,
    SubjectGroupMembership,
    User,
    sector_identifier_validator,
)
from lms.schools.roles import LeadershipPosition, Role
from lms.schools.selectors import get_roles
from lms.schools.signals import review_settings_changed, roles_changed


# --------------------------------------------------------------------------------------------------------------------
# Role groups
# --------------------------------------------------------------------------------------------------------------------
def ensure_role_groups(*, using: str = "default") -> dict[Role, Group]:
    """Create one Django group per role and give it exactly the role's permissions. Idempotent."""
    groups: dict[Role, Group] = {}
    for definition in role_config.definitions():
        group, _created = Group.objects.using(using).get_or_create(name=definition.group_name)
        wanted = []
        for dotted in sorted(definition.permissions):
            app_label, codename = dotted.split(".", 1)
            permission = (
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            )
            if permission is None:
                raise LookupError(f"Role {definition.role} needs permission {dotted}, which does not exist.")
            wanted.append(permission)
        group.permissions.set([p for p in wanted if p.content_type.app_label not in role_config.COLLECTION_APPS])
        _set_root_collection_permissions(
            group, [p for p in wanted if p.content_type.app_label in role_config.COLLECTION_APPS], using=using
        )
        groups[definition.role] = group
    return groups


def _set_root_collection_permissions(group: Group, permissions: list[Permission], *, using: str) -> None:
    root = Collection.objects.using(using).filter(depth=1).first()
    if root is None:
        return
    existing = GroupCollectionPermission.objects.using(using).filter(group=group, collection=root)
    existing.exclude(permission__in=permissions).delete()
    for permission in permissions:
        GroupCollectionPermission.objects.using(using).get_or_create(
            group=group, collection=root, permission=permission
        )


def sync_user_groups(user: User) -> None:
    """Make the user's role groups match their current roles (other groups are left alone)."""
    role_groups = {d.role: d.group_name for d in role_config.definitions()}
    wanted = {role_groups[role] for role in get_roles(user)}
    managed = Group.objects.filter(name__in=role_groups.values())
    current = set(user.groups.filter(pk__in=managed).values_list("name", flat=True))
    if current != wanted:
        user.groups.remove(*[g for g in managed if g.name in current - wanted])
        user.groups.add(*[g for g in managed if g.name in wanted - current])
    roles_changed.send(sender=type(user), user=user)


# --------------------------------------------------------------------------------------------------------------------
# Organisations and schools
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def create_organisation(*, kind: str, name: str, code: str, parent: Organisation | None = None) -> Organisation:
    organisation = Organisation(kind=kind, name=name, code=code, parent=parent)
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def create_school(*, code: str, name: str, level: str, organisation: Organisation, **fields) -> School:
    school = School(code=code, name=name, level=level, organisation=organisation, **fields)
    school.full_clean()
    school.save()
    return school


def get_or_create_organisation(*, kind: str, name: str, code: str, parent: Organisation | None = None) -> Organisation:
    """The organisation with this code, created if missing (its other fields are not changed if it exists)."""
    existing = Organisation.objects.filter(code=code).first()
    return existing or create_organisation(kind=kind, name=name, code=code, parent=parent)


def get_or_create_school(*, code: str, name: str, level: str, organisation: Organisation, **fields) -> School:
    existing = School.objects.filter(code=code).first()
    return existing or create_school(code=code, name=name, level=level, organisation=organisation, **fields)


# --------------------------------------------------------------------------------------------------------------------
# People and roles
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def create_person(
    *,
    username: str,
    last_name: str,
    first_name: str,
    email: str = "",
    password: str | None = None,
    password_hash: str | None = None,
    ma_dinh_danh: str | None = None,
    date_of_birth: date | None = None,
    gender: str = "",
    phone: str = "",
) -> User:
    """Create a login. Without a password the account cannot log in until a reset link is used.

    ``password_hash`` (from ``make_password``) lets a bulk import hash one shared initial password once.
    """
    user = User(
        username=username,
        last_name=last_name,
        first_name=first_name,
        email=email,
        ma_dinh_danh=ma_dinh_danh or None,
        date_of_birth=date_of_birth,
        gender=gender,
        phone=phone,
    )
    if password_hash:
        user.password = password_hash
    elif password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def create_person_at_school(
    *,
    school: School,
    roles: list[Role | str],
    position: str = "",
    actor: User | None = None,
    username: str,
    last_name: str,
    first_name: str,
    email: str = "",
    password: str | None = None,
    ma_dinh_danh: str | None = None,
    date_of_birth: date | None = None,
    gender: str = "",
    phone: str = "",
) -> User:
    """Create a person and give them their roles at ``school``, all or nothing. A person belongs to a school through
    their roles, so at least one is needed. ``position`` applies to the leadership role."""
    wanted = {Role(role) for role in roles}
    if not wanted:
        raise ValidationError(
            {"roles": _("Choose at least one role: a person belongs to a school through their roles.")}
        )
    if position and Role.LEADERSHIP not in wanted:
        raise ValidationError({"position": _("Only school leadership has a position.")})
    user = create_person(
        username=username,
        last_name=last_name,
        first_name=first_name,
        email=email,
        password=password,
        ma_dinh_danh=ma_dinh_danh,
        date_of_birth=date_of_birth,
        gender=gender,
        phone=phone,
    )
    log(instance=user, action="schools.person_created", user=actor, data={"school": school.code})
    for role in role_config.ASSIGNABLE_ROLES:
        if role in wanted:
            assign_role(
                user=user, school=school, role=role, position=position if role == Role.LEADERSHIP else "", actor=actor
            )
    return user


@transaction.atomic
def assign_role(
    *, user: User, school: School, role: Role | str, position: str = "", actor: User | None = None
) -> RoleAssignment:
    """Give ``user`` a role at ``school`` (idempotent). Group heads are made with ``add_group_member``."""
    role = Role(role)
    if role == Role.GROUP_HEAD:
        raise ValidationError(_("A group head is appointed by heading a subject group, not as a role."))
    if position and role != Role.LEADERSHIP:
        raise ValidationError(_("Only school leadership has a position."))
    if role == Role.LEADERSHIP and not position:
        position = LeadershipPosition.VICE_PRINCIPAL
    if position == LeadershipPosition.PRINCIPAL:
        other = RoleAssignment.objects.filter(school=school, position=LeadershipPosition.PRINCIPAL).exclude(user=user)
        if other.exists():
            raise ValidationError(
                _("%(school)s already has a principal: %(name)s.") % {"school": school, "name": other.get().user}
            )
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, school=school, role=role, defaults={"position": position}
    )
    if not created and assignment.position != position:
        assignment.position = position
        assignment.full_clean()
        assignment.save(update_fields=["position"])
    if created:
        log(
            instance=user,
            action="schools.role_assigned",
            user=actor,
            data={"school": school.code, "role": role.value, "position": position},
        )
    sync_user_groups(user)
    return assignment


@transaction.atomic
def revoke_role(*, user: User, school: School, role: Role | str, actor: User | None = None) -> None:
    role = Role(role)
    deleted, _detail = RoleAssignment.objects.filter(user=user, school=school, role=role).delete()
    if deleted:
        if role == Role.TEACHER:
            # A person who no longer teaches here leaves the school's subject groups.
            SubjectGroupMembership.objects.filter(user=user, group__school=school).delete()
        log(instance=user, action="schools.role_revoked", user=actor, data={"school": school.code, "role": role.value})
    sync_user_groups(user)


@transaction.atomic
def create_subject_group(*, school: School, name: str, code: str, subjects=()) -> SubjectGroup:
    """``subjects``: curriculum subjects (or their codes) the group reviews. A subject belongs to at most one group
    of a school, so that every lesson has exactly one reviewing group."""
    group = SubjectGroup(school=school, name=name, code=code)
    group.full_clean()
    group.save()
    set_group_subjects(group=group, subjects=subjects)
    return group


@transaction.atomic
def set_group_subjects(*, group: SubjectGroup, subjects=()) -> None:
    wanted = [s if isinstance(s, Subject) else get_subject(s) for s in subjects]
    taken = (
        SubjectGroup.objects.filter(school=group.school_id, subjects__in=wanted)
        .exclude(pk=group.pk)
        .values_list("subjects__name", "name")
    )
    clashes = [(subject, other) for subject, other in taken if subject in {s.name for s in wanted}]
    if clashes:
        subject, other = clashes[0]
        raise ValidationError(
            {"subjects": _("%(subject)s is already reviewed by %(group)s.") % {"subject": subject, "group": other}}
        )
    group.subjects.set(wanted)


def get_or_create_subject_group(*, school: School, name: str, code: str, subjects=()) -> SubjectGroup:
    existing = SubjectGroup.objects.filter(school=school, code=code).first()
    return existing or create_subject_group(school=school, name=name, code=code, subjects=subjects)


@transaction.atomic
def add_group_member(
    *, group: SubjectGroup, user: User, is_head: bool = False, actor: User | None = None
) -> SubjectGroupMembership:
    """Add a teacher of the group's school to the group; ``is_head`` makes them its head (replacing any other)."""
    if not RoleAssignment.objects.filter(user=user, school=group.school_id, role=Role.TEACHER).exists():
        raise ValidationError(
            _("%(name)s is not a teacher at %(school)s, so cannot join %(group)s.")
            % {"name": user, "school": group.school, "group": group}
        )
    previous_heads = []
    if is_head:
        previous_heads = list(
            User.objects.filter(group_memberships__group=group, group_memberships__is_head=True).exclude(pk=user.pk)
        )
        SubjectGroupMembership.objects.filter(group=group, is_head=True).exclude(user=user).update(is_head=False)
    membership, created = SubjectGroupMembership.objects.get_or_create(
        group=group, user=user, defaults={"is_head": is_head}
    )
    if not created and membership.is_head != is_head and is_head:
        membership.is_head = True
        membership.save(update_fields=["is_head"])
    if is_head:
        log(
            instance=user,
            action="schools.group_head_appointed",
            user=actor,
            data={"school": group.school.code, "group": group.code},
        )
    for person in [user, *previous_heads]:
        sync_user_groups(person)
    return membership


@transaction.atomic
def remove_group_member(*, group: SubjectGroup, user: User) -> None:
    SubjectGroupMembership.objects.filter(group=group, user=user).delete()
    sync_user_groups(user)


@transaction.atomic
def link_parent(
    *, parent: User, student: User, relationship: str = Relationship.GUARDIAN, is_legal_representative: bool = True
) -> Guardianship:
    """Link a parent to a child. Both must belong to a common school as parent and student."""
    student_schools = set(
        RoleAssignment.objects.filter(user=student, role=Role.STUDENT).values_list("school_id", flat=True)
    )
    if not student_schools:
        raise ValidationError(_("%(name)s is not a student at any school.") % {"name": student})
    parent_schools = set(
        RoleAssignment.objects.filter(user=parent, role=Role.PARENT).values_list("school_id", flat=True)
    )
    for school_id in student_schools - parent_schools:
        assign_role(user=parent, school=School.objects.get(pk=school_id), role=Role.PARENT)
    link, created = Guardianship.objects.get_or_create(
        parent=parent,
        student=student,
        defaults={"relationship": relationship, "is_legal_representative": is_legal_representative},
    )
    if created:
        link.full_clean()
    return link


# --------------------------------------------------------------------------------------------------------------------
# Sector identifier (mã định danh)
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def set_identifier(*, user: User, ma_dinh_danh: str) -> User:
    """Record the identifier of someone who has none yet (from a roster import). It cannot be changed afterwards."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.ma_dinh_danh = ma_dinh_danh
    user.full_clean(validate_unique=True)
    user.save(update_fields=["ma_dinh_danh"])
    return user


@transaction.atomic
def correct_identifier(*, actor: User, user: User, ma_dinh_danh: str, reason: str) -> User:
    """Correct a wrongly imported identifier. Only a school administrator of the person's school (or a superuser)
    may, with a reason; the old and new values go into the audit log (TT 42/2021: the identifier is immutable,
    so this is for fixing data-entry errors only)."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for correcting the identifier."))
    if not actor.is_superuser:
        person_schools = set(user.role_assignments.values_list("school_id", flat=True))
        admin_schools = set(actor.role_assignments.filter(role=Role.SCHOOL_ADMIN).values_list("school_id", flat=True))
        if not person_schools & admin_schools:
            raise PermissionDenied(_("Only an administrator of this person's school can correct the identifier."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    old = locked.ma_dinh_danh
    sector_identifier_validator(ma_dinh_danh)
    if User.objects.filter(ma_dinh_danh=ma_dinh_danh).exclude(pk=user.pk).exists():
        raise ValidationError(_("Another person already has the identifier %(value)s.") % {"value": ma_dinh_danh})
    User.objects.filter(pk=user.pk).update(ma_dinh_danh=ma_dinh_danh)
    log(
        instance=locked,
        action="schools.identifier_corrected",
        user=actor,
        data={"old": old, "new": ma_dinh_danh, "reason": reason.strip()},
    )
    return User.objects.get(pk=user.pk)


@transaction.atomic
def set_principal_approval(*, actor: User, school: School, required: bool) -> School:
    """Choose the school's review: the subject-group head alone (one step), or the head and then the principal (two
    steps). Only the school's administrator (or a superuser) decides; the change is logged on the school, and lessons
    sent for review from now on follow it (those already in review finish the steps they started with)."""
    if not (actor.is_superuser or actor.role_assignments.filter(school=school, role=Role.SCHOOL_ADMIN).exists()):
        raise PermissionDenied(_("Only an administrator of the school can change how its lessons are reviewed."))
    locked = School.objects.select_for_update().get(pk=school.pk)
    if locked.principal_approval_required != required:
        old = locked.principal_approval_required
        School.objects.filter(pk=school.pk).update(principal_approval_required=required)
        locked.principal_approval_required = required
        log(
            instance=locked,
            action="schools.review_steps_changed",
            user=actor,
            data={"school": school.code, "old": old, "new": required},
        )
        review_settings_changed.send(sender=School, school=locked)
    return locked


@transaction.atomic
def set_exam_networks(*, actor: User, school: School, networks: str) -> School:
    """The school's networks (one CIDR range a line) from which periodic computer-based tests run (TT 09/2021
    Art. 6(2)). The school's administrator or principal (or a superuser) sets them; each line is checked; logged."""
    import ipaddress

    from lms.schools.selectors import get_principal

    principal = get_principal(school)
    if not (
        actor.is_superuser
        or (principal and principal.pk == actor.pk)
        or actor.role_assignments.filter(school=school, role=Role.SCHOOL_ADMIN).exists()
    ):
        raise PermissionDenied(_("Only the principal or an administrator of the school sets its networks."))
    lines = [line.strip() for line in networks.splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        try:
            ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValidationError(
                _("Line %(n)s: %(value)s is not an IP range (write it as 203.113.10.0/24).")
                % {"n": number, "value": line}
            ) from None
    text = "\n".join(lines)
    locked = School.objects.select_for_update().get(pk=school.pk)
    if locked.exam_networks != text:
        log(
            instance=locked,
            action="schools.exam_networks_changed",
            user=actor,
            data={"school": school.code, "old": locked.exam_networks, "new": text},
        )
        School.objects.filter(pk=school.pk).update(exam_networks=text)
        locked.exam_networks = text
    return locked


def get_exam_networks(school: School) -> list[str]:
    """The school's networks for periodic tests, one CIDR text each (empty when none is set)."""
    return [line.strip() for line in (school.exam_networks or "").splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------------------------
# API tokens (Wagtail's APIToken: one token works for /api/v1/ and Wagtail's own API)
# --------------------------------------------------------------------------------------------------------------------
@transaction.atomic
def create_api_token(*, user: User, name: str) -> tuple[APIToken, str]:
    """Return the token row and the plaintext token, which is shown to the user once and never stored."""
    if not name.strip():
        raise ValidationError(_("Give the token a name."))
    token, plaintext = APIToken.create_token(user=user, name=name.strip())
    log(instance=user, action="schools.api_token_created", user=user, data={"name": token.name, "prefix": token.prefix})
    return token, plaintext


@transaction.atomic
def revoke_api_token(*, user: User, token_id: int) -> None:
    updated = APIToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if updated:
        log(instance=user, action="schools.api_token_revoked", user=user, data={"token_id": token_id})
