"""The one place a chat model is chosen: a ``match`` on ``LLMSettings.provider``.

Provider packages are imported lazily, so the default (``none``: extractive answers)
needs neither ``langchain-openai`` nor ``langchain-ollama``. A missing package or an
unknown provider raises an error that names the fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.core.settings import LLMSettings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

INSTALL_HINT = "pip install -e '.[llm]'"


class ChatModelError(RuntimeError):
    """The configured language model cannot be built; the message says how to fix it."""


def build_chat_model(settings: LLMSettings) -> BaseChatModel | None:
    """The chat model for *settings*, or None for ``provider="none"``."""
    provider = settings.provider
    match provider:
        case "none":
            return None
        case "openai":
            _require_model(settings)
            try:
                from langchain_openai import ChatOpenAI
            except ImportError as exc:
                raise ChatModelError(
                    f"PAPI_LLM__PROVIDER=openai needs langchain-openai: {INSTALL_HINT}"
                ) from exc
            # Local servers (vLLM, llama.cpp, LM Studio) accept any key; the client needs one.
            key = settings.api_key.get_secret_value() or "not-needed"
            return ChatOpenAI(
                model=settings.model,
                base_url=settings.base_url or None,
                api_key=key,  # type: ignore[arg-type]
                temperature=settings.temperature,
                timeout=settings.timeout_s,
                max_retries=1,
            )
        case "ollama":
            _require_model(settings)
            try:
                from langchain_ollama import ChatOllama
            except ImportError as exc:
                raise ChatModelError(
                    f"PAPI_LLM__PROVIDER=ollama needs langchain-ollama: {INSTALL_HINT}"
                ) from exc
            return ChatOllama(
                model=settings.model,
                base_url=settings.base_url or None,
                temperature=settings.temperature,
                client_kwargs={"timeout": settings.timeout_s},
            )
        case _:
            raise ChatModelError(
                f"Unknown PAPI_LLM__PROVIDER {provider!r}: use none, openai or ollama "
                f"(the last two need {INSTALL_HINT})"
            )


def _require_model(settings: LLMSettings) -> None:
    if not settings.model:
        raise ChatModelError(
            f"PAPI_LLM__MODEL is required with PAPI_LLM__PROVIDER={settings.provider} "
            "(the model name on the server, e.g. qwen2.5:7b-instruct)"
        )
