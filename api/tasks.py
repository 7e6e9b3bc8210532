"""Task routes: the plan's tasks, their status (admin) and exports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.deps import Admin, AssistantDep, TasksLimited
from api.errors import ApiError

router = APIRouter(prefix="/api/tasks", tags=["nhiệm vụ"], dependencies=[TasksLimited])

DocumentQuery = Annotated[str | None, Query(alias="document", description="Mã văn bản.")]
UnitQuery = Annotated[str | None, Query(description="Đơn vị (có hoặc không dấu).")]
DimensionQuery = Annotated[int | None, Query(ge=1, le=8, description="Chỉ số PAPI 1–8.")]
TodayQuery = Annotated[date | None, Query(description="Ngày so hạn (mặc định: hôm nay).")]


class StatusUpdate(BaseModel):
    """A new checklist state for one task."""

    status: Literal["chưa làm", "đang làm", "đã xong"]
    note: str = Field("", max_length=2000)
    evidence: str = Field("", max_length=1000, description="Đường dẫn minh chứng.")
    by: str = Field("", max_length=200, description="Người cập nhật.")


def _tasks(
    assistant: Any,
    document: str | None,
    unit: str | None,
    dimension: int | None,
    today: date | None,
) -> list[Any]:
    try:
        tasks: list[Any] = assistant.tasks(
            document_id=document, unit=unit, dimension=dimension, today=today
        )
    except ValueError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return tasks


@router.get("", summary="Nhiệm vụ theo kế hoạch / tasks")
def list_tasks(
    assistant: AssistantDep,
    document: DocumentQuery = None,
    unit: UnitQuery = None,
    dimension: DimensionQuery = None,
    today: TodayQuery = None,
) -> dict[str, Any]:
    """Every task the live plans assign (filters as in ``papi tasks``)."""
    found = _tasks(assistant, document, unit, dimension, today)
    return {"tasks": [t.to_dict() for t in found]}


@router.get("/export", summary="Tải danh sách nhiệm vụ / export tasks")
def export_tasks(
    assistant: AssistantDep,
    format: Annotated[Literal["md", "docx", "xlsx", "ics", "json"], Query()] = "xlsx",
    document: DocumentQuery = None,
    unit: UnitQuery = None,
    dimension: DimensionQuery = None,
    today: TodayQuery = None,
) -> Response:
    """The filtered tasks as a file."""
    found = _tasks(assistant, document, unit, dimension, today)
    content, media, filename = assistant.export_tasks(found, format)
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/report", summary="Khung báo cáo kết quả / results report")
def task_report(
    assistant: AssistantDep,
    document: Annotated[str, Query(description="Mã văn bản.")],
    format: Annotated[Literal["md", "docx"], Query()] = "docx",
    today: TodayQuery = None,
) -> Response:
    """ "Báo cáo kết quả thực hiện Kế hoạch …" grouped by the eight dimensions."""
    try:
        content, media, filename = assistant.task_report(document, format, today=today)
    except ValueError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.put(
    "/{task_id}/status",
    dependencies=[Admin],
    tags=["quản trị"],
    summary="Cập nhật trạng thái nhiệm vụ / set task status",
)
def set_status(task_id: str, body: StatusUpdate, assistant: AssistantDep) -> dict[str, Any]:
    """Set a task's status with a note and an evidence link (admin token)."""
    try:
        record = assistant.set_task_status(
            task_id, body.status, note=body.note, evidence=body.evidence, by=body.by
        )
    except ValueError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return {
        "id": record.task_id,
        "status": record.status,
        "note": record.note,
        "evidence": record.evidence,
        "updated_by": record.updated_by,
        "updated_at": record.updated_at,
    }
