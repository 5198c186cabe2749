"""The REST API at /api/v1/: OpenAPI schema, token and session authentication, query budget."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.schools import api as schools_api


def test_openapi_schema_is_published(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["version"] == "1"
    assert "/api/v1/me" in schema["paths"]
    assert "/api/v1/schools" in schema["paths"]
    assert "BearerTokenAuth" in schema["components"]["securitySchemes"]


def test_anonymous_requests_are_refused(client, db):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer wagtail_notatoken").status_code == 401


def test_token_authenticates_and_me_lists_roles_per_school(client, people):
    _token, plaintext = schools_api.create_api_token(user=people.group_head, name="Tập lệnh")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == people.group_head.username
    [entry] = body["schools"]
    assert entry["school"]["code"] == people.school.code
    assert entry["roles"] == ["group_head", "teacher"]
    assert entry["subject_groups"] == ["Tổ Toán – Tin"]


def test_revoked_tokens_stop_working(client, people):
    token, plaintext = schools_api.create_api_token(user=people.teacher, name="Cũ")
    schools_api.revoke_api_token(user=people.teacher, token_id=token.pk)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401


def test_a_token_of_a_disabled_account_stops_working(client, people):
    _token, plaintext = schools_api.create_api_token(user=people.teacher, name="Tập lệnh")
    type(people.teacher).objects.filter(pk=people.teacher.pk).update(is_active=False)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401


def test_session_authenticates_the_browser(client, people):
    client.force_login(people.parent)
    body = client.get("/api/v1/me").json()
    assert body["schools"][0]["roles"] == ["parent"]


def test_me_has_a_query_budget(client, people):
    _token, plaintext = schools_api.create_api_token(user=people.group_head, name="Tập lệnh")
    client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")  # warm: last_used_at written once
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200
    # token lookup + 3 for the account summary (roles, groups, children) + prefetch of the children's roles
    assert len(queries) <= 5, [q["sql"] for q in queries]


def test_account_page_creates_shows_once_and_revokes_a_token(client, people):
    client.force_login(people.teacher)
    response = client.post("/tai-khoan/ma-api/tao/", {"name": "Nhập điểm"}, follow=True)
    html = response.content.decode()
    assert "Đã tạo mã truy cập" in html
    plaintext = html.split('data-testid="new-token">')[1].split("<")[0]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 200
    again = client.get("/tai-khoan/").content.decode()
    assert plaintext not in again  # shown once only
    token = schools_api.get_active_api_tokens(people.teacher).get()
    client.post(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/")
    client.logout()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}").status_code == 401


def test_students_cannot_create_tokens_from_someone_else(client, people):
    token, _plaintext = schools_api.create_api_token(user=people.teacher, name="Của giáo viên")
    client.force_login(people.student)
    client.post(f"/tai-khoan/ma-api/{token.pk}/thu-hoi/")
    assert schools_api.get_active_api_tokens(people.teacher).filter(pk=token.pk).exists()
