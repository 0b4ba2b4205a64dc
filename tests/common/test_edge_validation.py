"""Validation at the edge (services/common/validation.py, errors.py): bounded integers, no control
characters, and the database's data errors answered as 422 in zh-CN without SQL (issue 12, item 7).

A small app built by the same factory as the services, with routes shaped like theirs, against the real
PostgreSQL; then the registry itself for the unauthenticated token endpoint."""
from typing import Annotated

import pytest
from fastapi import File, Form, UploadFile
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session

from services.common.app import create_app
from services.common.db import get_engine
from services.common.pagination import PageDep

app = create_app("edge", "validation at the edge")


class Note(BaseModel):
    title: str
    text: str
    tags: list[str] = []
    parent_id: int | None = None
    related_ids: list[int] = []
    count: int = 0


@app.get("/items/{item_id}")
def get_item(item_id: int, page: PageDep, year: int | None = None) -> dict:
    # Reaches the database with the id, as every service's lookups do.
    with Session(get_engine()) as session:
        found = session.execute(text("SELECT CAST(:id AS integer) + 0"), {"id": item_id}).scalar()
    return {"id": found, "offset": page.offset, "year": year}


@app.post("/notes")
def post_note(note: Note) -> dict:
    with Session(get_engine()) as session:
        session.execute(text("SELECT CAST(:t AS text)"), {"t": note.text})
    return {"ok": True}


@app.post("/upload")
def upload(kind: Annotated[str, Form()], file: Annotated[UploadFile, File()]) -> dict:
    return {"kind": kind, "name": file.filename}


@app.get("/cast")
def cast(value: str) -> dict:
    # A value the database refuses (a date it cannot read): a DataError raised by PostgreSQL itself.
    with Session(get_engine()) as session:
        return {"value": str(session.execute(text("SELECT CAST(:v AS date)"), {"v": value}).scalar())}


@pytest.fixture(scope="module")
def client():
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _detail(response) -> dict:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["code"] in ("validation_error", "invalid_value") and detail["message"]
    return detail


@pytest.mark.parametrize("url, field", [
    ("/items/2147483648", "path.item_id"),
    ("/items/-2147483649", "path.item_id"),
    ("/items/" + "9" * 5000, "path.item_id"),
    ("/items/1?offset=9223372036854775808", "query.offset"),
    ("/items/1?offset=2147483648", "query.offset"),
    ("/items/1?year=99999999999", "query.year"),
    ("/items/1?year=-3072382830655004.0", "query.year"),  # pydantic reads "….0" as an integer
    ("/items/1?year=2_147_483_648", "query.year"),  # and underscores
])
def test_integers_outside_postgresql_integer_answer_422(client, url, field):
    detail = _detail(client.get(url))
    assert detail["field"] == field and "超出" in detail["message"]


@pytest.mark.parametrize("body, field", [
    ({"parent_id": 285838410706}, "body.parent_id"),  # the checker passed this one on to the registry
    ({"parent_id": -2147483649}, "body.parent_id"),
    ({"related_ids": [1, 2147483648]}, "body.related_ids.1"),
])
def test_body_ids_outside_postgresql_integer_answer_422(client, body, field):
    detail = _detail(client.post("/notes", json={"title": "标题", "text": "正文", **body}))
    assert detail["field"] == field and "超出" in detail["message"]


def test_integers_inside_the_range_pass(client):
    # Only ids are bounded in bodies: other numbers are the models' business.
    assert client.post("/notes", json={"title": "标题", "text": "正文", "parent_id": 2147483647,
                                       "related_ids": [-2147483648], "count": 2**40}).status_code == 200
    assert client.get("/items/2147483647?offset=2147483647&year=-2147483648").json() == {
        "id": 2147483647, "offset": 2147483647, "year": -2147483648}


