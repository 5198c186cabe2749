"""Account views: login, logout, password change and reset, the account page with API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lms.schools import selectors, services
from lms.schools.forms import ApiTokenForm, LoginForm, PasswordResetForm
from lms.schools.roles import STAFF_ROLES


class LoginView(auth_views.LoginView):
    template_name = "schools/login.html"
    authentication_form = LoginForm

    def dispatch(self, request, *args, **kwargs):
        # A logged-in person without ?next goes to their account. With ?next they were sent here because that page
        # refused them (a student opening the admin): show the form and say so, instead of redirecting in a loop.
        if request.user.is_authenticated and not request.GET.get(self.redirect_field_name):
            return redirect(self.get_default_redirect_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["refused"] = self.request.user.is_authenticated
        return context


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "schools/password_change.html"
    success_url = reverse_lazy("schools:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "schools/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "schools/password_reset.html"
    form_class = PasswordResetForm
    email_template_name = "schools/email/password_reset.txt"
    subject_template_name = "schools/email/password_reset_subject.txt"
    success_url = reverse_lazy("schools:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "schools/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "schools/password_reset_confirm.html"
    success_url = reverse_lazy("schools:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "schools/password_reset_complete.html"


@login_required
def account(request):
    roles = selectors.get_roles(request.user)
    context = {
        "summary": selectors.get_account_summary(request.user),
        "is_staff_member": bool(roles & STAFF_ROLES) or request.user.is_superuser,
        "tokens": selectors.get_active_api_tokens(request.user),
        "token_form": ApiTokenForm(),
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "schools/account.html", context)


@login_required
@require_POST
def create_token(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, raw = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
        # Shown once on the next page, then gone: only its digest is stored.
        request.session["new_api_token"] = raw
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("schools:account")


@login_required
@require_POST
def revoke_token(request, token_id: int):
    services.revoke_api_token(user=request.user, token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("schools:account")
