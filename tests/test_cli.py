"""The papi command line, in-process with Typer's CliRunner on a real temporary index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cli.main import app
from tests.conftest import PLAN_ID

runner = CliRunner()


def _run(settings: Any, *args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), obj=settings, input=stdin)


def test_ingest_reports_each_file_and_fails_on_a_bad_one(
    tmp_path: Path, make_settings: Any
) -> None:
    settings = make_settings()
    result = _run(settings, "ingest")
    assert result.exit_code == 0, result.output
    assert "thêm mới" in result.output and PLAN_ID in result.output

    again = _run(settings, "ingest")
    assert again.exit_code == 0 and "2 không đổi" in again.output

    bad = tmp_path / "hong.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf \x00\x01\x02")
    good = tmp_path / "ghi-chu.txt"
    good.write_text("Điều 1. Ghi chú\nNội dung ghi chú về lưu trữ hồ sơ.\n", encoding="utf-8")
    mixed = _run(settings, "ingest", str(bad), str(good))
    assert mixed.exit_code == 1
    assert "LỖI" in mixed.output and "hong.pdf" in mixed.output
    assert "ghi-chu" in mixed.output

    listed = json.loads(_run(settings, "documents", "--json").output)
    ids = {d["id"] for d in listed["documents"]}
    assert ids == {PLAN_ID, "papi-tai-lieu-tham-khao", "ghi-chu"}  # nothing lost

    removed = _run(settings, "remove", "ghi-chu")
    assert removed.exit_code == 0
    assert _run(settings, "remove", "ghi-chu").exit_code == 1


def test_search_json_reads_stdin_one_query_per_line(make_settings: Any) -> None:
    settings = make_settings()
    _run(settings, "ingest")
    result = _run(
        settings,
        "search",
        "--json",
        "--k",
        "3",
        stdin="han chot bao cao ket qua\n\nkê khai tài sản\n",
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["han chot bao cao ket qua", "kê khai tài sản"]
    for line in lines:
        assert 1 <= len(line["hits"]) <= 3
        hit = line["hits"][0]
        assert set(hit) >= {"rank", "score", "text", "document_id", "title", "number", "section"}
        assert hit["rank"] == 1
    assert any("15 tháng 12 năm 2023" in h["text"] for h in lines[0]["hits"])


def test_documents_plain_listing(make_settings: Any) -> None:
    settings = make_settings()
    assert "Chưa có văn bản" in _run(settings, "documents").output
    _run(settings, "ingest")
    out = _run(settings, "documents").output
    assert PLAN_ID in out and "tham khảo" in out


def test_help_is_vietnamese() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "Trợ lý PAPI" in result.output
