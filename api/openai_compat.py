"""OpenAI-compatible ``/v1/models`` and ``/v1/chat/completions`` (plain and streaming).

Existing chat front ends and the official ``openai`` client can talk to the assistant.
The message content carries the answer with its [n] markers followed by a short source
list; the structured citations travel in extra top-level fields (``citations``,
``grounded``, ``related``) of the completion, or of the last chunk when streaming.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AssistantDep, RateLimited
from api.errors import ApiError, error_body
from api.schemas import EXAMPLE_QUESTION, ErrorResponse, Filters
from assistant.answer.model import Answer

MODEL_ID = "papi-assistant"
SOURCES_HEADING = "**Nguồn:**"
RELATED_HEADING = "**Văn bản liên quan:**"

router = APIRouter(prefix="/v1", tags=["tương thích OpenAI"])
log = logging.getLogger("api")


class ChatMessage(BaseModel):
    """One message; ``content`` may be a string or a list of text parts."""

    model_config = ConfigDict(extra="ignore")

    role: str = Field(examples=["user"])
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text (text parts joined; images and other parts ignored)."""
        if isinstance(self.content, str):
            return self.content
        parts = self.content or []
        return "\n".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")


class ChatCompletionRequest(BaseModel):
    """The subset of the OpenAI chat request the assistant uses; other fields are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [{"role": "user", "content": EXAMPLE_QUESTION}],
                },
                {
                    "model": MODEL_ID,
                    "stream": True,
                    "messages": [
                        {"role": "system", "content": "Trả lời ngắn gọn."},
                        {"role": "user", "content": "Chỉ số PAPI gồm những nội dung nào?"},
                    ],
                },
            ]
        },
    )

    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False
    filters: Filters | None = Field(
        None, description="Phần mở rộng / extension: restrict to documents or PAPI dimensions."
    )


class ModelCard(BaseModel):
    """One model."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    """The models this server offers (one: the assistant)."""

    object: Literal["list"] = "list"
    data: list[ModelCard]


_STARTED = int(time.time())


@router.get("/models", response_model=ModelList, summary="Danh sách mô hình / list models")
def list_models() -> ModelList:
    """Một mô hình: trợ lý PAPI / a single model: the assistant."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=_STARTED, owned_by="papi-assistant")])


@router.post(
    "/chat/completions",
    dependencies=[RateLimited],
    responses={
        200: {
            "description": "`chat.completion`, hoặc luồng SSE `chat.completion.chunk` khi "
            "`stream: true` / a completion, or an SSE stream of chunks",
            "content": {"text/event-stream": {}},
        },
        422: {"model": ErrorResponse},
        429: {"model": ErrorResponse},
    },
    summary="Hỏi đáp kiểu OpenAI / OpenAI-style chat completion",
)
def chat_completions(body: ChatCompletionRequest, assistant: AssistantDep) -> Any:
    """Câu hỏi là tin nhắn `user` cuối cùng; các tin trước là lịch sử hội thoại.

    The last `user` message is the question; earlier user/assistant messages are the
    history (system messages are ignored: the assistant's behaviour is fixed).
    """
    question, history = _conversation(body.messages)
    filters = body.filters.as_dict() if body.filters else None
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    created = int(time.time())
    if body.stream:
        events = assistant.ask_stream(question, history, filters)
        return StreamingResponse(
            _sse(events, completion_id, created, body.model),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
    answer = assistant.ask(question, history, filters)
    return JSONResponse(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": created,
            "model": body.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": message_content(answer)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            **_extras(answer),
        }
    )


def _conversation(messages: list[ChatMessage]) -> tuple[str, list[dict[str, str]]]:
    turns = [(m.role, m.text()) for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise ApiError(
            422,
            "no_question",
            "Tin nhắn cuối cùng phải là câu hỏi của người dùng / "
            "the last message must be a non-empty user message",
        )
    history = [{"role": role, "content": _strip_sources(text)} for role, text in turns[:-1]]
    return turns[-1][1].strip(), history


def _strip_sources(text: str) -> str:
    """Drop the source list we appended to an earlier answer (clients send it back)."""
    for heading in (SOURCES_HEADING, RELATED_HEADING):
        text = text.split(f"\n\n{heading}\n", 1)[0]
    return text


def sources_block(answer: Answer) -> str:
    """The short source list appended to the answer text (Markdown)."""
    if answer.citations:
        lines = [SOURCES_HEADING]
        for c in answer.citations:
            label = c.title + (f" ({c.number})" if c.number else "")
            lines.append(f"- [{c.n}] {label}" + (f" — {c.section}" if c.section else ""))
        return "\n".join(lines)
    if answer.related:
        lines = [RELATED_HEADING]
        for r in answer.related:
            label = r.title + (f" ({r.number})" if r.number else "")
            lines.append(f"- {label}" + (f" — {r.section}" if r.section else ""))
        return "\n".join(lines)
    return ""


def message_content(answer: Answer) -> str:
    """The answer with [n] markers, then the source list."""
    block = sources_block(answer)
    return f"{answer.answer}\n\n{block}" if block else answer.answer


def _extras(answer: Answer) -> dict[str, Any]:
    data = answer.as_dict()
    return {"citations": data["citations"], "related": data["related"], "grounded": answer.grounded}


def _chunk(
    completion_id: str,
    created: int,
    model: str,
    delta: dict[str, Any],
    finish: str | None = None,
    **extra: Any,
) -> str:
    payload = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _sse(
    events: Iterable[str | Answer], completion_id: str, created: int, model: str
) -> Iterator[str]:
    yield _chunk(completion_id, created, model, {"role": "assistant", "content": ""})
    try:
        for event in events:
            if isinstance(event, Answer):
                block = sources_block(event)
                if block:
                    yield _chunk(completion_id, created, model, {"content": f"\n\n{block}"})
                yield _chunk(completion_id, created, model, {}, "stop", **_extras(event))
            elif event:
                yield _chunk(completion_id, created, model, {"content": event})
    except Exception:  # noqa: BLE001 - headers are sent; report the failure in-band
        log.exception("streamed chat completion failed")
        error = error_body("internal_error", "Lỗi máy chủ / internal server error")
        yield f"data: {json.dumps(error, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"
