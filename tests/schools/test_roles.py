"""Roles drive permissions: every role, several roles at once, derived group heads, and who may enter the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from wagtail.models import ModelLogEntry

from lms.schools import api as schools_api
from lms.schools.api import ImmutableIdentifierError, LeadershipPosition, Role
from lms.schools.roles import definition
from tests.support.factories import SchoolFactory, UserFactory

ADMIN = "wagtailadmin.access_admin"


def _groups(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("attr", "role", "can_enter_admin", "extra_perms"),
    [
        ("school_admin", Role.SCHOOL_ADMIN, True, {"schools.manage_people", "schools.change_school"}),
        ("principal", Role.LEADERSHIP, True, {"schools.view_people"}),
        ("group_head", Role.GROUP_HEAD, True, {"schools.view_people"}),
        ("teacher", Role.TEACHER, True, {"wagtailadmin.access_admin"}),
        ("student", Role.STUDENT, False, set()),
        ("parent", Role.PARENT, False, set()),
    ],
)
def test_each_role_gets_its_group_and_permissions(people, attr, role, can_enter_admin, extra_perms):
    user = getattr(people, attr)
    user = type(user).objects.get(pk=user.pk)  # fresh permission cache
    assert role in schools_api.get_roles(user, people.school)
    assert definition(role).group_name in _groups(user)
    assert user.has_perm(ADMIN) is can_enter_admin
    for perm in extra_perms:
        assert user.has_perm(perm), perm
    if not can_enter_admin:
        assert not user.get_all_permissions()


def test_teacher_does_not_get_management_permissions(people):
    teacher = type(people.teacher).objects.get(pk=people.teacher.pk)
    assert not teacher.has_perm("schools.manage_people")
    assert not teacher.has_perm("schools.view_people")


@pytest.mark.parametrize(
    ("attr", "status"),
    [
        ("school_admin", 200),
        ("principal", 200),
        ("group_head", 200),
        ("teacher", 200),
        ("student", 302),
        ("parent", 302),
    ],
)
def test_admin_lets_staff_in_and_refuses_students_and_parents(client, people, attr, status):
    client.force_login(getattr(people, attr))
    response = client.get("/admin/")
    assert response.status_code == status
    if status == 302:
        # Wagtail sends people without access_admin to the login page with a message, never into the admin.
        assert "/tai-khoan/dang-nhap/" in response["Location"]
        refused = client.get(response["Location"])
        assert refused.status_code == 200  # the login page, not another redirect (no loop)
        assert "không được mở trang đó" in refused.content.decode()


def test_a_person_can_hold_several_roles(people):
    schools_api.assign_role(user=people.group_head, school=people.school, role=Role.LEADERSHIP)
    other_school = SchoolFactory()
    schools_api.assign_role(user=people.group_head, school=other_school, role=Role.PARENT)
    roles = schools_api.get_roles(people.group_head)
    assert roles == {Role.TEACHER, Role.GROUP_HEAD, Role.LEADERSHIP, Role.PARENT}
    assert schools_api.get_roles(people.group_head, other_school) == {Role.PARENT}
    assert _groups(people.group_head) == {definition(r).group_name for r in roles}


def test_group_head_is_derived_from_heading_a_group_and_moves_with_it(people):
    new_head = people.teacher
    schools_api.add_group_member(group=people.group, user=new_head, is_head=True)
    assert schools_api.get_group_head(people.group) == new_head
    assert Role.GROUP_HEAD in schools_api.get_roles(new_head)
    assert Role.GROUP_HEAD not in schools_api.get_roles(people.group_head)
    assert definition(Role.GROUP_HEAD).group_name not in _groups(people.group_head)
    assert ModelLogEntry.objects.filter(action="schools.group_head_appointed", object_id=str(new_head.pk)).exists()


def test_one_head_per_group_is_enforced_by_the_database(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        people.group.memberships.filter(user=people.teacher).update(is_head=True)


def test_only_teachers_of_the_school_join_its_subject_groups(people):
    with pytest.raises(ValidationError, match="không phải là giáo viên"):
        schools_api.add_group_member(group=people.group, user=people.student)


def test_group_head_is_not_an_assignable_role(people):
    with pytest.raises(ValidationError):
        schools_api.assign_role(user=people.teacher, school=people.school, role=Role.GROUP_HEAD)


def test_revoking_a_role_removes_its_permissions_and_group_membership(people):
    schools_api.revoke_role(user=people.group_head, school=people.school, role=Role.TEACHER)
    user = type(people.group_head).objects.get(pk=people.group_head.pk)
    assert schools_api.get_roles(user) == set()
    assert not user.has_perm(ADMIN)
    assert _groups(user) == set()
    assert ModelLogEntry.objects.filter(action="schools.role_revoked", object_id=str(user.pk)).exists()


def test_role_groups_do_not_touch_other_groups(people):
    custom = Group.objects.create(name="Ban biên tập bản tin")
    people.teacher.groups.add(custom)
    schools_api.assign_role(user=people.teacher, school=people.school, role=Role.LEADERSHIP)
    assert "Ban biên tập bản tin" in _groups(people.teacher)


def test_a_school_has_one_principal(people):
    other = UserFactory(username="ungvien")
    with pytest.raises(ValidationError, match="đã có hiệu trưởng"):
        schools_api.assign_role(
            user=other, school=people.school, role=Role.LEADERSHIP, position=LeadershipPosition.PRINCIPAL
        )
    assert schools_api.get_principal(people.school) == people.principal


def test_ensure_role_groups_is_idempotent_and_resets_drifted_permissions(db):
    groups = schools_api.ensure_role_groups()
    teacher_group = groups[Role.TEACHER]
    teacher_group.permissions.clear()
    teacher_group.collection_permissions.all().delete()
    again = schools_api.ensure_role_groups()
    group = again[Role.TEACHER]
    assert group.pk == teacher_group.pk
    model_perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    collection_perms = {
        f"{p.permission.content_type.app_label}.{p.permission.codename}" for p in group.collection_permissions.all()
    }
    assert model_perms | collection_perms == set(definition(Role.TEACHER).permissions)
    assert collection_perms == {
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    }


@pytest.mark.parametrize(
    ("attr", "allowed"),
    [
        ("school_admin", True),
        ("principal", True),
        ("group_head", True),
        ("teacher", True),
        ("student", False),
        ("parent", False),
    ],
)
def test_staff_can_upload_images_and_documents(people, attr, allowed):
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.permissions import policy_registry

    documents = policy_registry.get_by_type(get_document_model())
    images = policy_registry.get_by_type(get_image_model())

    user = getattr(people, attr)
    assert documents.user_has_permission(user, "add") is allowed
    assert images.user_has_permission(user, "add") is allowed


def test_staff_edit_their_own_uploads_but_not_other_peoples(people):
    from django.core.files.base import ContentFile
    from wagtail.documents import get_document_model
    from wagtail.permissions import policy_registry

    Document = get_document_model()
    documents = policy_registry.get_by_type(Document)
    own = Document.objects.create(
        title="Của tôi", file=ContentFile(b"x", name="a.txt"), uploaded_by_user=people.teacher
    )
    other = Document.objects.create(
        title="Của người khác", file=ContentFile(b"y", name="b.txt"), uploaded_by_user=people.group_head
    )
    assert documents.user_has_permission_for_instance(people.teacher, "change", own) is True
    assert documents.user_has_permission_for_instance(people.teacher, "change", other) is False


# ---------------------------------------------------------------------------------------------------------------------
# Parents
# ---------------------------------------------------------------------------------------------------------------------
def test_parent_is_linked_to_their_child_and_gets_the_parent_role(people):
    assert list(schools_api.get_children(people.parent)) == [people.student]
    assert schools_api.get_roles(people.parent, people.school) == {Role.PARENT}


def test_only_students_can_have_parents_linked(people):
    with pytest.raises(ValidationError, match="không phải là học sinh"):
        schools_api.link_parent(parent=people.parent, student=people.teacher)


# ---------------------------------------------------------------------------------------------------------------------
# Sector identifier (mã định danh)
# ---------------------------------------------------------------------------------------------------------------------
def test_identifier_cannot_be_changed_once_set(people):
    student = type(people.student).objects.get(pk=people.student.pk)
    student.ma_dinh_danh = "0199999999"
    with pytest.raises(ImmutableIdentifierError):
        student.save()
    deferred = type(people.student).objects.only("username").get(pk=people.student.pk)
    deferred.ma_dinh_danh = "0199999998"
    with pytest.raises(ImmutableIdentifierError):
        deferred.save()
    assert type(people.student).objects.get(pk=people.student.pk).ma_dinh_danh == people.student.ma_dinh_danh


def test_identifier_can_be_set_once_when_missing(people):
    updated = schools_api.set_identifier(user=people.parent, ma_dinh_danh="0177777777")
    assert updated.ma_dinh_danh == "0177777777"
    with pytest.raises(ImmutableIdentifierError):
        schools_api.set_identifier(user=people.parent, ma_dinh_danh="0177777778")


def test_identifier_is_unique_and_well_formed(people):
    with pytest.raises(ValidationError):
        schools_api.set_identifier(user=people.parent, ma_dinh_danh=people.student.ma_dinh_danh)
    with pytest.raises(ValidationError):
        schools_api.set_identifier(user=people.teacher, ma_dinh_danh="có dấu cách")


def test_only_a_school_admin_corrects_an_identifier_with_a_reason_and_it_is_audited(people):
    with pytest.raises(PermissionDenied):
        schools_api.correct_identifier(
            actor=people.teacher, user=people.student, ma_dinh_danh="0155555555", reason="Nhập sai"
        )
    with pytest.raises(ValidationError):
        schools_api.correct_identifier(
            actor=people.school_admin, user=people.student, ma_dinh_danh="0155555555", reason="  "
        )
    old = people.student.ma_dinh_danh
    corrected = schools_api.correct_identifier(
        actor=people.school_admin, user=people.student, ma_dinh_danh="0155555555", reason="Nhập sai một chữ số"
    )
    assert corrected.ma_dinh_danh == "0155555555"
    entry = ModelLogEntry.objects.get(action="schools.identifier_corrected", object_id=str(people.student.pk))
    assert entry.user == people.school_admin
    assert entry.data == {"old": old, "new": "0155555555", "reason": "Nhập sai một chữ số"}
