"""``manage.py seed_demo``: create (or complete) the demo school and print the logins."""

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Create a realistic Vietnamese demo school (idempotent) and print its logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site",
            default="http://127.0.0.1:8000",
            help="the address the site will be served at (printed with the logins)",
        )

    def handle(self, *args, **options):
        result = seed()
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo data ready ({result.created} new accounts, {result.lessons_created} new lessons)."
            )
        )
        out.write("")
        out.write(f"Every demo account has the password: {DEMO_PASSWORD}")
        out.write("")
        width = max(len(login.username) for login in result.logins)
        out.write(f"  {'Tên đăng nhập'.ljust(width)}  Vai trò / người dùng")
        for login in result.logins:
            out.write(f"  {login.username.ljust(width)}  {login.role} – {login.name}")
        out.write("")
        out.write(
            "  Also: hs10a1.01 … hs10a1.30, hs10a2.01 … hs10a2.30 (students) and ph10a1.01 … ph10a2.30 (their parents)."
        )
        site = options["site"].rstrip("/")
        out.write(f"  Site: {site}/   Admin: {site}/admin/   Login: {site}/tai-khoan/dang-nhap/")
