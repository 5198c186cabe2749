from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.api import api
from lib.views import healthz, switch_language

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("tai-khoan/", include("lms.schools.urls")),
    path("bai-giang/", include("content.urls")),
    path("lop-hoc/", include("lms.courses.urls")),
    path("so-diem/", include("lms.gradebook.urls")),
    path("tim-kiem/", include("search.urls")),
    path("ngan-hang-cau-hoi/", include("lms.assessments.urls")),
    path("thu-vien/", include("lms.library.urls")),
    path("du-lieu-ca-nhan/", include("lms.privacy.urls")),
    path("kiem-tra/", include("lms.exams.urls")),
    path("ngon-ngu/<str:code>/", switch_language, name="switch_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # One login page for the site and the admin (Vietnamese, throttled): the admin's own redirects there.
    path("admin/login/", RedirectView.as_view(url=reverse_lazy("schools:login"), query_string=True)),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving comes last: it catches every other path.
urlpatterns += [path("", include(wagtail_urls))]
