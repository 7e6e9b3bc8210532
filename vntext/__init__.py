"""Vietnamese text, shared by ``ingest`` and ``assistant``: normalisation, tokens, lexicons.

Pure: imports nothing of the project, so ``ingest`` stays free of ``assistant``.
"""
