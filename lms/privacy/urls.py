from django.urls import path

from lms.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.home, name="home"),
    path("dong-y/cua-toi/", views.own_consents, name="own_consents"),
    path("yeu-cau/tep/<uuid:token>/", views.delivery_download, name="delivery"),
    path("dong-y/con/<int:student_id>/", views.child_consents, name="child_consents"),
    path("trung-bay/tep/<uuid:uuid>/", views.publication_file, name="publication_file"),
    path("truong/<str:school_code>/trung-bay/", views.showcase, name="showcase"),
    path("truong/<str:school_code>/dang-bai/", views.publish, name="publish"),
    path("truong/<str:school_code>/yeu-cau/", views.inbox, name="inbox"),
    path("truong/<str:school_code>/yeu-cau/<int:request_id>/", views.request_detail, name="request"),
    path("truong/<str:school_code>/hoc-sinh/", views.students, name="students"),
    path("truong/<str:school_code>/hoc-sinh/<int:student_id>/dong-y-giay/", views.paper_consent, name="paper_consent"),
    path("truong/<str:school_code>/hoc-sinh/<int:student_id>/so-dinh-danh/", views.personal_id, name="personal_id"),
    path("truong/<str:school_code>/hoc-sinh/<int:student_id>/du-lieu.zip", views.export, name="export"),
    path("truong/<str:school_code>/tu-choi-truy-cap/", views.refusals, name="refusals"),
    path("truong/<str:school_code>/nhat-ky-hanh-vi/", views.behaviour, name="behaviour"),
    path("truong/<str:school_code>/su-co/", views.incidents, name="incidents"),
    path(
        "truong/<str:school_code>/su-co/<int:incident_id>/da-thong-bao/",
        views.incident_notified,
        name="incident_notified",
    ),
    path("truong/<str:school_code>/su-co/<int:incident_id>/bao-cao.txt", views.incident_report, name="incident_report"),
]
