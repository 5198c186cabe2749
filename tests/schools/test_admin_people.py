"""The admin's people area (/admin/nhan-su/): who may see and change which school's people, and that every change
goes through the services (groups recomputed, audit entries written)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from curriculum.api import get_subject
from lms.schools import api as schools_api
from lms.schools.api import Role
from lms.schools.roles import definition
from tests.support.factories import UserFactory
from tests.support.people import make_school_people

BASE = "/admin/nhan-su/"


def _list(school) -> str:
    return f"{BASE}{school.code}/"


def _person(school, person, action: str = "") -> str:
    return f"{BASE}{school.code}/{person.pk}/{action}"


def _text(response) -> str:
    """The page's main content as plain text (tags removed, whitespace collapsed)."""
    html = response.content.decode()
    main = html[html.find("<main") :] if "<main" in html else html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _group_names(user) -> set[str]:
    return set(type(user).objects.get(pk=user.pk).groups.values_list("name", flat=True))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def other(db):
    """A second school with its own people (usernames prefixed with b_)."""
    return make_school_people(prefix="b_")


# ---------------------------------------------------------------------------------------------------------------------
# Who gets in
# ---------------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("attr", "status", "manages"),
    [
        ("school_admin", 200, True),
        ("principal", 200, False),
        ("group_head", 200, False),
        ("teacher", 403, False),
    ],
)
def test_people_list_access_by_role(client, people, attr, status, manages):
    client.force_login(getattr(people, attr))
    response = client.get(_list(people.school))
    assert response.status_code == status
    if status != 200:
        return
    text = _text(response)
    assert people.student.get_full_name() in text
    assert ("Thêm người" in text) is manages
    assert (f"{BASE}{people.school.code}/them/" in response.content.decode()) is manages


@pytest.mark.parametrize("attr", ["student", "parent"])
def test_students_and_parents_never_reach_the_people_area(client, people, attr):
    client.force_login(getattr(people, attr))
    for url in (BASE, _list(people.school), _person(people.school, people.student)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/tai-khoan/dang-nhap/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "",
        "{school}/",
        "{school}/them/",
        "{school}/to-chuyen-mon/",
        "{school}/{student}/",
    ],
)
def test_a_teacher_without_a_management_role_is_refused_everywhere(client, people, url):
    client.force_login(people.teacher)
    url = BASE + url.format(school=people.school.code, student=people.student.pk)
    assert client.get(url).status_code == 403


def test_a_teacher_cannot_post_changes_either(client, people):
    client.force_login(people.teacher)
    response = client.post(_person(people.school, people.student, "vai-tro/gan/"), {"assign-role": "teacher"})
    assert response.status_code == 403
    assert Role.TEACHER not in schools_api.get_roles(people.student, people.school)


@pytest.mark.parametrize(
    ("attr", "shown"), [("school_admin", True), ("principal", True), ("group_head", True), ("teacher", False)]
)
def test_menu_item_only_for_those_who_may_see_people(client, people, attr, shown):
    client.force_login(getattr(people, attr))
    home = client.get("/admin/")
    assert home.status_code == 200
    assert (f'"{BASE}"' in home.content.decode()) is shown


def test_read_only_roles_see_no_forms_and_cannot_post(client, people):
    client.force_login(people.principal)
    detail = client.get(_person(people.school, people.teacher))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "vai-tro/gan/" not in html
    assert "Bỏ vai trò này" not in html
    assert client.get(f"{_list(people.school)}them/").status_code == 403
    assert client.get(f"{_list(people.school)}to-chuyen-mon/them/").status_code == 403
    response = client.post(_person(people.school, people.teacher, "vai-tro/gan/"), {"assign-role": "school_admin"})
    assert response.status_code == 403
    response = client.post(_person(people.school, people.teacher, "vai-tro/thu-hoi/"), {"role": "teacher"})
    assert response.status_code == 403
    assert schools_api.get_roles(people.teacher, people.school) == {Role.TEACHER}


def test_group_heads_do_not_see_identifiers_or_history(client, people):
    client.force_login(people.group_head)
    listing = client.get(_list(people.school))
    assert people.student.ma_dinh_danh not in listing.content.decode()
    assert "Mã định danh" not in _text(listing)
    # Searching by identifier must not reveal it either.
    found = client.get(_list(people.school), {"q": people.student.ma_dinh_danh})
    assert people.student.get_full_name() not in _text(found)
    detail = client.get(_person(people.school, people.student))
    assert detail.status_code == 200
    assert people.student.ma_dinh_danh not in detail.content.decode()
    assert "Lịch sử thay đổi" not in _text(detail)


