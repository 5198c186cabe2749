"""REST API v1 for schools and people (mounted by config.api under /api/v1/)."""

from __future__ import annotations

from ninja import Router, Schema

from lms.schools import selectors

router = Router(tags=["people"])


class SchoolOut(Schema):
    code: str
    name: str
    level: str


class RoleAtSchool(Schema):
    school: SchoolOut
    roles: list[str]
    position: str | None = None
    subject_groups: list[str]


class MeOut(Schema):
    username: str
    full_name: str
    email: str
    ma_dinh_danh: str | None
    schools: list[RoleAtSchool]


@router.get("/me", response=MeOut, summary="The authenticated person, with their roles at each school")
def me(request):
    user = request.user
    schools = []
    for entry in selectors.get_account_summary(user):
        school = entry["school"]
        roles = sorted(
            {a.role for a in entry["roles"]} | ({"group_head"} if any(m.is_head for m in entry["groups"]) else set())
        )
        position = next((a.position for a in entry["roles"] if a.position), None)
        schools.append(
            {
                "school": {"code": school.code, "name": school.name, "level": school.level},
                "roles": roles,
                "position": position,
                "subject_groups": [m.group.name for m in entry["groups"]],
            }
        )
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "email": user.email,
        "ma_dinh_danh": user.ma_dinh_danh,
        "schools": schools,
    }


@router.get("/schools", response=list[SchoolOut], summary="Schools where the authenticated person has a role")
def my_schools(request):
    return list(selectors.get_schools_for_user(request.user))
