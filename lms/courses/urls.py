from django.urls import path

from lms.courses import views

app_name = "courses"

urlpatterns = [
    path("", views.home, name="home"),
    path("thong-bao/da-doc/", views.notifications_read, name="notifications_read"),
    path("khoa-hoc/<int:course_id>/", views.course_detail, name="course"),
    path("khoa-hoc/<int:course_id>/them-muc/", views.add_item, name="add_item"),
    path("khoa-hoc/<int:course_id>/them-bai-tap/", views.add_assignment, name="add_assignment"),
    path("khoa-hoc/<int:course_id>/theo-doi/", views.dashboard, name="dashboard"),
    path("khoa-hoc/<int:course_id>/theo-doi.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("muc/<int:item_id>/", views.item_detail, name="item"),
    path("muc/<int:item_id>/len/", views.move_item, {"direction": "len"}, name="move_up"),
    path("muc/<int:item_id>/xuong/", views.move_item, {"direction": "xuong"}, name="move_down"),
    path("muc/<int:item_id>/sua/", views.edit_item, name="edit_item"),
    path("muc/<int:item_id>/xoa/", views.delete_item, name="delete_item"),
    path("muc/<int:item_id>/khoi-phuc/", views.restore_item, name="restore_item"),
    path("muc/<int:item_id>/thoi-gian/", views.item_heartbeat, name="heartbeat"),
    path("muc/<int:item_id>/nop-bai/", views.submit, name="submit"),
    path("bai-nop/<int:submission_id>/cham/", views.score, name="score"),
    path("bai-nop/<int:submission_id>/so-diem/", views.send_to_gradebook, name="send_to_gradebook"),
    path("tep/<int:file_id>/", views.submission_file, name="submission_file"),
    path("dinh-kem/<int:attachment_id>/", views.attachment, name="attachment"),
    path("khoa-hoc/<int:course_id>/them-buoi-hoc/", views.add_session, name="add_session"),
    path("buoi-hoc/<int:session_id>/", views.session_detail, name="session"),
    path("buoi-hoc/<int:session_id>/tham-gia/", views.join_session, name="join_session"),
    path("khoa-hoc/<int:course_id>/hoi-dap/", views.questions, name="questions"),
    path("hoi-dap/<int:question_id>/", views.question_detail, name="question"),
    path("lop/<int:class_id>/ho-so.zip", views.class_records, name="class_records"),
    path("con/<int:student_id>/", views.child, name="child"),
    path("nam-hoc/<int:year_id>/", views.structure, name="structure"),
    path("nam-hoc/<int:year_id>/nhap-danh-sach/", views.roster_upload, name="roster_upload"),
    path("nhap-danh-sach/<int:import_id>/", views.roster_report, name="roster_report"),
    path("truong/<str:school_code>/bat-kha-khang/", views.force_majeure, name="force_majeure"),
]
