"""Who a user is to the index: the set of principals whose documents they may find.

Every document carries an access list (see ``search.sources``); a user finds a document when the two share a
principal. The rules mirror ``content.api.can_view_lesson`` for published lessons (tests/search/test_permissions.py
checks them against it for every role and sharing scope):

- everyone, also without logging in: ``public``;
- a person with any role at a school: ``school:<id>`` and ``org:<id of its education authority>``;
- a member of a subject group: ``group:<id>`` (the group's items under review);
- the school's leadership (BGH: principal and vice-principals, ``Role.LEADERSHIP``): ``leaders:<school id>``,
  ``leaders-org:<id of its education authority>`` and ``leaders-all`` — staff material meant for a school's staff
  (the question bank's ready questions and its questions under review, which the bank shows to the people of its
  school), since a principal usually belongs to no subject group;
- the person themselves: ``user:<id>`` (their own drafts, items they are reviewing);
- a superuser: ``*`` (everything).
"""

from __future__ import annotations

from search.query import ALL

PUBLIC = "public"
LEADERS_ALL = "leaders-all"  # the leadership of every school


def principals_for(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset({PUBLIC})
    if user.is_superuser:
        return frozenset({ALL})
    cached = getattr(user, "_search_principals", None)
    if cached is not None:
        return cached
    from lms.schools.api import Role, get_groups_of, get_roles_by_school

    principals = {PUBLIC, f"user:{user.pk}"}
    for school, roles in get_roles_by_school(user).items():
        principals.add(f"school:{school.pk}")
        if school.organisation_id:
            principals.add(f"org:{school.organisation_id}")
        if Role.LEADERSHIP in roles:
            principals.update({leaders(school.pk), LEADERS_ALL})
            if school.organisation_id:
                principals.add(leaders_of_organisation(school.organisation_id))
    principals.update(f"group:{group_id}" for group_id in get_groups_of(user).values_list("id", flat=True))
    user._search_principals = frozenset(principals)
    return user._search_principals


def school(school_id) -> str:
    return f"school:{school_id}"


def organisation(organisation_id) -> str:
    return f"org:{organisation_id}"


def group(group_id) -> str:
    return f"group:{group_id}"


def person(user_id) -> str:
    return f"user:{user_id}"


def leaders(school_id) -> str:
    """The leadership (BGH) of one school."""
    return f"leaders:{school_id}"


def leaders_of_organisation(organisation_id) -> str:
    """The leadership of every school of one education authority."""
    return f"leaders-org:{organisation_id}"