def test_leadership_sees_identifiers_and_history(client, people):
    client.force_login(people.principal)
    listing = client.get(_list(people.school), {"q": people.student.ma_dinh_danh})
    assert people.student.get_full_name() in _text(listing)
    assert people.student.ma_dinh_danh in listing.content.decode()
    detail = _text(client.get(_person(people.school, people.student)))
    assert "Lịch sử thay đổi" in detail
    assert "Phân công vai trò" in detail


# ---------------------------------------------------------------------------------------------------------------------
# One school's administrator never reaches another school's people
# ---------------------------------------------------------------------------------------------------------------------
def test_school_admin_cannot_open_another_schools_pages(client, people, other):
    client.force_login(people.school_admin)
    assert client.get(_list(other.school)).status_code == 404
    assert client.get(f"{_list(other.school)}them/").status_code == 404
    assert client.get(f"{_list(other.school)}to-chuyen-mon/").status_code == 404
    assert client.get(_person(other.school, other.teacher)).status_code == 404
    # Another school's person through one's own school's URL is not found either.
    assert client.get(_person(people.school, other.teacher)).status_code == 404
    listing = _text(client.get(_list(people.school)))
    assert other.teacher.username not in listing


def test_forged_posts_cannot_change_another_schools_people(client, people, other):
    client.force_login(people.school_admin)
    attempts = [
        (_person(other.school, other.teacher, "vai-tro/gan/"), {"assign-role": "school_admin"}),
        (_person(people.school, other.teacher, "vai-tro/gan/"), {"assign-role": "school_admin"}),
        (_person(people.school, other.teacher, "vai-tro/thu-hoi/"), {"role": "teacher"}),
        (_person(people.school, other.teacher, "to/roi/"), {"group": other.group.pk}),
        (
            _person(people.school, other.student, "ma-dinh-danh/"),
            {"identifier-ma_dinh_danh": "0188888888", "identifier-reason": "x"},
        ),
        (
            f"{_list(other.school)}them/",
            {"username": "xam-nhap", "last_name": "A", "first_name": "B", "roles": ["teacher"], "email": "a@b.vn"},
        ),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, url
    assert schools_api.get_roles(other.teacher, other.school) == {Role.TEACHER}
    assert schools_api.get_roles(other.teacher, people.school) == set()
    assert other.group.memberships.filter(user=other.teacher).exists()
    assert type(other.student).objects.get(pk=other.student.pk).ma_dinh_danh == other.student.ma_dinh_danh
    assert not type(other.student).objects.filter(username="xam-nhap").exists()


def test_forged_ids_inside_a_form_are_refused(client, people, other):
    client.force_login(people.school_admin)
    # Another school's subject group for one's own teacher.
    response = client.post(_person(people.school, people.teacher, "to/them/"), {"member-group": other.group.pk})
    assert response.status_code == 200
    assert "Hãy chọn một tổ chuyên môn của trường này." in _text(response)
    assert not other.group.memberships.filter(user=people.teacher).exists()
    response = client.post(_person(people.school, people.teacher, "to/truong-to/"), {"group": other.group.pk})
    assert response.status_code == 302
    assert schools_api.get_group_head(other.group) == other.group_head
    # Another school's person as a parent.
    response = client.post(
        _person(people.school, people.student, "phu-huynh/"),
        {"parent-parent_username": other.parent.username, "parent-relationship": "father"},
    )
    assert response.status_code == 200
    assert "không có ai có tên đăng nhập" in _text(response).lower()
    assert list(schools_api.get_children(other.parent)) == [other.student]


def test_history_leaves_out_other_schools(client, people, other):
    schools_api.assign_role(user=people.teacher, school=other.school, role=Role.PARENT, actor=other.school_admin)
    client.force_login(people.school_admin)
    history = client.get(_person(people.school, people.teacher)).context["history"]
    assert [(row["message"], row["detail"]) for row in history] == [("Phân công vai trò", "Giáo viên")]


def test_superuser_chooses_among_all_schools(client, people, other):
    admin = UserFactory(username="sieuquantri", is_superuser=True, is_staff=True)
    client.force_login(admin)
    index = client.get(BASE)
    assert index.status_code == 200
    text = _text(index)
    assert people.school.name in text and other.school.name in text
    assert client.get(BASE, {"school": other.school.code})["Location"] == _list(other.school)
    assert client.get(_list(other.school)).status_code == 200
    assert client.get(_person(other.school, other.student)).status_code == 200


def test_admin_of_two_schools_gets_a_school_selector(client, people, other):
    schools_api.assign_role(user=people.school_admin, school=other.school, role=Role.SCHOOL_ADMIN)
    client.force_login(people.school_admin)
    index = client.get(BASE)
    assert index.status_code == 200
    listing = client.get(_list(other.school))
    assert listing.status_code == 200
    assert 'name="school"' in listing.content.decode()
    assert other.student.get_full_name() in _text(listing)


# ---------------------------------------------------------------------------------------------------------------------
# Adding a person
# ---------------------------------------------------------------------------------------------------------------------
def _new_person(**overrides) -> dict:
    data = {
        "username": "gv.tranthibinh",
        "last_name": "Trần Thị",
        "first_name": "Bình",
        "email": "binh@truong.example.vn",
        "date_of_birth": "1990-05-17",
        "gender": "female",
        "ma_dinh_danh": "",
        "roles": ["teacher", "leadership"],
        "position": "vice_principal",
        "password1": "",
        "password2": "",
    }
    data.update(overrides)
    return data


def test_add_person_creates_the_account_with_roles_and_groups(client, people):
    client.force_login(people.school_admin)
    form_page = _text(client.get(f"{_list(people.school)}them/"))
    for label in ("Tên đăng nhập", "Họ và tên đệm", "Tên", "Ngày sinh", "Mã định danh", "Vai trò tại trường"):
        assert label in form_page, label
    response = client.post(
        f"{_list(people.school)}them/",
        _new_person(ma_dinh_danh="0122334455", password1="Hoc-tap-2026!", password2="Hoc-tap-2026!"),
    )
    assert response.status_code == 302
    person = type(people.teacher).objects.get(username="gv.tranthibinh")
    assert response["Location"] == _person(people.school, person)
    assert person.get_full_name() == "Trần Thị Bình"
    assert person.ma_dinh_danh == "0122334455"
    assert str(person.date_of_birth) == "1990-05-17"
    assert person.check_password("Hoc-tap-2026!")
    assert schools_api.get_roles(person, people.school) == {Role.TEACHER, Role.LEADERSHIP}
    assert _group_names(person) == {definition(Role.TEACHER).group_name, definition(Role.LEADERSHIP).group_name}
    created = ModelLogEntry.objects.get(action="schools.person_created", object_id=str(person.pk))
    assert created.user == people.school_admin
    assert created.data == {"school": people.school.code}
    assert (
        ModelLogEntry.objects.filter(
            action="schools.role_assigned", object_id=str(person.pk), user=people.school_admin
        ).count()
        == 2
    )
    detail = client.get(response["Location"])
    assert f"Đã thêm Trần Thị Bình vào {people.school.name}." in _messages(detail)
    assert "Ban giám hiệu (BGH) – Phó hiệu trưởng" in _text(detail)


def test_add_person_without_password_gets_an_unusable_one_and_a_hint(client, people):
    client.force_login(people.school_admin)
    response = client.post(f"{_list(people.school)}them/", _new_person(roles=["student"], position=""), follow=True)
    person = type(people.teacher).objects.get(username="gv.tranthibinh")
    assert not person.has_usable_password()
    assert any("Quên mật khẩu?" in message for message in _messages(response))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "QUANTRI"}, "username", "đã có người dùng"),
        ({"username": "có dấu cách"}, "username", None),
        ({"ma_dinh_danh": "STUDENT"}, "ma_dinh_danh", "Đã có người khác mang mã định danh"),
        ({"ma_dinh_danh": "12 34"}, "ma_dinh_danh", "Mã định danh gồm 6 đến 20 chữ cái hoặc chữ số"),
        ({"roles": []}, "roles", "Hãy chọn ít nhất một vai trò"),
        ({"roles": ["teacher"], "position": "principal"}, "position", "Chỉ Ban giám hiệu mới có chức vụ"),
        ({"roles": ["leadership"], "position": "principal"}, "position", "đã có hiệu trưởng"),
        ({"email": "", "password1": ""}, "password1", "Hãy đặt mật khẩu ban đầu hoặc nhập địa chỉ thư điện tử"),
        ({"password1": "Hoc-tap-2026!", "password2": "khac-nhau-2026"}, "password2", "Hai mật khẩu không khớp"),
        ({"password1": "123", "password2": "123"}, "password1", None),
    ],
)
def test_add_person_errors_are_clear_and_create_nothing(client, people, overrides, field, message):
    client.force_login(people.school_admin)
    if overrides.get("ma_dinh_danh") == "STUDENT":
        overrides = {**overrides, "ma_dinh_danh": people.student.ma_dinh_danh}
    data = _new_person(**overrides)
    response = client.post(f"{_list(people.school)}them/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    if message:
        assert any(message in error for error in form.errors[field]), form.errors[field]
        assert message in _text(response)
    assert not type(people.teacher).objects.filter(username=data["username"]).exists()
    assert not type(people.teacher).objects.filter(username="gv.tranthibinh").exists()


# ---------------------------------------------------------------------------------------------------------------------
# Roles and groups of a person
# ---------------------------------------------------------------------------------------------------------------------
def test_assign_and_revoke_a_role_update_the_django_groups(client, people):
    client.force_login(people.school_admin)
    response = client.post(
        _person(people.school, people.teacher, "vai-tro/gan/"),
        {"assign-role": "leadership", "assign-position": "vice_principal"},
    )
    assert response.status_code == 302
    assert definition(Role.LEADERSHIP).group_name in _group_names(people.teacher)
    assert type(people.teacher).objects.get(pk=people.teacher.pk).has_perm("schools.view_people")
    entry = ModelLogEntry.objects.get(
        action="schools.role_assigned", object_id=str(people.teacher.pk), user=people.school_admin
    )
    assert entry.data["role"] == "leadership"

    response = client.post(_person(people.school, people.teacher, "vai-tro/thu-hoi/"), {"role": "leadership"})
    assert response.status_code == 302
    assert response["Location"] == _person(people.school, people.teacher)
    assert definition(Role.LEADERSHIP).group_name not in _group_names(people.teacher)
    assert ModelLogEntry.objects.filter(
        action="schools.role_revoked", object_id=str(people.teacher.pk), user=people.school_admin
    ).exists()


def test_a_second_principal_is_refused_with_the_services_message(client, people):
    client.force_login(people.school_admin)
    response = client.post(
        _person(people.school, people.teacher, "vai-tro/gan/"),
        {"assign-role": "leadership", "assign-position": "principal"},
    )
    assert response.status_code == 200
    assert "đã có hiệu trưởng" in _text(response)
    assert schools_api.get_principal(people.school) == people.principal
    assert Role.LEADERSHIP not in schools_api.get_roles(people.teacher, people.school)


def test_revoking_the_last_role_goes_back_to_the_list(client, people):
    client.force_login(people.school_admin)
    response = client.post(_person(people.school, people.parent, "vai-tro/thu-hoi/"), {"role": "parent"})
    assert response.status_code == 302
    assert response["Location"] == _list(people.school)
    assert client.get(_person(people.school, people.parent)).status_code == 404


def test_an_administrator_cannot_remove_their_own_admin_role(client, people):
    client.force_login(people.school_admin)
    response = client.post(_person(people.school, people.school_admin, "vai-tro/thu-hoi/"), {"role": "school_admin"})
    assert response.status_code == 302
    assert any("Bạn không thể tự bỏ vai trò quản trị" in m for m in _messages(client.get(response["Location"])))
    assert Role.SCHOOL_ADMIN in schools_api.get_roles(people.school_admin, people.school)


def test_group_head_change_moves_the_group_head_role(client, people):
    client.force_login(people.school_admin)
    response = client.post(_person(people.school, people.teacher, "to/truong-to/"), {"group": people.group.pk})
    assert response.status_code == 302
    assert schools_api.get_group_head(people.group) == people.teacher
    assert definition(Role.GROUP_HEAD).group_name in _group_names(people.teacher)
    assert definition(Role.GROUP_HEAD).group_name not in _group_names(people.group_head)
    assert ModelLogEntry.objects.filter(
        action="schools.group_head_appointed", object_id=str(people.teacher.pk), user=people.school_admin
    ).exists()
    groups_page = _text(client.get(f"{_list(people.school)}to-chuyen-mon/"))
    assert people.teacher.get_full_name() in groups_page


def test_add_to_and_remove_from_a_group(client, people):
    new_group = schools_api.create_subject_group(school=people.school, name="Tổ Ngữ văn", code="ngu-van")
    client.force_login(people.school_admin)
    response = client.post(
        _person(people.school, people.teacher, "to/them/"), {"member-group": new_group.pk, "member-is_head": "on"}
    )
    assert response.status_code == 302
    assert schools_api.get_group_head(new_group) == people.teacher
    response = client.post(_person(people.school, people.teacher, "to/roi/"), {"group": new_group.pk})
    assert response.status_code == 302
    assert not new_group.memberships.filter(user=people.teacher).exists()
    assert Role.GROUP_HEAD not in schools_api.get_roles(people.teacher, people.school)


def test_only_teachers_join_groups_and_the_error_is_shown(client, people):
    client.force_login(people.school_admin)
    response = client.post(_person(people.school, people.student, "to/them/"), {"member-group": people.group.pk})
    assert response.status_code == 200
    assert "không phải là giáo viên" in _text(response)
    assert not people.group.memberships.filter(user=people.student).exists()


# ---------------------------------------------------------------------------------------------------------------------
# Parents
# ---------------------------------------------------------------------------------------------------------------------
def test_link_a_parent_of_the_school_to_a_student(client, people):
    father = schools_api.create_person_at_school(
        school=people.school, roles=[Role.PARENT], username="ph.bo", last_name="Lê Văn", first_name="Cường"
    )
    client.force_login(people.school_admin)
    response = client.post(
        _person(people.school, people.student, "phu-huynh/"),
        {"parent-parent_username": "PH.BO", "parent-relationship": "father", "parent-is_legal_representative": "on"},
    )
    assert response.status_code == 302
    guardians = {link.parent: link for link in schools_api.get_guardians(people.student)}
    assert guardians[father].relationship == "father"
    assert guardians[father].is_legal_representative
    detail = _text(client.get(_person(people.school, people.student)))
    assert "Lê Văn Cường" in detail
    parent_page = _text(client.get(_person(people.school, father)))
    assert people.student.get_full_name() in parent_page


def test_parents_are_linked_only_to_students(client, people):
    client.force_login(people.school_admin)
    response = client.post(
        _person(people.school, people.teacher, "phu-huynh/"),
        {"parent-parent_username": people.parent.username, "parent-relationship": "mother"},
    )
    assert response.status_code == 302
    assert "Chỉ học sinh của trường mới được liên kết với phụ huynh." in _messages(client.get(response["Location"]))
    assert list(schools_api.get_children(people.parent)) == [people.student]


# ---------------------------------------------------------------------------------------------------------------------
# Sector identifier
# ---------------------------------------------------------------------------------------------------------------------
def test_identifier_correction_is_audited_and_shown_in_the_history(client, people):
    old = people.student.ma_dinh_danh
    client.force_login(people.school_admin)
    url = _person(people.school, people.student, "ma-dinh-danh/")
    missing_reason = client.post(url, {"identifier-ma_dinh_danh": "0155555555", "identifier-reason": "  "})
    assert missing_reason.status_code == 200
    assert "Vui lòng nêu lý do đính chính mã định danh" in _text(missing_reason)
    taken = client.post(url, {"identifier-ma_dinh_danh": people.student.ma_dinh_danh, "identifier-reason": "x"})
    assert taken.status_code == 200
    assert type(people.student).objects.get(pk=people.student.pk).ma_dinh_danh == old

    response = client.post(url, {"identifier-ma_dinh_danh": "0155555555", "identifier-reason": "Nhập sai một chữ số"})
    assert response.status_code == 302
    assert type(people.student).objects.get(pk=people.student.pk).ma_dinh_danh == "0155555555"
    entry = ModelLogEntry.objects.get(action="schools.identifier_corrected", object_id=str(people.student.pk))
    assert entry.user == people.school_admin
    assert entry.data == {"old": old, "new": "0155555555", "reason": "Nhập sai một chữ số"}
    history = _text(client.get(_person(people.school, people.student)))
    assert "Đính chính mã định danh" in history
    assert f"{old} → 0155555555" in history
    assert "Nhập sai một chữ số" in history


def test_identifier_of_another_person_is_refused(client, people):
    schools_api.set_identifier(user=people.teacher, ma_dinh_danh="0166666666")
    client.force_login(people.school_admin)
    response = client.post(
        _person(people.school, people.student, "ma-dinh-danh/"),
        {"identifier-ma_dinh_danh": "0166666666", "identifier-reason": "Nhầm"},
    )
    assert response.status_code == 200
    assert "Đã có người khác mang mã định danh 0166666666" in _text(response)
    assert not ModelLogEntry.objects.filter(action="schools.identifier_corrected").exists()


# ---------------------------------------------------------------------------------------------------------------------
# The list: filters, search, pagination, query budget
# ---------------------------------------------------------------------------------------------------------------------
def _names_on(response) -> list[str]:
    return [person.get_full_name() for person in response.context["people"]]


def test_filters_by_role_and_group(client, people):
    client.force_login(people.school_admin)
    url = _list(people.school)
    assert _names_on(client.get(url, {"role": "student"})) == [people.student.get_full_name()]
    assert _names_on(client.get(url, {"role": "group_head"})) == [people.group_head.get_full_name()]
    in_group = _names_on(client.get(url, {"group": people.group.pk}))
    assert sorted(in_group) == sorted([people.group_head.get_full_name(), people.teacher.get_full_name()])
    query = people.teacher.first_name.upper()
    assert _names_on(client.get(url, {"role": "teacher", "group": people.group.pk, "q": query})) == [
        people.teacher.get_full_name()
    ]


def test_search_ignores_diacritics_and_case(client, people):
    person = schools_api.create_person_at_school(
        school=people.school, roles=[Role.TEACHER], username="gv.anh", last_name="Trần Thị", first_name="Ánh"
    )
    schools_api.create_person_at_school(
        school=people.school, roles=[Role.TEACHER], username="gv.binh", last_name="Đỗ Văn", first_name="Bình"
    )
    client.force_login(people.school_admin)
    url = _list(people.school)
    for query in ("anh", "ÁNH", "tran anh", "Trần Thị Ánh", "gv.anh"):
        assert _names_on(client.get(url, {"q": query})) == [person.get_full_name()], query
    assert _names_on(client.get(url, {"q": "do van"})) == ["Đỗ Văn Bình"]
    assert _names_on(client.get(url, {"q": "không có ai"})) == []
    assert "Không có ai khớp với bộ lọc này." in _text(client.get(url, {"q": "không có ai"}))


def test_list_is_sorted_by_given_name_and_paginated_by_fifty(client, people):
    for index in range(55):
        schools_api.create_person_at_school(
            school=people.school,
            roles=[Role.STUDENT],
            username=f"hs{index:02d}",
            last_name="Phạm",
            first_name=f"Ân {index:02d}",
            password="x",
        )
    client.force_login(people.school_admin)
    first = client.get(_list(people.school), {"role": "student"})
    names = _names_on(first)
    assert len(names) == 50
    # By given name with diacritics folded: "Ân 00" (folded "an 00") comes before the fixture's "An4".
    assert names[:2] == ["Phạm Ân 00", "Phạm Ân 01"]
    second = client.get(_list(people.school), {"role": "student", "p": 2})
    assert _names_on(second) == [*(f"Phạm Ân {index}" for index in range(50, 55)), people.student.get_full_name()]
    html = second.content.decode()
    # Page links keep the filters; the labels are Vietnamese.
    assert f'href="{_list(people.school)}?role=student&amp;p=1"' in html
    assert "Trang 2/2" in _text(second)
    assert "56 người" in _text(second)


def _add_students(school, count: int, start: int) -> None:
    for index in range(start, start + count):
        student = schools_api.create_person_at_school(
            school=school,
            roles=[Role.STUDENT],
            username=f"hsq{index:03d}",
            last_name="Võ Thị",
            first_name=f"Hoa {index:03d}",
            ma_dinh_danh=f"0177{index:06d}",
            password="x",
        )
        if index % 2:
            schools_api.assign_role(user=student, school=school, role=Role.PARENT)


def _count_queries(client, url, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), len(response.context["people"])


@pytest.mark.parametrize("params", [{}, {"q": "hoa"}, {"role": "student", "group": ""}])
def test_list_runs_a_constant_number_of_queries(client, people, params):
    client.force_login(people.school_admin)
    url = _list(people.school)
    client.get(url)  # warm caches (content types, site) outside the measurement
    _add_students(people.school, 5, 0)
    few, shown_few = _count_queries(client, url, params)
    _add_students(people.school, 20, 5)
    many, shown_many = _count_queries(client, url, params)
    assert shown_many > shown_few >= 5
    assert many == few, f"{few} queries for {shown_few} people, {many} for {shown_many}"


# ---------------------------------------------------------------------------------------------------------------------
# Subject groups
# ---------------------------------------------------------------------------------------------------------------------
def test_subject_groups_list_and_create(client, people):
    client.force_login(people.school_admin)
    page = client.get(f"{_list(people.school)}to-chuyen-mon/")
    assert page.status_code == 200
    text = _text(page)
    assert "Tổ Toán – Tin" in text
    assert people.group_head.get_full_name() in text
    assert page.context["groups"][0].member_count == 2
    response = client.post(
        f"{_list(people.school)}to-chuyen-mon/them/",
        {
            "name": "Tổ Khoa học tự nhiên",
            "code": "",
            "subjects": [get_subject("vat-li").pk, get_subject("hoa-hoc").pk, get_subject("sinh-hoc").pk],
        },
    )
    assert response.status_code == 302
    created = schools_api.get_subject_groups(people.school).get(name="Tổ Khoa học tự nhiên")
    assert created.code == "to-khoa-hoc-tu-nhien"
    assert {s.code for s in created.subjects.all()} == {"vat-li", "hoa-hoc", "sinh-hoc"}
    # A subject is reviewed by one group of the school only.
    clash = client.post(
        f"{_list(people.school)}to-chuyen-mon/them/",
        {"name": "Tổ Toán 2", "code": "toan-2", "subjects": [get_subject("toan").pk]},
    )
    assert clash.status_code == 200
    assert "đã do Tổ Toán – Tin phụ trách" in clash.content.decode()
    duplicate = client.post(f"{_list(people.school)}to-chuyen-mon/them/", {"name": "tổ toán – tin", "code": "khac"})
    assert duplicate.status_code == 200
    assert "Trường đã có tổ chuyên môn mang tên này." in _text(duplicate)
    assert schools_api.get_subject_groups(people.school).count() == 2


def test_group_heads_see_the_groups_but_cannot_create_one(client, people):
    client.force_login(people.group_head)
    page = client.get(f"{_list(people.school)}to-chuyen-mon/")
    assert page.status_code == 200
    assert "to-chuyen-mon/them/" not in page.content.decode()
    assert client.post(f"{_list(people.school)}to-chuyen-mon/them/", {"name": "Tổ Mới"}).status_code == 403
    assert schools_api.get_subject_groups(people.school).count() == 1


# ---------------------------------------------------------------------------------------------------------------------
# Vietnamese interface
# ---------------------------------------------------------------------------------------------------------------------
def test_pages_are_in_vietnamese(client, people):
    client.force_login(people.school_admin)
    listing = _text(client.get(_list(people.school)))
    for label in ("Nhân sự", "Thêm người", "Tổ chuyên môn", "Họ và tên", "Tên đăng nhập", "Vai trò tại trường", "Lọc"):
        assert label in listing, label
    assert "Mã định danh" in listing
    detail = _text(client.get(_person(people.school, people.student)))
    for label in (
        "Thông tin cá nhân",
        "Giao vai trò này",
        "Chỉ giáo viên của trường mới vào được tổ chuyên môn",
        "Cha mẹ và người giám hộ",
        "Liên kết phụ huynh",
        "Đính chính mã định danh",
        "Lịch sử thay đổi",
    ):
        assert label in detail, label
    teacher = _text(client.get(_person(people.school, people.teacher)))
    assert "Thêm vào tổ" in teacher and "Đặt làm tổ trưởng" in teacher and "Rút khỏi tổ" in teacher
    groups = _text(client.get(f"{_list(people.school)}to-chuyen-mon/"))
    for label in ("Thêm tổ chuyên môn", "Tổ trưởng", "Số thành viên"):
        assert label in groups, label
    for english in ("Add a person", "Roles at this school", "Personal details"):
        assert english not in listing + detail, english


def test_english_interface_is_available(client, people):
    client.cookies["django_language"] = "en"
    client.force_login(people.school_admin)
    assert "Add a person" in _text(client.get(_list(people.school)))
