"""HTTP API (FastAPI): thin routes over the assistant facade, an OpenAI-compatible chat API."""
