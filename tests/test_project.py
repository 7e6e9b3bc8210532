"""Project hygiene: documented settings, README commands, import boundaries."""

from __future__ import annotations

import ast
from pathlib import Path

from assistant.core.settings import Settings, iter_settings

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


PROJECT = ("vntext", "ingest", "assistant", "api", "ui", "cli", "evaluation")

# Each unit may import only the units listed for it (besides itself and third-party code).
# Read bottom-up: vntext is pure text, ingest is pure files -> chunks, storage and providers
# sit on them, the index on storage, answers/quiz/tasks on the index, the core (composition
# root and facade) on all of those, and the front ends only on the core and its public types.
# ``assistant.core.settings`` is the typed settings tree every layer may be handed.
ALLOWED: dict[str, set[str]] = {
    "vntext": set(),
    "ingest": {"vntext"},
    "assistant.storage": {"vntext", "ingest"},
    "assistant.providers": {"vntext"},
    "assistant.index": {"vntext", "ingest", "assistant.storage", "assistant.providers"},
    "assistant.answer": {
        "vntext",
        "ingest",
        "assistant.storage",
        "assistant.providers",
        "assistant.index",
        "assistant.tasks",
    },
    "assistant.quiz": {"vntext", "ingest", "assistant.storage", "assistant.index"},
    "assistant.tasks": {"vntext", "ingest", "assistant.storage", "assistant.index"},
    "assistant.core": {
        "vntext",
        "ingest",
        "assistant.storage",
        "assistant.providers",
        "assistant.index",
        "assistant.answer",
        "assistant.quiz",
        "assistant.tasks",
    },
    # Front ends: the facade, settings and the public result types it returns.
    "api": {"assistant.core", "assistant.answer", "assistant.index", "assistant.quiz", "ui"},
    "ui": {"assistant.core", "assistant.answer", "assistant.index", "assistant.quiz"},
    "cli": {"assistant.core", "assistant.answer", "assistant.index", "api", "evaluation"},
    "evaluation": {
        "vntext",
        "ingest",
        "assistant.core",
        "assistant.providers",
        "assistant.answer",
        "assistant.index",
    },
}
FORBIDDEN_THIRD_PARTY = {
    "ingest": {"chromadb", "langchain_core.embeddings"},
    "vntext": {"chromadb", "langchain_core"},
    "api": {"chromadb"},
    "ui": {"chromadb"},
}


def _unit(module: str) -> str:
    """The layering unit of a dotted module name (``assistant.x`` or a top-level package)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "assistant" and len(parts) > 1 else parts[0]


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _sources() -> list[tuple[str, Path]]:
    out = []
    for top in PROJECT:
        for path in sorted((REPO / top).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out.append((_unit(module), path))
    return out


def test_every_unit_has_a_layering_rule() -> None:
    units = {unit for unit, _ in _sources()} - {"assistant"}  # the package's docstring only
    assert units <= set(ALLOWED), sorted(units - set(ALLOWED))


def test_layering() -> None:
    problems = []
    for unit, path in _sources():
        allowed = ALLOWED.get(unit, set())
        for module in _imports(path):
            target = _unit(module)
            if module.startswith("assistant.core.settings") or target == unit:
                continue
            if module.split(".")[0] in PROJECT and target not in allowed:
                problems.append(f"{path.relative_to(REPO)} imports {module}")
            banned = FORBIDDEN_THIRD_PARTY.get(unit, set())
            if any(module == b or module.startswith(b + ".") for b in banned):
                problems.append(f"{path.relative_to(REPO)} imports {module}")
    assert not problems, "\n".join(problems)


def test_layering_rules_can_fail() -> None:
    # The checker must see a real violation: api may not reach into storage.
    assert "assistant.storage" not in ALLOWED["api"]
    assert _unit("assistant.storage.chroma") == "assistant.storage"
