"""The document manifest: one record per document, listing its live chunks."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any, cast

from ingest.model import DocumentInfo, DocumentStatus


@dataclass(frozen=True)
class ManifestEntry(DocumentInfo):
    """One ingested document: the metadata ingest stated (:class:`DocumentInfo`, declared
    once there) plus what the store adds — how many chunks, when, and which are live."""

    chunks: int = 0
    ingested_at: str = ""
    chunk_ids: tuple[str, ...] = field(default=(), repr=False)

    def public(self) -> dict[str, Any]:
        """The metadata shown to users and APIs (no internal chunk id list)."""
        data = asdict(self)
        data.pop("chunk_ids")
        data["references"] = list(self.references)
        return data

    def to_json(self) -> str:
        """Serialise for the manifest collection."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ManifestEntry:
        """Inverse of :meth:`to_json`; unknown keys from newer versions are ignored."""
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["references"] = tuple(known.get("references", ()))
        known["chunk_ids"] = tuple(known.get("chunk_ids", ()))
        return cls(**known)

    def with_status(self, status: str, superseded_by: str = "") -> ManifestEntry:
        """A copy with a new validity status."""
        return replace(self, status=cast(DocumentStatus, status), superseded_by=superseded_by)
