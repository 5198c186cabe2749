"""Replace Wagtail's "Welcome" page with the site's home page and point the default site at it.

Data only; the home page's Vietnamese text is set by ``seed_demo`` or by the school in the admin.
"""

from django.db import migrations


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("content.HomePage")

    # Wagtail's initial migration creates a placeholder at /home/ (depth 2); remove it if it is still the default.
    Page.objects.filter(depth=2, slug="home", content_type__app_label="wagtailcore", content_type__model="page").delete()
    if HomePage.objects.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="content")
    home = HomePage.objects.create(
        title="Trang chủ",
        draft_title="Trang chủ",
        slug="trang-chu",
        content_type=content_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/trang-chu/",
        locale_id=Page.objects.get(depth=1).locale_id,
        intro="Kho học liệu và lớp học trực tuyến của nhà trường.",
    )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page_id": home.id,
                                        "site_name": "Kho học liệu"},
    )


def remove_home_page(apps, schema_editor):
    apps.get_model("content.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0001_home_page"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
