"""The admin's people area ("Nhân sự", /admin/nhan-su/): a school's people, their roles and its subject groups.

Who sees what, per school (a permission from the person's role groups AND a role at that very school):

* ``schools.manage_people`` and school administrator there: everything, and may change it;
* ``schools.view_people`` and leadership (BGH) there: read-only, with identifiers and the audit history;
* ``schools.view_people`` and a subject group head there: read-only, without identifiers;
* superusers: every school, as administrators.

Another school's pages are "not found"; someone with no such school at all is refused. Every change goes through
``services``; these views only check access, validate forms and show the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from lms.schools import selectors, services
from lms.schools.admin_forms import (
    AssignRoleForm,
    CorrectIdentifierForm,
    ExamNetworksForm,
    GroupChoiceForm,
    GroupMemberForm,
    LinkParentForm,
    PeopleFilterForm,
    PersonCreateForm,
    ReviewStepsForm,
    RevokeRoleForm,
    SchoolChoiceForm,
    SubjectGroupForm,
)
from lms.schools.models import School
from lms.schools.roles import LeadershipPosition, Role

MANAGE_PERMISSION = "schools.manage_people"
VIEW_PERMISSION = "schools.view_people"
PER_PAGE = 50


# --------------------------------------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SchoolAccess:
    school: School
    can_manage: bool
    can_see_identifiers: bool


def get_people_access(request) -> dict[str, SchoolAccess]:
    """The schools whose people the request's user may see, by school code (computed once per request)."""
    cached = getattr(request, "_schools_people_access", None)
    if cached is not None:
        return cached
    user = request.user
    access: dict[str, SchoolAccess] = {}
    if getattr(user, "is_authenticated", False) and user.is_active:
        if user.is_superuser:
            for school in selectors.get_all_schools():
                access[school.code] = SchoolAccess(school, can_manage=True, can_see_identifiers=True)
        else:
            may_manage, may_view = user.has_perm(MANAGE_PERMISSION), user.has_perm(VIEW_PERMISSION)
            if may_manage or may_view:
                by_school = selectors.get_roles_by_school(user)
                for school in sorted(by_school, key=lambda s: s.name):
                    roles = by_school[school]
                    manages = may_manage and Role.SCHOOL_ADMIN in roles
                    leads = may_view and Role.LEADERSHIP in roles
                    heads = may_view and Role.GROUP_HEAD in roles
                    if manages or leads or heads:
                        access[school.code] = SchoolAccess(school, manages, manages or leads)
    request._schools_people_access = access
    return access


