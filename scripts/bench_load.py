"""Bounded loopback load on ``/api/ask`` with memory over time (a measurement, not a test).

    .venv/bin/python scripts/bench_load.py [--requests 2000] [--concurrency 20] [--workers 1]

Starts ``papi serve`` on a free 127.0.0.1 port with a temporary data folder (the first
start ingests ``corpus/``) and, with ``--workers N > 1``, a ``chroma run`` server for the
workers to share (also on loopback). Sends exactly ``--requests`` ``POST /api/ask`` (the
evaluation questions, in turn) with ``--concurrency`` in flight, then stops everything.

Reports errors (any non-200 or transport failure; goal 0), grounded answers, throughput,
latency p50/p95/p99/max, and the resident memory of the server process tree sampled
every second: at start, then per tenth of the run, and the slope of a least-squares line
over the second half of the run (MB per 1,000 requests; flat ≈ 0).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
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


class MemoryTimeline:
    """RSS of a process tree, sampled every *interval_s* with the requests done so far."""

    def __init__(self, pid: int, progress: list[int], interval_s: float = 1.0) -> None:
        self._process = psutil.Process(pid)
        self._progress = progress
        self._interval_s = interval_s
        self.samples: list[tuple[float, int, float]] = []  # (seconds, requests, MB)
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_mb(self) -> float:
        total = 0
        for proc in [self._process, *self._process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total / 2**20

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(psutil.Error):
                self.samples.append(
                    (time.monotonic() - self._started, self._progress[0], self.rss_mb())
                )
            self._stop.wait(self._interval_s)

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _slope_per_1000(samples: list[tuple[float, int, float]]) -> float:
    """Least-squares MB per 1,000 requests over the second half of the samples."""
    half = samples[len(samples) // 2 :]
    if len(half) < 2:
        return 0.0
    xs = [s[1] for s in half]
    ys = [s[2] for s in half]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    if var == 0:
        return 0.0
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return cov / var * 1000


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
    base: str,
    questions: list[str],
    total: int,
    concurrency: int,
    timeout_s: float,
    progress: list[int],
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    grounded = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(total):
        queue.put_nowait(i)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, timeout=timeout_s, limits=limits) as client:

        async def worker() -> None:
            nonlocal grounded
            while True:
                try:
                    i = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
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
                progress[0] += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
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
        "elapsed_s": round(elapsed, 1),
        "throughput_rps": round(total / elapsed, 2),
        "latency_ms": {
            "p50": round(pct(50) * 1000, 1),
            "p95": round(pct(95) * 1000, 1),
            "p99": round(pct(99) * 1000, 1),
            "max": round(ordered[-1] * 1000, 1),
        },
    }


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="total /api/ask requests")
    parser.add_argument("--concurrency", type=int, default=20, help="requests in flight")
    parser.add_argument("--workers", type=int, default=1, help="papi serve --workers")
    parser.add_argument("--warmup", type=int, default=20, help="uncounted requests first")
    parser.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not 1 <= args.requests <= 100_000 or not 1 <= args.concurrency <= 256:
        parser.error("--requests must be 1..100000 and --concurrency 1..256")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be 1..16")

    port = _free_port()
    base = f"http://{HOST}:{port}"
    with tempfile.TemporaryDirectory(prefix="papi-load-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAPI_")}
        env.update(
            {
                "PAPI_DATA_DIR": str(Path(tmp) / "data"),
                "PAPI_CORPUS_DIR": str(REPO / "corpus"),
                # One client address: the per-client limit would only measure itself.
                "PAPI_SERVER__RATE_LIMIT_PER_MINUTE": "0",
                "ANONYMIZED_TELEMETRY": "False",
                "GRADIO_ANALYTICS_ENABLED": "False",
                "HF_HUB_OFFLINE": "1",
            }
        )
        chroma: subprocess.Popen[bytes] | None = None
        if args.workers > 1:
            chroma_port = _free_port()
            chroma = subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("chroma")),
                    "run",
                    "--path",
                    str(Path(tmp) / "chroma"),
                    "--host",
                    HOST,
                    "--port",
                    str(chroma_port),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            env["PAPI_CHROMA_URL"] = f"http://{HOST}:{chroma_port}"
            for _ in range(200):
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{env['PAPI_CHROMA_URL']}/api/v2/heartbeat").is_success:
                        break
                time.sleep(0.1)
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "serve", "--host", HOST]
                + ["--port", str(port), "--workers", str(args.workers)],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        progress = [0]
        timeline = MemoryTimeline(process.pid, progress)
        try:
            startup_s = _wait_healthy(base, process, 900)
            questions = _questions()
            if args.warmup:
                asyncio.run(_load(base, questions, args.warmup, 1, args.timeout, [0]))
            timeline.start()
            figures = asyncio.run(
                _load(base, questions, args.requests, args.concurrency, args.timeout, progress)
            )
            time.sleep(1.0)
        except Exception:
            sys.stderr.write(log_path.read_text(errors="replace")[-4000:])
            raise
        finally:
            timeline.stop()
            _stop(process)
            if chroma is not None:
                _stop(chroma)

    samples = timeline.samples
    tenths = [samples[min(len(samples) - 1, round(i * (len(samples) - 1) / 10))] for i in range(11)]
    figures.update(
        {
            "workers": args.workers,
            "startup_s": round(startup_s, 1),
            "rss_mb": {
                "start": round(samples[0][2], 1),
                "end": round(samples[-1][2], 1),
                "max": round(max(s[2] for s in samples), 1),
                "timeline": [(round(t), n, round(mb, 1)) for t, n, mb in tenths],
                "slope_mb_per_1000_requests_second_half": round(_slope_per_1000(samples), 2),
            },
            "machine": {
                "cpus": os.cpu_count(),
                "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
        }
    )
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        lat, rss = figures["latency_ms"], figures["rss_mb"]
        print(f"server: {base}, {args.workers} worker(s), first start {figures['startup_s']} s")
        print(
            f"{figures['requests']} POST /api/ask at concurrency {figures['concurrency']} "
            f"(+{args.warmup} warm-up): errors {figures['errors']} {figures['statuses']}, "
            f"grounded {figures['grounded']}"
        )
        print(f"throughput {figures['throughput_rps']} req/s over {figures['elapsed_s']} s")
        print(f"latency ms: p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  max {lat['max']}")
        print(
            f"server RSS MB: start {rss['start']}  end {rss['end']}  max {rss['max']}  "
            f"slope {rss['slope_mb_per_1000_requests_second_half']} MB/1000 req (2nd half)"
        )
        print("RSS timeline (s, requests done, MB): " + "  ".join(map(str, rss["timeline"])))
        m = figures["machine"]
        print(f"machine: {m['cpus']} CPUs, {m['memory_gib']} GiB, Python {m['python']}")
    return 0 if figures["errors"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
