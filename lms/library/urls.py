from django.urls import path, re_path

from lms.library import views

app_name = "library"

urlpatterns = [
    path("<uuid:reference>/", views.item_page, name="item_page"),
    path("choi/<str:token>/", views.player, name="player"),
    re_path(r"^choi/(?P<token>[^/]+)/tep/(?P<path>.+)$", views.package_file, name="package_file"),
    re_path(
        r"^choi/(?P<token>[^/]+)/thu-vien-h5p/(?P<key>[^/]+)/(?P<path>.+)$",
        views.h5p_library_file,
        name="h5p_library_file",
    ),
    path("scorm/<uuid:reference>/", views.scorm_player, name="scorm_player"),
    path("tai-lieu/<uuid:reference>/", views.document_page, name="document_page"),
    path("tai-lieu/<uuid:reference>/tep/", views.document, name="document"),
    path("api/<uuid:reference>/xapi/", views.xapi_statements, name="xapi"),
    path("api/<uuid:reference>/h5p-state/", views.h5p_user_data, name="h5p_state"),
    path("api/<uuid:reference>/scorm/<str:sco>/commit/", views.scorm_commit, name="scorm_commit"),
]
