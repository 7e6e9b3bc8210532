"""Load benchmark of the HTTP API (a measurement, not a test).

Starts ``papi serve`` as a subprocess on a free loopback port with a temporary data folder
(the first start ingests ``corpus/``), sends a bounded number of ``POST /api/ask``
requests at a fixed concurrency, and prints: errors, throughput, latency percentiles and
the server's peak resident memory. Loopback only; the server is stopped at the end.

    .venv/bin/python scripts/bench_api.py --requests 500 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def _questions() -> list[str]:
    """The evaluation questions (in scope and out of scope), in a fixed order."""
    questions: list[str] = []
    for name in ("plan_questions.jsonl", "out_of_scope.jsonl"):
        path = REPO / "eval" / name
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    questions.append(json.loads(line)["question"])
    return questions or ["Hạn chót báo cáo kết quả thực hiện kế hoạch PAPI là ngày nào?"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class PeakMemory:
    """Samples the resident memory of a process and its children in a background thread."""

    def __init__(self, pid: int, interval_s: float = 0.05) -> None:
        self._process = psutil.Process(pid)
        self._interval_s = interval_s
        self._stop = threading.Event()
        self.peak = 0
        self.last = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        """Current resident memory in bytes (process plus children)."""
        total = 0
        for proc in [self._process, *self._process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = self.rss()
            except psutil.Error:
                return
            self.peak = max(self.peak, self.last)
            self._stop.wait(self._interval_s)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], timeout_s: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"server not healthy after {timeout_s:.0f} s")


async def _load(
    base: str, questions: list[str], total: int, concurrency: int, timeout_s: float
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    grounded = 0
    semaphore = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:

        async def one(i: int) -> None:
            nonlocal grounded
            async with semaphore:
                started = time.perf_counter()
                try:
                    response = await client.post(
                        "/api/ask", json={"question": questions[i % len(questions)]}
                    )
                    key = str(response.status_code)
                    if response.status_code == 200 and response.json().get("grounded"):
                        grounded += 1
                except httpx.HTTPError as exc:
                    key = type(exc).__name__
                latencies.append(time.perf_counter() - started)
                statuses[key] = statuses.get(key, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(total)))
        elapsed = time.perf_counter() - started

    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return {
        "requests": total,
        "concurrency": concurrency,
        "errors": total - statuses.get("200", 0),
        "statuses": statuses,
        "grounded": grounded,
        "elapsed_s": round(elapsed, 2),
        "throughput_rps": round(total / elapsed, 2),
        "latency_ms": {
            "mean": round(statistics.fmean(ordered) * 1000, 1),
            "p50": round(pct(50) * 1000, 1),
            "p95": round(pct(95) * 1000, 1),
            "p99": round(pct(99) * 1000, 1),
            "max": round(ordered[-1] * 1000, 1),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="total /api/ask requests")
    parser.add_argument("--concurrency", type=int, default=10, help="requests in flight")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests first")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")
    parser.add_argument("--startup-timeout", type=float, default=600.0, help="server start (s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        parser.error("--requests must be 1..100000 and --concurrency 1..256")

    port = _free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="papi-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAPI_")}
        env.update(
            {
                "PAPI_DATA_DIR": str(Path(tmp) / "data"),
                "PAPI_CORPUS_DIR": str(REPO / "corpus"),
                # The benchmark is one client: the per-client limit would only measure itself.
                "PAPI_SERVER__RATE_LIMIT_PER_MINUTE": "0",
                "ANONYMIZED_TELEMETRY": "False",
                "GRADIO_ANALYTICS_ENABLED": "False",
                "HF_HUB_OFFLINE": "1",
            }
        )
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "assistant.cli",
                    "serve",
                    "--host",
                    HOST,
                    "--port",
                    str(port),
                ],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        memory = PeakMemory(process.pid)
        memory.start()
        try:
            startup_s = _wait_healthy(base, process, args.startup_timeout)
            idle_rss = memory.rss()
            startup_peak, memory.peak = memory.peak, 0
            questions = _questions()
            if args.warmup:
                asyncio.run(_load(base, questions, args.warmup, 1, args.timeout))
            figures = asyncio.run(
                _load(base, questions, args.requests, args.concurrency, args.timeout)
            )
        except Exception:
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            raise
        finally:
            memory.stop()
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    figures.update(
        {
            "startup_s": round(startup_s, 1),
            "server_idle_rss_mb": round(idle_rss / 2**20, 1),
            "server_startup_peak_rss_mb": round(startup_peak / 2**20, 1),
            "server_peak_rss_mb": round(memory.peak / 2**20, 1),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
        }
    )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        lat = figures["latency_ms"]
        print(f"server: {base} (first start incl. corpus ingest: {figures['startup_s']} s)")
        print(
            f"requests: {figures['requests']} POST /api/ask at concurrency "
            f"{figures['concurrency']} (+{args.warmup} warm-up)"
        )
        print(f"errors: {figures['errors']}  statuses: {figures['statuses']}")
        print(f"grounded answers: {figures['grounded']}/{figures['requests']}")
        print(f"throughput: {figures['throughput_rps']} req/s over {figures['elapsed_s']} s")
        print(
            f"latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  "
            f"max {lat['max']}  mean {lat['mean']}"
        )
        print(
            f"server RSS: peak under load {figures['server_peak_rss_mb']} MB "
            f"(idle after start {figures['server_idle_rss_mb']} MB, "
            f"peak during first-start ingest {figures['server_startup_peak_rss_mb']} MB)"
        )
        machine = figures["machine"]
        print(f"machine: {machine['cpus']} CPUs, Python {machine['python']}, {machine['platform']}")
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
