"""The ``papi`` command line (Typer). Commands parse input, call the facade, print output."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from assistant.core.settings import Settings

app = typer.Typer(
    name="papi",
    help="Trợ lý PAPI & CCHC — nạp văn bản, tìm kiếm, hỏi đáp có trích dẫn, "
    "tạo câu hỏi trắc nghiệm.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)


def _assistant(ctx: typer.Context) -> Any:
    """Build the assistant once per command from the settings made in :func:`main`."""
    from assistant.core.composition import build_assistant

    settings: Settings = ctx.obj
    return build_assistant(settings)


def _lines(value: str | None) -> Iterator[str]:
    """The single argument, or one query per non-empty stdin line."""
    if value is not None:
        yield value
        return
    for line in sys.stdin:
        line = line.strip()
        if line:
            yield line


DocumentFilter = Annotated[list[str] | None, typer.Option("--document", help="Lọc theo văn bản.")]
DimensionFilter = Annotated[
    list[int] | None, typer.Option("--dimension", help="Lọc theo chỉ số PAPI (1–8).")
]
# Options several commands share, declared once.
JsonFlag = Annotated[bool, typer.Option("--json", help="In JSON.")]
OutFile = Annotated[Path | None, typer.Option("--out", help="Ghi ra tệp.")]
Today = Annotated[
    str | None, typer.Option("--today", help="Ngày so hạn YYYY-MM-DD (mặc định: hôm nay).")
]


def _filters(document: list[str] | None, dimension: list[int] | None) -> dict[str, Any]:
    return {"documents": document or [], "dimensions": dimension or []}


def _print_json(obj: Any) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


@app.callback()
def _root(ctx: typer.Context) -> None:
    """Settings come from PAPI_* environment variables (see README)."""
    if ctx.obj is None:
        ctx.obj = Settings()


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tệp hoặc thư mục (mặc định: corpus/).")
    ] = None,
) -> None:
    """Nạp văn bản vào chỉ mục / ingest files and folders."""
    from rich.progress import Progress

    assistant = _assistant(ctx)
    targets = list(paths) if paths else [assistant.settings.corpus_dir]
    total = len(assistant.files(targets))
    with Progress(transient=True, console=None) as progress:
        task = progress.add_task("Đang nạp", total=total)
        report = assistant.ingest(targets, on_file=lambda _r: progress.advance(task))
    labels = {
        "added": "thêm mới",
        "unchanged": "không đổi",
        "replaced": "thay thế",
        "failed": "LỖI",
    }
    for r in report.results:
        line = f"[{labels[r.status]}] {r.source}"
        if r.status == "failed":
            line += f" — {r.reason}"
        else:
            line += f" → {r.document_id} ({r.chunks} đoạn, {r.embedded} đoạn mới được nhúng)"
        typer.echo(line)
    counts = report.counts()
    typer.echo(
        f"Tổng: {counts['added']} thêm mới, {counts['replaced']} thay thế, "
        f"{counts['unchanged']} không đổi, {counts['failed']} lỗi."
    )
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def documents(
    ctx: typer.Context,
    as_json: JsonFlag = False,
) -> None:
    """Liệt kê văn bản đã nạp / list ingested documents."""
    assistant = _assistant(ctx)
    docs = assistant.documents()
    dimensions = assistant.dimension_map()
    if as_json:
        _print_json(
            {
                "documents": [
                    {**d.public(), "dimensions": list(dimensions.dimensions_of(d.id))} for d in docs
                ],
                "dimension_rule": dimensions.rule,
            }
        )
        return
    if not docs:
        typer.echo("Chưa có văn bản nào được nạp.")
    for d in docs:
        status = {
            "in_force": "còn hiệu lực",
            "superseded": "đã bị thay thế",
            "reference": "tham khảo",
        }
        extra = f" bởi {d.superseded_by}" if d.superseded_by else ""
        dims = ",".join(str(n) for n in dimensions.dimensions_of(d.id)) or "–"
        typer.echo(
            f"{d.id}\t{d.doc_type} {d.number}\t{d.title}\t{d.chunks} đoạn\t"
            f"{status.get(d.status, d.status)}{extra}\tchỉ số PAPI: {dims}"
        )


@app.command()
def remove(
    ctx: typer.Context, document_id: Annotated[str, typer.Argument(help="Mã văn bản.")]
) -> None:
    """Xoá một văn bản khỏi chỉ mục / remove a document."""
    if not _assistant(ctx).remove(document_id):
        typer.echo(f"Không có văn bản '{document_id}'.", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"Đã xoá {document_id}.")


@app.command()
def status(
    ctx: typer.Context,
    document_id: Annotated[str, typer.Argument(help="Mã văn bản.")],
    value: Annotated[str, typer.Argument(help="in_force | superseded")],
    by: Annotated[str, typer.Option("--by", help="Văn bản thay thế.")] = "",
) -> None:
    """Đặt hiệu lực văn bản / set a document's status."""
    try:
        entry = _assistant(ctx).set_status(document_id, value, by)
    except (KeyError, ValueError) as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"{entry.id}: {entry.status} {entry.superseded_by}".rstrip())


