from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("<int:page_id>/hoan-thanh/", views.lesson_done, name="lesson_done"),
    path("<int:page_id>/sao-chep/", views.copy_lesson, name="copy_lesson"),
]
