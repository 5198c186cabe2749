from django.urls import path

from lms.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.bank_list, name="banks"),
    path("kho/<int:pk>/", views.bank_detail, name="bank"),
    path("kho/<int:pk>/them/", views.question_new, name="question_new"),
    path("kho/<int:pk>/hinh/", views.upload_picture, name="upload_picture"),
    path("kho/<int:pk>/nhap/", views.import_start, name="import"),
    path("kho/<int:pk>/xuat/", views.export, name="export"),
    path("cau-hoi/<int:pk>/", views.question_detail, name="question"),
    path("cau-hoi/<int:pk>/sua/", views.question_edit, name="question_edit"),
    path("cau-hoi/<int:pk>/thao-tac/", views.question_action, name="question_action"),
    path("nhap/<int:pk>/luu/", views.import_confirm, name="import_confirm"),
    path("nhap/<int:pk>/xem/", views.import_preview, name="import_preview"),
    path("nhap/<int:pk>/", views.import_job, name="import_job"),
]
