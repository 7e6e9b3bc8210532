"""Library routes: the PAPI dimension → documents map derived from the documents."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import AssistantDep
from api.schemas import DimensionMapOut

router = APIRouter()


@router.get(
    "/api/dimensions",
    tags=["văn bản"],
    response_model=DimensionMapOut,
    summary="Chỉ số PAPI và văn bản điều chỉnh / dimension → documents map",
)
def dimension_map(assistant: AssistantDep) -> dict[str, Any]:
    """Với mỗi chỉ số nội dung PAPI, các văn bản điều chỉnh nội dung đó, suy ra từ chính
    các văn bản (quy tắc trong trường ``rule``) / for each PAPI dimension, the documents
    that govern it, derived from the documents (the rule is in ``rule``)."""
    return assistant.dimension_map().as_dict()
