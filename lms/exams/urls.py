from django.urls import path

from lms.exams import views

app_name = "exams"

urlpatterns = [
    path("", views.home, name="home"),
    path("de/<int:pk>/", views.test_detail, name="test"),
    path("ky/<int:pk>/", views.lobby, name="lobby"),
    path("ky/<int:pk>/giam-thi/", views.invigilate, name="invigilate"),
    path("ky/<int:pk>/them-gio/<int:attempt_pk>/", views.extra_time, name="extra_time"),
    path("ky/<int:pk>/bao-cao/", views.report, name="report"),
    path("ky/<int:pk>/phan-tich/", views.analysis, name="analysis"),
    path("bai-lam/<int:pk>/", views.attempt_page, name="attempt"),
    path("bai-lam/<int:pk>/luu/", views.save, name="save"),
    path("bai-lam/<int:pk>/nop/", views.submit, name="submit"),
    path("bai-lam/<int:pk>/ket-qua/", views.result, name="result"),
]

# Practice mode (practice_views.py): published practice sets, immediate feedback, unlimited retries.
from lms.exams import practice_views  # noqa: E402

urlpatterns += [
    path("luyen-tap/", practice_views.index, name="practice"),
    path("luyen-tap/moi/", practice_views.create, name="practice_create"),
    path("luyen-tap/<int:pk>/", practice_views.detail, name="practice_set"),
    path("luyen-tap/<int:pk>/xuat-ban/", practice_views.publish, name="practice_publish"),
    path("luyen-tap/<int:pk>/bat-dau/", practice_views.start, name="practice_start"),
    path("luyen-tap/lam/<int:pk>/", practice_views.attempt, name="practice_attempt"),
]
