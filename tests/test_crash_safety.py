"""Crash safety: ``kill -9`` an ingest of the large pháp điển files at several moments.

After each kill the store must hold, for every document, either its previous version
(the very chunk ids it had) or the complete new one (the chunk ids a clean parse gives);
every listed chunk must exist; after start-up reconciliation no unlisted chunk may
remain. Re-running the ingest to completion must give exactly what a clean ingest gives.

The kills are timed, not scripted: the test waits until the ingest process has stored
a number of batches (it prints a line per embedding call) plus a random delay, and
counts only kills that landed while the process was still working.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.index.ingestion import versioned
from ingest import parse_file
from tests.conftest import CORPUS, REPO, shared_path

PHAPDIEN = ("data", "legal", "phapdien_admin")
REPLACED = "khieu-nai-to-cao__khieu-nai.md"
UNCHANGED = "khieu-nai-to-cao__tiep-cong-dan.md"
ADDED_LARGE = "khoa-hoc-cong-nghe__tieu-chuan-va-quy-chuan-ky-thuat.md"
ADDED_SMALL = "van-thu-luu-tru__cong-tac-van-thu.md"
PLAN_FILE = "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPI_")}
    env["ANONYMIZED_TELEMETRY"] = "False"
    return env


def _driver(*args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tests.crash_driver", *args],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _inspect(data: Path) -> dict[str, Any]:
    out = _driver("inspect", str(data))
    return dict(json.loads(out.strip().splitlines()[-1]))


class Ingest:
    """A driver ingest subprocess whose stdout lines are counted as they arrive."""

    def __init__(self, data: Path, paths: list[Path]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_driver", "ingest", str(data), *map(str, paths)],
            cwd=REPO,
            env=_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.batches = 0
        self.done = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("batch "):
                self.batches += 1
            elif line.startswith('{"done"'):
                self.done = True

    def kill_after(self, batches: int, delay_s: float, timeout_s: float = 240) -> bool:
        """SIGKILL once *batches* embedding calls were seen plus *delay_s*.

        True when the kill landed mid-ingest (the process had not finished).
        """
        deadline = time.monotonic() + timeout_s
        while self.batches < batches and self.process.poll() is None:
            assert time.monotonic() < deadline, "the ingest made no progress"
            time.sleep(0.01)
        time.sleep(delay_s)
        finished = self.process.poll() is not None or self.done
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return not finished and self.process.returncode == -signal.SIGKILL


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[Path]]]:
    """Version 1 and version 2 of a document set; v2 replaces one large file by a changed copy."""
    legal = shared_path(*PHAPDIEN)
    root = tmp_path_factory.mktemp("crash-files")
    v1, v2 = root / "v1", root / "v2"
    v1.mkdir()
    v2.mkdir()
    for name in (REPLACED, UNCHANGED):
        shutil.copy(legal / name, v1 / name)
    shutil.copy(CORPUS / PLAN_FILE, v1 / PLAN_FILE)
    for name in (UNCHANGED, ADDED_LARGE, ADDED_SMALL):
        shutil.copy(legal / name, v2 / name)
    shutil.copy(CORPUS / PLAN_FILE, v2 / PLAN_FILE)
    text = (legal / REPLACED).read_text(encoding="utf-8")
    changed = text.replace("cơ quan", "cơ quan, đơn vị")
    assert changed != text
    (v2 / REPLACED).write_text(changed, encoding="utf-8")
    yield {"v1": sorted(v1.iterdir()), "v2": sorted(v2.iterdir())}


def _expected(paths: list[Path]) -> dict[str, list[str]]:
    """Chunk ids of a complete, clean ingest of each file (parsing needs no store)."""
    out = {}
    for path in paths:
        parsed = parse_file(path)
        out[parsed.info.id] = [c.id or "" for c in versioned(parsed.chunks)]
    return out


def _check(state: dict[str, Any], old: dict[str, list[str]], new: dict[str, list[str]]) -> None:
    before, after = state["before"], state["after"]
    # Nothing listed is missing, even before repair: readers never see half a document.
    stored = set(before["ids"])
    for doc, ids in before["entries"].items():
        assert set(ids) <= stored, f"{doc}: listed chunks missing after the crash"
    assert before["count"] == len(before["ids"]) == len(stored), "duplicate chunk ids"
    assert before["dense_ok"], "the vector index returned ids that are not stored"
    # Each document is its previous version or the complete new one.
    for doc, ids in after["entries"].items():
        assert ids in (old.get(doc), new.get(doc)), f"{doc}: neither old nor new version"
    assert set(old) <= set(after["entries"]), "a previous version was lost"
    # After start-up reconciliation: exactly the listed chunks, nothing orphaned.
    listed = [cid for ids in after["entries"].values() for cid in ids]
    assert sorted(after["ids"]) == sorted(listed)
    assert after["count"] == len(listed) == after["view_chunks"]
    assert after["dense_ok"]
    assert not after["writer"], "the dead writer's lease was not taken over"


@pytest.mark.slow
def test_kill_9_mid_ingest_leaves_old_or_new_versions_and_a_rerun_completes(
    files: dict[str, list[Path]], tmp_path: Path
) -> None:
    old = _expected(files["v1"])
    new = _expected(files["v2"])
    replaced_id = parse_file(next(p for p in files["v2"] if p.name == REPLACED)).info.id
    assert old[replaced_id] != new[replaced_id]
    changed = set(new[replaced_id]) - set(old[replaced_id])
    assert len(changed) > 100, "the new version should need many batches"

    data = tmp_path / "data"
    assert json.loads(_driver("ingest", str(data), *map(str, files["v1"])).splitlines()[-1])
    first = _inspect(data)
    assert first["after"]["entries"] == old  # the clean v1 state

    rng = random.Random(6)
    landed = 0
    saw_orphans = saw_old = saw_new = saw_lease = False
    for _attempt in range(12):
        run = Ingest(data, files["v2"])
        # Early, middle and late kills (a run of v2 over v1 is ~27 batches of 64 chunks:
        # ~5 for the replacement, ~20 for the large new file), plus jitter.
        batches = rng.choice([1, 2, 4, 8, 14, 20])
        if not run.kill_after(batches, rng.uniform(0.0, 0.4)):
            continue
        landed += 1
        state = _inspect(data)
        _check(state, old, new)
        entries = state["after"]["entries"]
        saw_old |= entries.get(replaced_id) == old[replaced_id]
        saw_new |= entries.get(replaced_id) == new[replaced_id]
        saw_orphans |= len(state["before"]["ids"]) > len(state["after"]["ids"])
        saw_lease |= bool(state["before"]["writer"])
        # The next run starts from here, so later kills hit later phases; once the
        # replacement is through, start over from v1 to hit the early phases again.
        if landed == 3:
            shutil.rmtree(data)
            _driver("ingest", str(data), *map(str, files["v1"]))
        if landed >= 6:
            break
    assert landed >= 4, f"only {landed} kills landed mid-ingest"
    assert saw_orphans, "no kill left unlisted chunks: the kills missed the writes"
    assert saw_lease and (saw_old or saw_new)

    # Re-run to completion: identical to a clean ingest of v2 over v1.
    final = json.loads(_driver("ingest", str(data), *map(str, files["v2"])).splitlines()[-1])
    assert final["done"]["failed"] == 0
    state = _inspect(data)
    _check(state, old, new)
    assert state["after"]["entries"] == new
    assert state["before"]["ids"] and sorted(state["before"]["ids"]) == sorted(
        state["after"]["ids"]
    )
    clean = tmp_path / "clean"
    _driver("ingest", str(clean), *map(str, files["v1"]))
    _driver("ingest", str(clean), *map(str, files["v2"]))
    reference = _inspect(clean)
    assert reference["after"]["entries"] == state["after"]["entries"]
    assert reference["after"]["sha256"] == state["after"]["sha256"]
    assert sorted(reference["after"]["ids"]) == sorted(state["after"]["ids"])


@pytest.mark.slow
def test_kill_9_of_the_real_cli_on_a_chroma_server(chroma_server: str, tmp_path: Path) -> None:
    """`papi ingest` with the real model against `chroma run`, killed at a random moment."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings

    source = shared_path(*PHAPDIEN, ADDED_SMALL)
    expected = _expected([source])
    collection = f"crash-{uuid.uuid4().hex[:8]}"
    env = {
        **_env(),
        "PAPI_CHROMA_URL": chroma_server,
        "PAPI_COLLECTION": collection,
        "PAPI_DATA_DIR": str(tmp_path / "data"),
    }
    command = [sys.executable, "-m", "cli.main", "ingest", str(source)]
    host, port = chroma_server.removeprefix("http://").split(":")
    client = chromadb.HttpClient(
        host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False)
    )
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    # Kill at a random moment of the run: while it parses and embeds (nothing written yet:
    # embedding happens before the writer lease) or while it writes and switches.
    deadline = time.monotonic() + 240
    while process.poll() is None and time.monotonic() < deadline:
        try:
            client.get_collection(f"{collection}_chunks")
            break
        except Exception:  # noqa: BLE001 - not created yet
            time.sleep(0.05)
    time.sleep(random.Random(7).uniform(0.5, 3.0))
    assert process.poll() is None, "the ingest finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    settings = Settings(data_dir=tmp_path / "data", chroma_url=chroma_server, collection=collection)
    from tests.crash_driver import HashEmbeddings  # the check needs no model

    store_view = build_assistant(settings, embeddings=HashEmbeddings())._index._store
    entries = {k: list(e.chunk_ids) for k, e in store_view.entries().items()}
    # Never half a document: either it never switched (and start-up reconciled every
    # unlisted chunk) or its complete version is live.
    assert entries in ({}, expected)
    if entries == {}:
        assert store_view.all_chunk_ids() == []
    else:
        assert sorted(store_view.all_chunk_ids()) == sorted(next(iter(expected.values())))
    assert store_view.writer() is None

    rerun = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-2000:]
    entries = store_view.entries()
    assert {k: list(e.chunk_ids) for k, e in entries.items()} == expected
    assert sorted(store_view.all_chunk_ids()) == sorted(next(iter(expected.values())))
