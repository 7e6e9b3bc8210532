"""Project hygiene: documented settings, README commands, import boundaries."""

from __future__ import annotations

import ast
from pathlib import Path

from assistant.settings import Settings, iter_settings

REPO = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name, _, _ in iter_settings() if f"`{name}`" not in readme]
    assert not missing, f"settings missing from README's configuration table: {missing}"


def test_every_setting_is_described() -> None:
    assert all(description for _, _, description in iter_settings())


def test_readme_quick_start_is_the_two_make_commands_and_ci_runs_make_test() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [
        line.split("#")[0].strip() for line in quick.splitlines() if line.startswith("make ")
    ]
    assert commands == ["make run", "make test"]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nmake test\n" in ci


def test_no_default_admin_token() -> None:
    assert Settings().admin_token.get_secret_value() == ""


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (REPO / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_layering() -> None:
    assert not _imports("ingest") & {"assistant", "api", "ui", "chromadb"}
    assert not _imports("api") & {"ingest", "chromadb"}  # api mounts ui: allowed
    assert not _imports("ui") & {"api", "ingest", "chromadb"}


def test_assistant_imports_front_ends_only_in_the_cli() -> None:
    for path in (REPO / "assistant").rglob("*.py"):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in {"api", "ui"}, path
