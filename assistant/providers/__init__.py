"""Model providers behind LangChain's ports: embeddings and (optional) chat models."""
