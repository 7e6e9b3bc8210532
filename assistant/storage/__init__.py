"""Persistence in Chroma: chunks, the manifest, the generation token and the writer lease."""
