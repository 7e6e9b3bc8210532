"""Grounded answers: query analysis, evidence, the gate, composition, follow-ups, the LLM."""