@pytest.mark.parametrize("request_kwargs, field", [
    ({"method": "GET", "url": "/items/1%00"}, "path.item_id"),
    ({"method": "GET", "url": "/items/1", "params": {"year": "1\x00"}}, "query.year"),
    ({"method": "GET", "url": "/cast", "params": {"value": "2024-01-01\x00"}}, "query.value"),
    ({"method": "GET", "url": "/cast", "params": {"value": "a\x1bb"}}, "query.value"),
    ({"method": "GET", "url": "/cast", "params": {"value": "a\tb"}}, "query.value"),  # not free text
    ({"method": "GET", "url": "/cast", "params": {"x\x00": "1", "value": "2024-01-01"}}, "query.x\x00"),
    ({"method": "POST", "url": "/notes", "json": {"title": "标题", "text": "正文\x00"}}, "body.text"),
    ({"method": "POST", "url": "/notes", "json": {"title": "标题\x7f", "text": "正文"}}, "body.title"),
    ({"method": "POST", "url": "/notes", "json": {"title": "标题", "text": "正文", "tags": ["a", "b\x85"]}},
     "body.tags.1"),
    ({"method": "POST", "url": "/notes", "json": {"title": "标题", "text": "正文", "\x00": 1}}, "body.\x00"),
    ({"method": "POST", "url": "/notes", "content": b'{"title": "x", "text": "\\ud800"}',
      "headers": {"Content-Type": "application/json"}}, "body.text"),
    ({"method": "POST", "url": "/upload", "data": {"kind": "other\x00"},
      "files": {"file": ("a.pdf", b"%PDF-1.4", "application/pdf")}}, "body.kind"),
    ({"method": "POST", "url": "/upload", "content": (  # raw: httpx would percent-encode the file name
        b'--B\r\nContent-Disposition: form-data; name="kind"\r\n\r\nother\r\n--B\r\nContent-Disposition: form-data;'
        b' name="file"; filename="a\x00.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--B--\r\n'),
      "headers": {"Content-Type": "multipart/form-data; boundary=B"}}, "body.file"),
    ({"method": "GET", "url": "/items/1", "headers": {"Authorization": "Bearer a\x01b"}}, "header.authorization"),
])
def test_control_characters_answer_422_wherever_they_arrive(client, request_kwargs, field):
    detail = _detail(client.request(**request_kwargs))
    assert detail["field"] == field and "控制字符" in detail["message"]


def test_free_text_keeps_tabs_and_line_breaks(client):
    response = client.post("/notes", json={"title": "标题", "text": "第一行\r\n第二行\t缩进", "tags": ["甲\n乙"]})
    assert response.status_code == 200, response.text


def test_database_data_errors_answer_422_in_chinese_without_sql(client):
    response = client.get("/cast", params={"value": "2024-02-30"})
    detail = _detail(response)
    assert detail["code"] == "invalid_value" and "数据" in detail["message"]
    body = response.text.lower()
    assert not any(leak in body for leak in ("select", "cast", "date/time", "psycopg", "sqlalchemy", "2024-02-30"))


def test_pydantic_messages_reach_people_in_chinese(client):
    detail = _detail(client.post("/notes", json={"text": 5}))
    messages = [e["message"] for e in detail["errors"]]
    assert messages and all(not m.isascii() for m in messages), messages
    assert {e["type"] for e in detail["errors"]} >= {"missing", "string_type"}


def test_the_document_states_the_bounds_and_the_error_shape(client):
    spec = client.get("/openapi.json").json()
    params = {p["name"]: p["schema"] for p in spec["paths"]["/items/{item_id}"]["get"]["parameters"]}
    assert params["item_id"]["maximum"] == 2147483647 and params["item_id"]["minimum"] == -2147483648
    assert params["offset"]["maximum"] == 2147483647 and params["offset"]["minimum"] == 0  # tighter kept
    year = next(s for s in params["year"]["anyOf"] if s.get("type") == "integer")
    assert year["maximum"] == 2147483647
    error = spec["components"]["schemas"]["HTTPValidationError"]
    assert error["properties"]["detail"]["type"] == "object"


def test_the_token_endpoint_refuses_nul_before_anything_else(registry):
    """Unauthenticated, form-encoded: the probe's NUL byte in a username answered 500."""
    for data in ({"username": "weinan_admin\x00", "password": "x"},
                 {"grant_type": "client_credentials", "client_id": "svc\x00", "client_secret": "s"}):
        response = registry.post("/api/v1/auth/token", data=data)
        assert response.status_code == 422, response.text
        assert "控制字符" in response.json()["detail"]["message"]


def test_registry_ids_beyond_integer_answer_422_not_500(registry, login):
    headers = login("weinan_supervisor")
    for url in ("/api/v1/sites/2147483648", "/api/v1/orgs?parent_id=2147483648",
                "/api/v1/accounts?offset=9223372036854775808", "/api/v1/filings/99999999999999999999"):
        assert registry.get(url, headers=headers).status_code == 422, url
    assert registry.get("/api/v1/sites/2147483647", headers=headers).status_code == 404
