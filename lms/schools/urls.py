from django.urls import path

from lms.schools import views

app_name = "schools"

urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("", views.account, name="account"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("quen-mat-khau/", views.PasswordResetView.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("dat-lai/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("dat-lai/xong/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("ma-api/tao/", views.create_token, name="create_token"),
    path("ma-api/<int:token_id>/thu-hoi/", views.revoke_token, name="revoke_token"),
]
