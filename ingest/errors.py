"""The one exception ``ingest`` raises for files it cannot turn into chunks."""

from __future__ import annotations


class IngestError(ValueError):
    """A file is corrupt, unsupported, empty, encrypted, binary or too large.

    ``reason`` is a short bilingual message (Vietnamese / English) meant to be shown
    to the person who uploaded the file, e.g. "Tệp rỗng / empty file".
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