@app.command()
def search(
    ctx: typer.Context,
    query: Annotated[str | None, typer.Argument(help="Câu tìm kiếm (bỏ trống: đọc stdin).")] = None,
    k: Annotated[int, typer.Option("--k", help="Số đoạn trả về.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi truy vấn một dòng JSON.")] = False,
    document: DocumentFilter = None,
    dimension: DimensionFilter = None,
) -> None:
    """Tìm đoạn văn bản liên quan / hybrid search."""
    assistant = _assistant(ctx)
    filters = _filters(document, dimension)
    for q in _lines(query):
        hits = assistant.search(q, k, filters)
        if as_json:
            _print_json({"query": q, "hits": [h.as_dict() for h in hits]})
            continue
        typer.echo(f"# {q}")
        for h in hits:
            typer.echo(f"{h.rank}. [{h.score:.4f}] {h.title} — {h.section}")
            typer.echo(f"   {h.text[:300]}")


@app.command()
def ask(
    ctx: typer.Context,
    question: Annotated[
        str | None, typer.Argument(help="Câu hỏi (bỏ trống: đọc stdin, mỗi dòng một câu).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Mỗi câu hỏi một dòng JSON.")] = False,
    document: DocumentFilter = None,
    dimension: DimensionFilter = None,
) -> None:
    """Hỏi đáp có trích dẫn / answer from the documents with citations, or refuse."""
    from assistant.answer.model import Answer

    assistant = _assistant(ctx)
    filters = _filters(document, dimension)
    for q in _lines(question):
        if as_json:
            a = assistant.ask(q, filters=filters).as_dict()
            _print_json({key: a[key] for key in ("question", "answer", "grounded", "citations")})
            continue
        typer.echo(f"# {q}")
        final: Answer | None = None
        for item in assistant.ask_stream(q, filters=filters):
            if isinstance(item, Answer):
                final = item
            else:
                typer.echo(item, nl=False)
        typer.echo()
        if final is not None and final.citations:
            typer.echo("Nguồn:")
            for c in final.citations:
                typer.echo(f"[{c.n}] {c.title} — {c.section.rstrip(':')}: “{c.quote}”")
        typer.echo()


