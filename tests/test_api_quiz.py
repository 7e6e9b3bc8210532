"""The quiz over HTTP: ``POST /api/quiz`` (the quiz JSON) and ``POST /api/quiz/export``
(the same quiz as a file in every format), bounds and JSON errors."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import QUIZ_EXAMPLE, QuizFormat
from assistant.quiz import FORMATS, Quiz
from tests.conftest import PLAN_ID
from tests.test_api import _assert_error

BODY: dict[str, Any] = {"n": 12, "seed": 2024}


@pytest.fixture(scope="module")
def client(corpus_assistant: Any) -> Iterator[TestClient]:
    """One API app over the shared corpus assistant (no admin token: the quiz is for staff)."""
    with TestClient(create_app(corpus_assistant, ui=False)) as test_client:
        yield test_client


def _quiz(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/quiz", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_quiz_json_has_items_with_key_and_source(client: TestClient) -> None:
    quiz = _quiz(client, BODY)
    Quiz.model_validate(quiz)  # the documented schema
    assert quiz["seed"] == 2024
    assert len(quiz["items"]) == 12
    for item in quiz["items"]:
        assert item["stem"] and item["options"] and 0 <= item["key"] < len(item["options"])
        assert item["source"]["quote"] and item["source"]["document_id"]
        assert isinstance(item["needs_review"], bool)


def test_same_seed_same_quiz_and_the_download_matches_the_preview(client: TestClient) -> None:
    first, second = _quiz(client, BODY), _quiz(client, BODY)
    assert first == second
    other = _quiz(client, {**BODY, "seed": 2025})
    assert [i["id"] for i in other["items"]] != [i["id"] for i in first["items"]]
    download = client.post("/api/quiz/export", params={"format": "json"}, json=BODY)
    assert download.status_code == 200, download.text
    assert json.loads(download.content) == first


def test_without_a_seed_the_quiz_reports_the_one_it_used(client: TestClient) -> None:
    quiz = _quiz(client, {"n": 5})
    assert quiz == _quiz(client, {"n": 5, "seed": quiz["seed"]})


def test_filters_restrict_what_is_asked(client: TestClient) -> None:
    body = {"n": 8, "types": ["true_false"], "documents": [PLAN_ID], "dimensions": [5], "seed": 3}
    quiz = _quiz(client, body)
    assert quiz["items"], "the plan has facts about dimension 5"
    assert quiz["types"] == ["true_false"] and quiz["dimensions"] == [5]
    for item in quiz["items"]:
        assert item["type"] == "true_false"
        assert item["source"]["document_id"] == PLAN_ID
        assert 5 in item["dimensions"]


def _parse(fmt: str, content: bytes) -> None:
    """Each format opens with the tool a trainer would use (at a basic level)."""
    if fmt == "json":
        assert json.loads(content)["items"]
    elif fmt == "moodle-xml":
        from lxml import etree

        root = etree.fromstring(content)
        assert root.tag == "quiz" and root.findall("question")
    elif fmt == "docx":
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
        assert "Câu 1:" in text and "ĐÁP ÁN" in text
    elif fmt == "gift":
        text = content.decode("utf-8")
        assert "::" in text and "{" in text
    elif fmt == "csv":
        assert content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM, for Excel
        assert len(content.decode("utf-8-sig").splitlines()) > 1
    elif fmt == "aiken":
        assert "ANSWER: " in content.decode("utf-8")
    elif fmt == "md":
        assert "**Câu 1:**" in content.decode("utf-8")
    else:
        raise AssertionError(f"no check for the new format {fmt!r}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_downloads_as_an_attachment(client: TestClient, fmt: str) -> None:
    response = client.post("/api/quiz/export", params={"format": fmt}, json=BODY)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=")
    assert 'filename="papi-quiz-2024.' in disposition
    assert response.headers["x-quiz-seed"] == "2024"
    assert response.headers["x-quiz-items"] == "12"
    media_type = response.headers["content-type"].split(";")[0]
    expected = {
        "json": "application/json",
        "gift": "text/plain",
        "aiken": "text/plain",
        "moodle-xml": "application/xml",
        "csv": "text/csv",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "md": "text/markdown",
    }
    assert media_type == expected[fmt]
    assert response.content
    _parse(fmt, response.content)


def test_the_schema_lists_exactly_the_exported_formats() -> None:
    assert get_args(QuizFormat) == FORMATS


@pytest.mark.parametrize(
    ("path", "params", "body"),
    [
        ("/api/quiz/export", {"format": "pdf"}, BODY),  # unknown format
        ("/api/quiz/export", {}, BODY),  # format missing
        ("/api/quiz", {}, {**BODY, "types": ["essay"]}),  # unknown item type
        ("/api/quiz", {}, {**BODY, "dimensions": [9]}),  # PAPI has 8 dimensions
        ("/api/quiz", {}, {**BODY, "dimensions": [0]}),
        ("/api/quiz", {}, {"n": 0}),
        ("/api/quiz", {}, {"n": 201}),
        ("/api/quiz", {}, {"n": 5, "seed": -1}),
        ("/api/quiz", {}, {"n": 5, "llm": True}),  # unknown field
        ("/api/quiz/export", {"format": "gift"}, {**BODY, "types": ["essay"]}),
    ],
)
def test_invalid_requests_are_422_json_errors(
    client: TestClient, path: str, params: dict[str, str], body: dict[str, Any]
) -> None:
    error = _assert_error(client.post(path, params=params, json=body), 422, "invalid_request")
    assert error["details"] and error["details"][0]["loc"]


@pytest.mark.parametrize("path", ["/api/quiz", "/api/quiz/export?format=gift"])
def test_an_unknown_document_is_a_422_json_error(client: TestClient, path: str) -> None:
    response = client.post(path, json={**BODY, "documents": ["khong-co-van-ban-nay"]})
    error = _assert_error(response, 422, "invalid_quiz_request")
    assert "khong-co-van-ban-nay" in error["details"]


def test_openapi_documents_the_quiz_in_vietnamese(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    make = spec["paths"]["/api/quiz"]["post"]
    assert make["tags"] == ["trắc nghiệm"] and "security" not in make
    example = make["responses"]["200"]["content"]["application/json"]["example"]
    assert example == QUIZ_EXAMPLE
    Quiz.model_validate(example)
    assert "Căn cứ" in example["items"][0]["explanation"]
    export = spec["paths"]["/api/quiz/export"]["post"]
    (fmt,) = [p for p in export["parameters"] if p["name"] == "format"]
    assert fmt["required"] and tuple(fmt["schema"]["enum"]) == FORMATS
    assert "text/markdown" in export["responses"]["200"]["content"]
    request = spec["components"]["schemas"]["QuizRequest"]
    assert request["properties"]["n"]["maximum"] == 200