def _add_service_errors(form, error: ValidationError) -> None:
    """Put a service's validation error on the form: on its field when the form has one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            messages_ = [message for item in errors for message in item.messages]
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


class PeopleAreaMixin(WagtailAdminTemplateMixin):
    header_icon = "group"
    manage_only = False

    def dispatch(self, request, *args, **kwargs):
        # Wagtail would turn PermissionDenied into a redirect to the dashboard; a refusal here is a real 403.
        try:
            self.check_access()
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return TemplateResponse(
                request,
                "schools/admin/forbidden.html",
                {"header_title": _("Access denied"), "page_title": _("Access denied")},
                status=403,
            )

    def check_access(self) -> None:
        self.people_access = get_people_access(self.request)
        if not self.people_access:
            raise PermissionDenied

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("schools_people:index"), "label": _("People")}]


class SchoolMixin(PeopleAreaMixin):
    """A view of one school's people; the school comes from the URL and must be one of the user's."""

    def check_access(self) -> None:
        super().check_access()
        self.access = self.people_access.get(self.kwargs["school_code"])
        if self.access is None:
            raise Http404
        if self.manage_only and not self.access.can_manage:
            raise PermissionDenied
        self.school = self.access.school

    def school_url(self, name: str, *args) -> str:
        return reverse(f"schools_people:{name}", args=[self.school.code, *args])

    def get_page_subtitle(self):
        return self.school.name

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": self.school_url("list"), "label": self.school.name}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            school=self.school,
            can_manage=self.access.can_manage,
            show_identifier=self.access.can_see_identifiers,
            other_schools=len(self.people_access) > 1,
        )
        return context


class PersonMixin(SchoolMixin):
    def check_access(self) -> None:
        super().check_access()
        try:
            self.person = selectors.get_school_person(self.school, self.kwargs["pk"])
        except ObjectDoesNotExist:
            raise Http404 from None

    def person_url(self) -> str:
        return self.school_url("person", self.person.pk)

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.person.get_full_name()}]


# --------------------------------------------------------------------------------------------------------------------
# Schools and the people list
# --------------------------------------------------------------------------------------------------------------------
class PeopleIndexView(PeopleAreaMixin, TemplateView):
    """Straight to the school's list when the user has one school (or picked one); else a choice of schools."""

    template_name = "schools/admin/school_choice.html"
    page_title = _("People")

    def get(self, request, *args, **kwargs):
        chosen = request.GET.get("school")
        if chosen in self.people_access:
            return redirect("schools_people:list", chosen)
        if len(self.people_access) == 1:
            return redirect("schools_people:list", next(iter(self.people_access)))
        return super().get(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": _("People")}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["accesses"] = list(self.people_access.values())
        return context


class PeopleListView(SchoolMixin, TemplateView):
    template_name = "schools/admin/people_list.html"
    page_title = _("People")

    def get_header_buttons(self):
        buttons = [
            HeaderButton(_("Subject groups"), url=self.school_url("groups"), icon_name="group", priority=20),
        ]
        if self.access.can_manage:
            buttons.insert(
                0, HeaderButton(_("Add a person"), url=self.school_url("add"), icon_name="plus", priority=10)
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeopleFilterForm(self.request.GET, school=self.school)
        form.is_valid()  # an invalid filter (e.g. another school's group) is dropped and shown as an error
        filters = form.cleaned_data
        ids = selectors.find_people(
            self.school,
            role=filters.get("role") or None,
            group=filters.get("group"),
            query=filters.get("q") or "",
            include_identifier=self.access.can_see_identifiers,
        )
        paginator = WagtailPaginator(ids, PER_PAGE)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            filter_form=form,
            is_filtered=any(filters.get(name) for name in ("q", "role", "group")),
            people=selectors.get_people_details(self.school, list(page.object_list)),
            items=page,
            elided_page_range=paginator.get_elided_page_range(page.number),
            list_url=self.request.path,
        )
        if len(self.people_access) > 1:
            context["school_form"] = SchoolChoiceForm(
                initial={"school": self.school.code},
                schools=[access.school for access in self.people_access.values()],
            )
        return context


# --------------------------------------------------------------------------------------------------------------------
# Adding a person
# --------------------------------------------------------------------------------------------------------------------
class PersonCreateView(SchoolMixin, FormView):
    template_name = "schools/admin/person_create.html"
    form_class = PersonCreateForm
    manage_only = True
    page_title = _("Add a person")

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": _("Add a person")}]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.school}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.school_url("add"),
            submit_button_label=_("Add the person"),
            submit_button_active_label=_("Adding…"),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            person = services.create_person_at_school(
                school=self.school,
                roles=data["roles"],
                position=data.get("position") or "",
                actor=self.request.user,
                username=data["username"],
                last_name=data["last_name"].strip(),
                first_name=data["first_name"].strip(),
                email=data.get("email") or "",
                password=data.get("password1") or None,
                ma_dinh_danh=data.get("ma_dinh_danh"),
                date_of_birth=data.get("date_of_birth"),
                gender=data.get("gender") or "",
            )
        except ValidationError as error:
            _add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, gettext("%(name)s was added to %(school)s.") % {"name": person, "school": self.school}
        )
        if not data.get("password1"):
            messages.info(
                self.request,
                gettext(
                    "%(name)s has no password yet: ask them to use “Forgot your password?” on the login page "
                    "with the e-mail address %(email)s."
                )
                % {"name": person, "email": person.email},
            )
        return redirect("schools_people:person", self.school.code, person.pk)