@app.command("eval")
def evaluate(
    ctx: typer.Context,
    sets: Annotated[
        str,
        typer.Option(
            help="Bộ đánh giá, phân tách bằng dấu phẩy: plan, library, unanswerable, "
            "partial, baseline, alqac."
        ),
    ] = "plan,library,unanswerable,partial,baseline,alqac",
    systems: Annotated[
        str, typer.Option(help="Hệ truy hồi: hybrid, bm25_only, dense_only.")
    ] = "hybrid,bm25_only,dense_only",
    questions: Annotated[Path, typer.Option(help="Bộ câu hỏi kế hoạch (JSONL).")] = Path(
        "eval/plan_questions.jsonl"
    ),
    library: Annotated[Path, typer.Option(help="Câu hỏi thư viện văn bản (JSONL).")] = Path(
        "eval/library_questions.jsonl"
    ),
    unanswerable: Annotated[
        Path, typer.Option(help="Câu hỏi văn bản không trả lời được (JSONL).")
    ] = Path("eval/unanswerable.jsonl"),
    partial: Annotated[
        Path, typer.Option(help="Câu hỏi văn bản chỉ trả lời một phần (JSONL).")
    ] = Path("eval/partial.jsonl"),
    alqac: Annotated[Path, typer.Option(help="Thư mục ALQAC (bỏ qua nếu không có).")] = Path(
        "../shared/data/eval/alqac"
    ),
    out_of_scope: Annotated[
        Path, typer.Option(help="Câu hỏi ngoài phạm vi (JSONL) cho chỉ số từ chối.")
    ] = Path("eval/out_of_scope.jsonl"),
    out: Annotated[Path, typer.Option(help="Ghi kết quả JSON.")] = Path("eval/results.json"),
    workdir: Annotated[
        Path | None,
        typer.Option(help="Giữ chỉ mục đánh giá ở đây để chạy lại không phải nhúng lại."),
    ] = None,
) -> None:
    """Đánh giá truy hồi và câu trả lời, tách nửa tune / heldout / score every set per split."""
    import contextlib
    import tempfile

    from evaluation.retrieval import embeddings_for
    from evaluation.suite import SYSTEMS, parse_sets, run_evaluation, summary_rows

    try:
        chosen = parse_sets(sets)
        chosen_systems = [x.strip() for x in systems.split(",") if x.strip()]
        unknown = [x for x in chosen_systems if x not in SYSTEMS]
        if unknown or not chosen_systems:
            raise ValueError(f"unknown system(s) {unknown}; choose from {', '.join(SYSTEMS)}")
    except ValueError as exc:
        typer.echo(f"Lỗi / error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    settings: Settings = ctx.obj
    embeddings = embeddings_for(settings)
    files = {
        "plan": questions,
        "out_of_scope": out_of_scope,
        "library": library,
        "unanswerable": unanswerable,
        "partial": partial,
    }
    # A kept workdir makes re-runs cheap: unchanged documents are not embedded again.
    keep = contextlib.nullcontext(str(workdir)) if workdir else None
    with keep or tempfile.TemporaryDirectory(prefix="papi-eval-") as work:
        results: dict[str, Any] = {
            "embedding": settings.embedding.provider,
            **run_evaluation(
                settings, chosen, embeddings, Path(work), files, chosen_systems, alqac
            ),
        }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"{'set':13} {'split':8} {'system':11} {'figure':36} value")
    for set_name, split, system, figure, value in summary_rows(results):
        typer.echo(f"{set_name:13} {split:8} {system:11} {figure:36} {value}")
    if "alqac" in results:
        _print_eval_table({"alqac": results["alqac"]})
    typer.echo(f"Đã ghi {out}")


def _print_eval_table(results: dict[str, Any]) -> None:
    rows = []
    for corpus in ("plan", "alqac"):
        for system, figures in results.get(corpus, {}).items():
            if not isinstance(figures, dict):
                continue
            for group, scores in figures.items():
                if isinstance(scores, dict) and "mrr" in scores and "/" not in group:
                    rows.append((corpus, system, group, scores))
            if "mrr" in figures:
                rows.append((corpus, system, "all", figures))
    typer.echo(
        f"{'corpus':6} {'system':15} {'group':11} {'n':>4} "
        f"{'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR':>6}"
    )
    for corpus, system, group, s in rows:
        typer.echo(
            f"{corpus:6} {system:15} {group:11} {int(s['n']):4d} {s['recall@1']:6.3f} "
            f"{s['recall@3']:6.3f} {s['recall@5']:6.3f} {s['mrr']:6.3f}"
        )


