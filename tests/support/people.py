"""Fixtures for a school with one person in every role, built through the schools API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from lms.schools import api as schools_api
from lms.schools.api import LeadershipPosition, Relationship, Role
from tests.support.factories import SchoolFactory, UserFactory

PASSWORD = "matkhau-thu-nghiem"
_identifiers = itertools.count(1)


@dataclass
class SchoolPeople:
    school: object
    group: object
    school_admin: object
    principal: object
    group_head: object
    teacher: object
    student: object
    parent: object


def make_school_people(prefix: str = "") -> SchoolPeople:
    school = SchoolFactory()
    group = schools_api.create_subject_group(
        school=school, name="Tổ Toán – Tin", code="toan-tin", subjects=["toan", "tin-hoc"]
    )

    def person(name, *roles, **kwargs):
        user = UserFactory(username=f"{prefix}{name}", **kwargs)
        for role in roles:
            schools_api.assign_role(user=user, school=school, role=role)
        return user

    school_admin = person("quantri", Role.SCHOOL_ADMIN)
    principal = UserFactory(username=f"{prefix}hieutruong")
    schools_api.assign_role(user=principal, school=school, role=Role.LEADERSHIP, position=LeadershipPosition.PRINCIPAL)
    group_head = person("totruong", Role.TEACHER)
    schools_api.add_group_member(group=group, user=group_head, is_head=True)
    teacher = person("giaovien", Role.TEACHER)
    schools_api.add_group_member(group=group, user=teacher)
    student = person("hocsinh", Role.STUDENT, ma_dinh_danh=f"0100{next(_identifiers):06d}")
    parent = person("phuhuynh")
    schools_api.link_parent(parent=parent, student=student, relationship=Relationship.MOTHER)
    return SchoolPeople(school, group, school_admin, principal, group_head, teacher, student, parent)


@pytest.fixture
def people(db) -> SchoolPeople:
    return make_school_people()