# --------------------------------------------------------------------------------------------------------------------
# A person's roles, groups, parents and identifier
# --------------------------------------------------------------------------------------------------------------------
class PersonDetailView(PersonMixin, TemplateView):
    template_name = "schools/admin/person_detail.html"

    def get_page_title(self):
        return self.person.get_full_name()

    def get_page_subtitle(self):
        return ""

    @cached_property
    def person_roles(self) -> list:
        return selectors.get_school_roles_of(self.person, self.school)

    def is_student_here(self) -> bool:
        return any(assignment.role == Role.STUDENT for assignment in self.person_roles)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        roles = self.person_roles
        is_student = self.is_student_here()
        is_parent = any(assignment.role == Role.PARENT for assignment in roles)
        is_teacher = any(assignment.role == Role.TEACHER for assignment in roles)
        context.update(
            person=self.person,
            roles=roles,
            memberships=list(selectors.get_school_memberships_of(self.person, self.school)),
            is_student=is_student,
            is_teacher=is_teacher,
            guardians=list(selectors.get_guardians(self.person)) if is_student else [],
            children=list(selectors.get_children_at_school(self.person, self.school)) if is_parent else [],
            is_self=self.person.pk == self.request.user.pk,
        )
        if self.access.can_see_identifiers:
            context["history"] = _history_rows(selectors.get_person_history(self.person, self.school), self.school)
        if self.access.can_manage:
            context.setdefault("assign_form", AssignRoleForm())
            context.setdefault("member_form", GroupMemberForm(school=self.school))
            context.setdefault("identifier_form", CorrectIdentifierForm(person=self.person))
            if is_student:
                context.setdefault("parent_form", LinkParentForm(school=self.school, student=self.person))
            # Only teachers join groups; a refused attempt is shown with its error all the same.
            context["show_member_form"] = is_teacher or context["member_form"].is_bound
        return context


class PersonActionView(PersonDetailView):
    """A change to a person, posted from their page. Valid: done through a service, then back to the page. Invalid:
    the page again with the form's errors (``context_name``), or with the errors as messages for one-button forms."""

    http_method_names = ["post"]
    manage_only = True
    form_class = None
    context_name: str | None = None

    def get_form_kwargs(self) -> dict:
        return {}

    def perform(self, form) -> str:
        raise NotImplementedError

    def get_success_url(self) -> str:
        return self.person_url()

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, **self.get_form_kwargs())
        if form.is_valid():
            try:
                message = self.perform(form)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, message)
                return redirect(self.get_success_url())
        if self.context_name:
            return self.render_to_response(self.get_context_data(**{self.context_name: form}))
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(self.person_url())


class AssignRoleView(PersonActionView):
    form_class = AssignRoleForm
    context_name = "assign_form"

    def perform(self, form) -> str:
        role = Role(form.cleaned_data["role"])
        services.assign_role(
            user=self.person,
            school=self.school,
            role=role,
            position=form.cleaned_data.get("position") or "",
            actor=self.request.user,
        )
        return gettext("%(name)s now has the role %(role)s.") % {"name": self.person, "role": role.label}


class RevokeRoleView(PersonActionView):
    form_class = RevokeRoleForm

    def get_form_kwargs(self) -> dict:
        return {"actor": self.request.user, "person": self.person}

    def perform(self, form) -> str:
        role = Role(form.cleaned_data["role"])
        services.revoke_role(user=self.person, school=self.school, role=role, actor=self.request.user)
        message = gettext("%(name)s no longer has the role %(role)s.") % {"name": self.person, "role": role.label}
        if not selectors.get_school_roles_of(self.person, self.school):
            self.left_school = True
            message += " " + gettext("They have no role at this school any more, so they are no longer listed.")
        return message

    def get_success_url(self) -> str:
        return self.school_url("list") if getattr(self, "left_school", False) else self.person_url()


