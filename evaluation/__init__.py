"""Evaluation of retrieval and answers (not in the product package; data lives in ``eval/``)."""