def _report_when_done(assistant: Any, job_id: str) -> None:
    """Print the first-start ingest's outcome when it ends (a daemon thread waits)."""
    import threading

    def wait() -> None:
        job = assistant.wait_job(job_id)
        counts = (job.result or {}).get("counts", {})
        if job.state in ("failed", "interrupted"):
            typer.echo(f"Lần chạy đầu: lập chỉ mục thất bại: {job.error}", err=True)
            return
        typer.echo(
            f"Lần chạy đầu: đã nạp {counts.get('added', 0)} văn bản "
            f"({counts.get('failed', 0)} lỗi).",
            err=True,
        )

    threading.Thread(target=wait, name="papi-first-start", daemon=True).start()


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str | None, typer.Option("--host", help="Địa chỉ lắng nghe (mặc định PAPI_SERVER__HOST).")
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="Cổng (mặc định PAPI_SERVER__PORT).", min=1, max=65535),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", help="Số tiến trình phục vụ; > 1 cần PAPI_CHROMA_URL.", min=1, max=64
        ),
    ] = 1,
) -> None:
    """Chạy máy chủ API + giao diện web / run the API and web UI server."""
    import uvicorn

    from api.app import create_app

    settings: Settings = ctx.obj
    if workers > 1 and not settings.chroma_url:
        typer.echo(
            "Lỗi: --workers > 1 cần máy chủ Chroma (PAPI_CHROMA_URL=http://host:port, ví dụ "
            "`chroma run`); kho nhúng trong PAPI_DATA_DIR không an toàn khi nhiều tiến trình "
            "cùng mở. / Several workers need a Chroma server (PAPI_CHROMA_URL): the embedded "
            "store is not safe across processes.",
            err=True,
        )
        raise typer.Exit(code=2)
    assistant = _assistant(ctx)
    # First start: index the corpus in the background of this one process while the
    # server answers at once (health and the UI say so; answers may be incomplete).
    first_start = assistant.submit_ensure_corpus()
    if first_start is not None:
        typer.echo(
            f"Lần chạy đầu: đang lập chỉ mục {first_start.progress.total} tệp từ "
            f"{settings.corpus_dir} trong nền; máy chủ trả lời ngay, câu trả lời có thể chưa "
            "đầy đủ cho đến khi xong. / First start: indexing the corpus in the background.",
            err=True,
        )
        _report_when_done(assistant, first_start.id)
    bind_host = host or settings.server.host
    bind_port = port or settings.server.port
    url_host = f"[{bind_host}]" if ":" in bind_host else bind_host
    typer.echo(f"PAPI Assistant: http://{url_host}:{bind_port}/ui  (API: /docs)", err=True)
    # Whether admin is on, never the token itself.
    admin = "bật" if settings.admin_token.get_secret_value() else "tắt (chưa đặt PAPI_ADMIN_TOKEN)"
    typer.echo(f"Quản trị / admin: {admin}", err=True)
    if workers == 1:
        uvicorn.run(
            create_app(assistant, settings), host=bind_host, port=bind_port, log_level="info"
        )
        return
    # The first-start ingest runs once, in this supervising process (kept alive for it);
    # each worker process builds its own assistant from the same PAPI_* environment and
    # follows the store's generation token as the documents land.
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_level="info",
    )


@app.command()
def quiz(
    ctx: typer.Context,
    n: Annotated[int, typer.Option("--n", help="Số câu hỏi.", min=1, max=500)] = 10,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="json | gift | aiken | moodle-xml | csv | docx | md (bản in)."
        ),
    ] = "md",
    seed: Annotated[
        int | None, typer.Option("--seed", help="Hạt giống: cùng hạt giống, cùng đề.")
    ] = None,
    document: Annotated[
        list[str] | None, typer.Option("--document", help="Chỉ hỏi về văn bản này.")
    ] = None,
    dimension: Annotated[
        list[int] | None, typer.Option("--dimension", help="Chỉ hỏi về chỉ số PAPI (1–8).")
    ] = None,
    item_type: Annotated[
        list[str] | None,
        typer.Option("--type", help="mcq | true_false | cloze (mặc định: cả ba)."),
    ] = None,
    llm: Annotated[
        bool, typer.Option("--llm", help="Mô hình ngôn ngữ viết lại câu hỏi (cần rà soát).")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Ghi ra tệp (mặc định: stdout).")
    ] = None,
) -> None:
    """Tạo câu hỏi trắc nghiệm cho giảng viên / generate a validated quiz."""
    assistant = _assistant(ctx)
    try:
        made = assistant.quiz(
            n=n, types=item_type, documents=document, dimensions=dimension, seed=seed, llm=llm
        )
        content, _media_type, filename = assistant.export_quiz(made, fmt)
    except ValueError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if out is None and fmt == "docx" and sys.stdout.isatty():
        typer.echo(f"Lỗi: docx là tệp nhị phân; dùng --out {filename}", err=True)
        raise typer.Exit(code=2)
    if out is not None:
        out.write_bytes(content)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
    review = sum(1 for item in made.items if item.needs_review)
    typer.echo(
        f"{len(made.items)} câu (seed {made.seed})"
        + (f", {review} câu cần rà soát" if review else "")
        + (f" → {out}" if out is not None else ""),
        err=True,
    )


def _day(value: str | None) -> Any:
    """``--today`` as a date; ValueError (shown as a usage error) when malformed."""
    from datetime import date

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"Ngày không hợp lệ: {value!r} (YYYY-MM-DD) / invalid date") from exc