class AddToGroupView(PersonActionView):
    form_class = GroupMemberForm
    context_name = "member_form"

    def get_form_kwargs(self) -> dict:
        return {"school": self.school}

    def perform(self, form) -> str:
        group, is_head = form.cleaned_data["group"], form.cleaned_data["is_head"]
        services.add_group_member(group=group, user=self.person, is_head=is_head, actor=self.request.user)
        if is_head:
            return gettext("%(name)s is now the head of %(group)s.") % {"name": self.person, "group": group}
        return gettext("%(name)s is now a member of %(group)s.") % {"name": self.person, "group": group}


class MakeGroupHeadView(PersonActionView):
    form_class = GroupChoiceForm

    def get_form_kwargs(self) -> dict:
        return {"school": self.school}

    def perform(self, form) -> str:
        group = form.cleaned_data["group"]
        services.add_group_member(group=group, user=self.person, is_head=True, actor=self.request.user)
        return gettext("%(name)s is now the head of %(group)s.") % {"name": self.person, "group": group}


class RemoveFromGroupView(PersonActionView):
    form_class = GroupChoiceForm

    def get_form_kwargs(self) -> dict:
        return {"school": self.school}

    def perform(self, form) -> str:
        group = form.cleaned_data["group"]
        services.remove_group_member(group=group, user=self.person)
        return gettext("%(name)s has left %(group)s.") % {"name": self.person, "group": group}


class LinkParentView(PersonActionView):
    form_class = LinkParentForm
    context_name = "parent_form"

    def get_form_kwargs(self) -> dict:
        return {"school": self.school, "student": self.person}

    def post(self, request, *args, **kwargs):
        if not self.is_student_here():
            messages.error(request, gettext("Only a student of this school can have parents linked."))
            return redirect(self.person_url())
        return super().post(request, *args, **kwargs)

    def perform(self, form) -> str:
        data = form.cleaned_data
        services.link_parent(
            parent=form.parent,
            student=self.person,
            relationship=data["relationship"],
            is_legal_representative=data["is_legal_representative"],
        )
        return gettext("%(parent)s is now linked to %(student)s as %(relationship)s.") % {
            "parent": form.parent,
            "student": self.person,
            "relationship": dict(form.fields["relationship"].choices)[data["relationship"]],
        }


class CorrectIdentifierView(PersonActionView):
    form_class = CorrectIdentifierForm
    context_name = "identifier_form"

    def get_form_kwargs(self) -> dict:
        return {"person": self.person}

    def perform(self, form) -> str:
        services.correct_identifier(
            actor=self.request.user,
            user=self.person,
            ma_dinh_danh=form.cleaned_data["ma_dinh_danh"],
            reason=form.cleaned_data["reason"],
        )
        return gettext("The sector identifier of %(name)s was corrected. The correction is recorded.") % {
            "name": self.person
        }


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _history_rows(entries, school: School) -> list[dict]:
    group_names = {group.code: group.name for group in selectors.get_subject_groups(school)}
    rows = []
    for entry in entries:
        data = entry.data or {}
        if entry.action == "schools.identifier_corrected":
            detail = gettext("%(old)s → %(new)s. Reason: %(reason)s") % {
                "old": data.get("old") or "—",
                "new": data.get("new") or "—",
                "reason": data.get("reason") or "—",
            }
        elif data.get("role"):
            detail = _label(Role, data["role"])
            if data.get("position"):
                detail = f"{detail} ({_label(LeadershipPosition, data['position'])})"
        elif data.get("group"):
            detail = group_names.get(data["group"], data["group"])
        else:
            detail = ""
        rows.append(
            {"timestamp": entry.timestamp, "actor": entry.user_display_name, "message": entry.message, "detail": detail}
        )
    return rows


