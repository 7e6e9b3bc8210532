"""Web UI (Gradio), mounted by the API app at /ui."""
