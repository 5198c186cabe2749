"""Forms for logging in, resetting passwords and managing API tokens."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.template import loader
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.email import send_email_on_commit
from lms.schools import throttle


class LoginForm(auth_forms.AuthenticationForm):
    username = auth_forms.UsernameField(
        label=_("Username"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    error_messages = {
        **auth_forms.AuthenticationForm.error_messages,
        "invalid_login": _("The username or password is not correct. Check them and try again."),
        "inactive": _("This account has been disabled. Contact your school's administrator."),
    }

    def clean(self):
        lockout = throttle.get_lockout(self.data.get("username"), self.request)
        if lockout:
            raise forms.ValidationError(
                ngettext(
                    "Too many failed attempts. Try again in %(minutes)d minute, or reset your password.",
                    "Too many failed attempts. Try again in %(minutes)d minutes, or reset your password.",
                    lockout.minutes_left,
                )
                % {"minutes": lockout.minutes_left},
                code="locked_out",
            )
        return super().clean()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Sends the reset e-mail through Celery after the request's transaction commits."""

    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        send_email_on_commit(to=[to_email], subject=subject, body=body, html_body=html, from_email=from_email)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What the token is for, e.g. “Import script”.")
    )
