from django.urls import path

from lms.exams import authoring_views, delivery_views, views

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
    path("bai-lam/<int:pk>/bat-dau/", views.begin, name="begin"),
    path("bai-lam/<int:pk>/nop/", views.submit, name="submit"),
    path("bai-lam/<int:pk>/ket-qua/", views.result, name="result"),
    path("bai-lam/<int:pk>/tiep-tuc/", views.take_over, name="take_over"),
    path("ky/<int:pk>/bat-kha-khang/", delivery_views.force_majeure, name="force_majeure"),
    path("ky/<int:pk>/doi-gio/", delivery_views.move, name="move"),
    path("ky/<int:pk>/cham-tu-luan/", delivery_views.marking, name="marking"),
    path("de/<int:pk>/cham-lai/", delivery_views.regrade, name="regrade"),
    path(  # before variant_file, whose <code> would take "101-giao-vien"
        "de/<int:pk>/in/<str:code>-giao-vien.docx",
        delivery_views.variant_file,
        {"fmt": "docx", "teachers": True},
        name="variant_teachers_docx",
    ),
    path("de/<int:pk>/in/<str:code>.<str:fmt>", delivery_views.variant_file, name="variant_file"),
    path("de/<int:pk>/xep-lich/", delivery_views.schedule, name="schedule"),
    # authoring: blueprints (ma trận / bản đặc tả) and tests
    path("ma-tran/", authoring_views.blueprint_list, name="blueprints"),
    path("ma-tran/moi/", authoring_views.blueprint_create, name="blueprint_create"),
    path("ma-tran/<int:pk>/", authoring_views.blueprint_detail, name="blueprint"),
    path("ma-tran/<int:pk>/sua/", authoring_views.blueprint_edit, name="blueprint_edit"),
    path("ma-tran/<int:pk>/tai/<slug:kind>.xlsx", authoring_views.blueprint_download, name="blueprint_xlsx"),
    path("ma-tran/<int:pk>/tao-de/", authoring_views.blueprint_generate, name="blueprint_generate"),
    path("ma-tran/<int:pk>/doi-chieu/", authoring_views.blueprint_check, name="blueprint_check"),
    path("de/moi/", authoring_views.test_create, name="test_create"),
    path("de/<int:pk>/soan/", authoring_views.test_edit, name="test_edit"),
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
    path("luyen-tap/lam/<int:pk>/cau/<int:number>/", practice_views.question, name="practice_question"),
    path("luyen-tap/lam/<int:pk>/ket-qua/", practice_views.summary, name="practice_summary"),
]
