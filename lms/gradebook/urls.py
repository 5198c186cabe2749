from django.urls import path

from lms.gradebook import views

app_name = "gradebook"

urlpatterns = [
    path("", views.home, name="home"),
    path("lop/<int:class_id>/mon/<slug:subject_code>/hk<int:semester>/", views.open_book, name="open"),
    path("<int:gradebook_id>/", views.book, name="book"),
    path("<int:gradebook_id>/them-cot/", views.add_column, name="add_column"),
    path("<int:gradebook_id>/khoa/", views.lock, name="lock"),
    path("<int:gradebook_id>/mo-khoa/", views.unlock, name="unlock"),
    path("<int:gradebook_id>/cot/<int:column_id>/khoa/", views.lock, name="lock_column"),
    path("<int:gradebook_id>/cot/<int:column_id>/mo-khoa/", views.unlock, name="unlock_column"),
    path("<int:gradebook_id>/tu-bai-kiem-tra/", views.from_exam, name="from_exam"),
    path("<int:gradebook_id>/nhat-ky/", views.audit, name="audit"),
    path("lop/<int:class_id>/tong-ket/<str:period>/", views.summary, name="summary"),
    path("lop/<int:class_id>/pham-chat-nang-luc/<str:checkpoint>/", views.qualities, name="qualities"),
    path("lop/<int:class_id>/tong-ket-tieu-hoc/", views.primary_year, name="primary_year"),
    path("lop/<int:class_id>/hk<int:semester>/so-diem.<str:fmt>", views.export, name="export"),
]