@app.command()
def show(
    ctx: typer.Context,
    document_id: Annotated[str, typer.Argument(help="Mã văn bản.")],
    as_json: JsonFlag = False,
) -> None:
    """Xem một văn bản và các đoạn đã lưu / a document's metadata and stored passages."""
    detail = _assistant(ctx).show(document_id)
    if detail is None:
        typer.echo(f"Không có văn bản '{document_id}' / no such document.", err=True)
        raise typer.Exit(code=1)
    if as_json:
        _print_json(detail)
        return
    doc = detail["document"]
    for key in ("id", "title", "doc_type", "number", "issuer", "issue_date", "status"):
        typer.echo(f"{key}: {doc[key]}")
    for key in ("superseded_by", "notes", "source"):
        if doc[key]:
            typer.echo(f"{key}: {doc[key]}")
    typer.echo(f"passages: {len(detail['passages'])}")
    for passage in detail["passages"]:
        page = f" (trang {passage['page']})" if passage["page"] is not None else ""
        typer.echo(f"\n[{passage['index']}] {passage['section'] or '—'}{page}")
        typer.echo(passage["text"])


@app.command()
def tasks(
    ctx: typer.Context,
    document: Annotated[str | None, typer.Option("--document", help="Mã văn bản.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Đơn vị (có hoặc không dấu).")] = None,
    dimension: Annotated[
        int | None, typer.Option("--dimension", help="Chỉ số PAPI (1–8).", min=1, max=8)
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help='In JSON {"tasks": [...]}.')] = False,
    fmt: Annotated[
        str | None, typer.Option("--format", help="docx | xlsx | md | ics (xuất tệp).")
    ] = None,
    out: OutFile = None,
    today: Today = None,
) -> None:
    """Nhiệm vụ của từng đơn vị theo kế hoạch / each unit's tasks and deadlines."""
    assistant = _assistant(ctx)
    try:
        found = assistant.tasks(
            document_id=document, unit=unit, dimension=dimension, today=_day(today)
        )
        if fmt is not None:
            content, _media, filename = assistant.export_tasks(found, fmt)
    except ValueError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if fmt is not None:
        if out is None and fmt in ("docx", "xlsx") and sys.stdout.isatty():
            typer.echo(f"Lỗi: {fmt} là tệp nhị phân; dùng --out {filename}", err=True)
            raise typer.Exit(code=2)
        if out is not None:
            out.write_bytes(content)
            typer.echo(f"{len(found)} nhiệm vụ → {out}", err=True)
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        return
    if as_json:
        payload = json.dumps({"tasks": [t.to_dict() for t in found]}, ensure_ascii=False)
        if out is not None:
            out.write_text(payload + "\n", encoding="utf-8")
        else:
            typer.echo(payload)
        return
    if not found:
        typer.echo("Không có nhiệm vụ nào khớp bộ lọc.")
        return
    for task in found:
        when = task.deadline or task.recurrence or "không nêu thời hạn"
        flag = " [Quá hạn]" if task.overdue else ""
        typer.echo(f"[{task.status}]{flag} {task.unit} ({task.role}) — {when}")
        typer.echo(f"   {task.action}")
        typer.echo(f"   {task.section_ref or task.section or '—'} · {task.id}")
    typer.echo(f"{len(found)} nhiệm vụ.")


@app.command()
def report(
    ctx: typer.Context,
    document: Annotated[str, typer.Option("--document", help="Mã văn bản (kế hoạch).")],
    fmt: Annotated[str, typer.Option("--format", help="docx | md")] = "md",
    out: OutFile = None,
    today: Today = None,
) -> None:
    """Báo cáo kết quả thực hiện kế hoạch (khung) / results report skeleton by dimension."""
    assistant = _assistant(ctx)
    try:
        content, _media, filename = assistant.task_report(document, fmt, today=_day(today))
    except ValueError as exc:
        typer.echo(f"Lỗi: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    if out is None and fmt == "docx" and sys.stdout.isatty():
        typer.echo(f"Lỗi: docx là tệp nhị phân; dùng --out {filename}", err=True)
        raise typer.Exit(code=2)
    if out is not None:
        out.write_bytes(content)
        typer.echo(f"Đã ghi {out}", err=True)
    else:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()


def main() -> None:
    """Console-script entry point: build settings once, run the Typer app."""
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: show the fix, not a traceback
        typer.echo(f"Cấu hình không hợp lệ / invalid configuration:\n{exc}", err=True)
        raise SystemExit(2) from exc
    app(obj=settings)


if __name__ == "__main__":
    main()