# --------------------------------------------------------------------------------------------------------------------
# Subject groups
# --------------------------------------------------------------------------------------------------------------------
class SubjectGroupListView(SchoolMixin, TemplateView):
    template_name = "schools/admin/group_list.html"
    page_title = _("Subject groups")

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": _("Subject groups")}]

    def get_header_buttons(self):
        review = HeaderButton(_("Lesson review"), url=self.school_url("review_steps"), icon_name="tasks")
        networks = HeaderButton(_("Networks for tests"), url=self.school_url("exam_networks"), icon_name="site")
        if not self.access.can_manage:
            return [review, networks]
        return [
            HeaderButton(_("Add a subject group"), url=self.school_url("add_group"), icon_name="plus"),
            review,
            networks,
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = selectors.get_subject_groups_overview(self.school)
        context["list_url"] = self.school_url("list")
        return context


class SubjectGroupCreateView(SchoolMixin, FormView):
    template_name = "schools/admin/group_create.html"
    form_class = SubjectGroupForm
    manage_only = True
    page_title = _("Add a subject group")

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return [
            *super().get_breadcrumbs_items(),
            {"url": self.school_url("groups"), "label": _("Subject groups")},
            {"url": "", "label": _("Add a subject group")},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "school": self.school}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.school_url("add_group"),
            submit_button_label=_("Add the group"),
            submit_button_active_label=_("Adding…"),
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            group = services.create_subject_group(
                school=self.school, name=data["name"], code=data["code"], subjects=data.get("subjects") or ()
            )
        except ValidationError as error:
            _add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The subject group %(group)s was added.") % {"group": group})
        return redirect("schools_people:groups", self.school.code)


class ReviewStepsView(SchoolMixin, FormView):
    """The school administrator chooses one or two review steps for the school's lessons; others may look."""

    template_name = "schools/admin/review_steps.html"
    form_class = ReviewStepsForm
    page_title = _("Lesson review")

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": _("Lesson review")}]

    def get_initial(self):
        return {"principal_approval_required": "1" if self.school.principal_approval_required else "0"}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.school_url("review_steps"),
            submit_button_label=_("Save"),
            submit_button_active_label=_("Saving…"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.access.can_manage:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        required = form.cleaned_data["principal_approval_required"]
        services.set_principal_approval(actor=self.request.user, school=self.school, required=required)
        if required:
            message = gettext("Lessons of %(school)s are now approved by the subject-group head, then the principal.")
        else:
            message = gettext("Lessons of %(school)s are now approved by the subject-group head alone.")
        messages.success(self.request, message % {"school": self.school.name})
        return redirect("schools_people:review_steps", self.school.code)


class ExamNetworksView(SchoolMixin, FormView):
    """The school administrator sets the school's networks, from which mid-term and end-of-term computer-based tests
    are taken (TT 09/2021 Art. 6); others may look."""

    template_name = "schools/admin/exam_networks.html"
    form_class = ExamNetworksForm
    page_title = _("Networks for tests")

    def get_breadcrumbs_items(self):
        return [*super().get_breadcrumbs_items(), {"url": "", "label": _("Networks for tests")}]

    def get_initial(self):
        return {"exam_networks": self.school.exam_networks}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action_url=self.school_url("exam_networks"),
            submit_button_label=_("Save"),
            submit_button_active_label=_("Saving…"),
            networks=services.get_exam_networks(self.school),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not self.access.can_manage:
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.set_exam_networks(
                actor=self.request.user, school=self.school, networks=form.cleaned_data["exam_networks"]
            )
        except ValidationError as error:
            form.add_error("exam_networks", error.messages)
            return self.form_invalid(form)
        messages.success(self.request, gettext("The networks of %(school)s are saved.") % {"school": self.school.name})
        return redirect("schools_people:exam_networks", self.school.code)
