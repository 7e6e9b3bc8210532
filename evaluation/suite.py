"""``papi eval``: the selected sets over one index of the whole corpus, per split.

One index of ``corpus_dir`` (plan, reference note and library) is built under
*workdir* and reused by every set and every retrieval system (hybrid, BM25 only,
dense only: the same stored chunks, only the fusion weights differ), so a kept
workdir makes re-runs cheap. Every figure is reported for the ``tune`` and the
``heldout`` half separately (eval/README.md); ALQAC retrieval figures are not split,
ALQAC answers (``alqac_answers``) are, by the same rule on the query id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from evaluation.library import (
    by_split,
    load_set,
    score_alqac_answers,
    score_honesty,
    score_library_answers,
    score_library_retrieval,
)
from evaluation.restoration import score_restoration

SETS = ("plan", "library", "unanswerable", "partial", "baseline", "alqac")
"""Set names ``--sets`` accepts (``baseline`` = the naive splitter + dense baseline)."""

SYSTEMS: Mapping[str, Mapping[str, float]] = {
    "hybrid": {},
    "bm25_only": {"dense_weight": 0.0},
    "dense_only": {"lexical_weight": 0.0},
}
"""Retrieval systems scored on the retrieval sets: settings.retrieval overrides."""

DEFAULT_FILES = {
    "plan": Path("eval/plan_questions.jsonl"),
    "out_of_scope": Path("eval/out_of_scope.jsonl"),
    "library": Path("eval/library_questions.jsonl"),
    "unanswerable": Path("eval/unanswerable.jsonl"),
    "partial": Path("eval/partial.jsonl"),
}


def parse_sets(value: str) -> list[str]:
    """``"plan,library"`` -> ``["plan", "library"]``; raises ValueError on an unknown name."""
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        raise ValueError(f"unknown set(s) {unknown}; choose from {', '.join(SETS)}")
    return names


def run_evaluation(
    settings: Any,
    sets: Iterable[str],
    embeddings: Embeddings,
    workdir: Path,
    files: Mapping[str, Path] | None = None,
    systems: Sequence[str] = tuple(SYSTEMS),
    alqac: Path | None = None,
) -> dict[str, Any]:
    """Run the selected *sets*; returns the results dict ``papi eval`` writes."""
    from assistant.core.composition import build_assistant
    from evaluation.answers import score_answers
    from evaluation.retrieval import evaluate_alqac, load_questions, naive_baseline, score_system

    chosen = list(sets)
    paths = {**DEFAULT_FILES, **(files or {})}
    results: dict[str, Any] = {"sets": chosen, "systems": list(systems)}
    corpus_sets = [s for s in chosen if s not in ("alqac", "baseline")]
    assistants: dict[str, Any] = {}
    if corpus_sets or "baseline" in chosen:
        for name in systems:
            retrieval = {**settings.retrieval.model_dump(), **SYSTEMS[name]}
            system_settings = settings.model_copy(
                update={
                    "data_dir": workdir / "corpus-index",
                    "retrieval": type(settings.retrieval)(**retrieval),
                }
            )
            assistant = build_assistant(system_settings, embeddings=embeddings)
            report = assistant.ingest()  # the first system embeds; the others find it unchanged
            if not report.ok:
                raise RuntimeError(f"evaluation corpus failed to ingest: {report.failed}")
            assistants[name] = assistant
        results["corpus"] = {
            "documents": len(next(iter(assistants.values())).documents()),
            "passages": len(next(iter(assistants.values())).chunks()),
        }
    answering = assistants.get("hybrid") or next(iter(assistants.values()), None)
    spelled_sets = [s for s in ("plan", "library", "unanswerable", "partial") if s in chosen]
    if answering is not None and spelled_sets:
        results["restoration"] = score_restoration(
            answering.spelled, [r for s in spelled_sets for r in load_set(paths[s])]
        )

    if "plan" in chosen:
        plan = load_questions(paths["plan"])
        plan_rows = load_set(paths["plan"])
        oos_rows = load_set(paths["out_of_scope"])
        split_of = {r["id"]: r for r in plan_rows}
        plan_report: dict[str, Any] = {}
        for split, split_rows in by_split(plan_rows).items():
            ids = {r["id"] for r in split_rows}
            questions = [q for q in plan if q.id in ids and q.id in split_of]
            part: dict[str, Any] = {"questions": len(questions)}
            for name, assistant in assistants.items():
                part[name] = score_system(questions, _retriever(assistant))
            if answering is not None:
                oos = by_split(oos_rows)[split]
                part["answers"] = score_answers(answering, split_rows, oos)
            plan_report[split] = part
        core = _core_assistant(settings, embeddings, workdir)
        if core is not None:
            # The plan retrieval goal was set on the plan and the reference note alone;
            # the same retriever over those two documents is the like-for-like figure.
            for split, split_rows in by_split(plan_rows).items():
                ids = {r["id"] for r in split_rows}
                questions = [q for q in plan if q.id in ids]
                plan_report[split]["core_corpus"] = score_system(questions, _retriever(core))
        results["plan"] = plan_report

    if "library" in chosen:
        rows = load_set(paths["library"])
        library: dict[str, Any] = {"questions": len(rows)}
        for name, assistant in assistants.items():
            library[name] = score_library_retrieval(rows, _ref_retriever(assistant))
        if answering is not None:
            refs = {
                c.id or "": (str(c.metadata.get("document_id", "")), c.metadata["section_ref"])
                for c in answering.chunks()
            }
            library["answers"] = score_library_answers(answering, rows, refs)
        results["library"] = library

    for name in ("unanswerable", "partial"):
        if name in chosen and answering is not None:
            rows = load_set(paths[name])
            results[name] = {"questions": len(rows), **score_honesty(answering, rows)}

    if "baseline" in chosen and answering is not None:
        documents = _documents_text(answering)
        plan = load_questions(paths["plan"])
        retrieve = naive_baseline(documents, embeddings)
        split_ids = {
            s: {r["id"] for r in rows} for s, rows in by_split(load_set(paths["plan"])).items()
        }
        results["naive_baseline"] = {
            split: score_system([q for q in plan if q.id in ids], retrieve)
            for split, ids in split_ids.items()
        }

    if "alqac" in chosen and alqac is not None and (alqac / "corpus.jsonl").exists():
        results["alqac"] = evaluate_alqac(alqac, embeddings, workdir)
        results["alqac_answers"] = score_alqac_answers(alqac, embeddings, workdir)
    return results


def _core_assistant(settings: Any, embeddings: Embeddings, workdir: Path) -> Any:
    """An assistant over the top-level files of ``corpus_dir`` only (the plan and the
    reference note, without ``library/``), indexed under *workdir*; None when none."""
    from assistant.core.composition import build_assistant

    corpus = Path(settings.corpus_dir)
    core = build_assistant(
        settings.model_copy(update={"data_dir": workdir / "core-index"}), embeddings=embeddings
    )
    kinds = set(core.file_types())
    listed = sorted(corpus.iterdir()) if corpus.is_dir() else []
    files = [p for p in listed if p.is_file() and p.suffix.lower() in kinds]
    if not files:
        return None
    report = core.ingest(files)
    if not report.ok:
        raise RuntimeError(f"core corpus failed to ingest: {report.failed}")
    return core


def _retriever(assistant: Any) -> Any:
    def retrieve(query: str, k: int) -> list[tuple[str, str]]:
        return [(h.document_id, h.text) for h in assistant.search(query, k)]

    return retrieve


def _ref_retriever(assistant: Any) -> Any:
    def retrieve(query: str, k: int) -> list[tuple[str, str]]:
        return [(h.document_id, h.section_ref) for h in assistant.search(query, k)]

    return retrieve


def _documents_text(assistant: Any) -> list[tuple[str, str]]:
    """(document_id, its passages joined) for the naive baseline's own splitter."""
    texts: dict[str, list[str]] = {}
    for chunk in assistant.chunks():
        texts.setdefault(str(chunk.metadata.get("document_id", "")), []).append(chunk.page_content)
    return [(doc_id, "\n\n".join(parts)) for doc_id, parts in texts.items()]


def summary_rows(results: Mapping[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(set, split, system/metric, figure name, value) rows for the CLI's table."""
    rows: list[tuple[str, str, str, str, str]] = []
    for set_name in ("plan", "library"):
        for split, part in (results.get(set_name) or {}).items():
            if not isinstance(part, dict) or split not in ("tune", "heldout"):
                continue
            for system, figures in part.items():
                scores = figures.get("all") if isinstance(figures, dict) else None
                if isinstance(scores, dict) and "mrr" in scores:
                    rows.append((set_name, split, system, "R@5 / MRR", _pair(scores)))
        for system, figures in (results.get(set_name) or {}).items():
            if system in SYSTEMS and isinstance(figures, dict):
                for split in ("tune", "heldout"):
                    scores = figures.get(split, {}).get("all")
                    if scores:
                        rows.append((set_name, split, system, "R@5 / MRR", _pair(scores)))
    for split, figures in ((results.get("library") or {}).get("answers") or {}).items():
        rows.append(
            (
                "library",
                split,
                "answers",
                "grounded+gold / hedged",
                f"{figures['grounded_gold']:.3f} / {figures['hedged']:.3f}",
            )
        )
    for split, part in (results.get("plan") or {}).items():
        answers = part.get("answers") if isinstance(part, dict) else None
        if answers:
            rows.append(
                (
                    "plan",
                    split,
                    "answers",
                    "citation precision / refusal recall",
                    f"{answers['citation_precision']:.3f} / {answers['refusal']['recall']:.3f}",
                )
            )
            rows.append(
                (
                    "plan",
                    split,
                    "answers",
                    "grounded+gold / hedged",
                    f"{answers['grounded_gold']:.3f} / {answers['hedged']:.3f}",
                )
            )
    for split, figures in (results.get("alqac_answers") or {}).items():
        if isinstance(figures, dict) and "cites_gold_article" in figures:
            rows.append(
                (
                    "alqac",
                    split,
                    "answers",
                    "cites gold article / refused",
                    f"{figures['cites_gold_article']:.3f} / {figures['refused']:.3f}",
                )
            )
    for split, figures in (results.get("restoration") or {}).items():
        rows.append(
            (
                "restoration",
                split,
                "spelled",
                "words spelled back as written",
                f"{figures['word_accuracy']:.3f} ({figures['words']} words)",
            )
        )
    for set_name in ("unanswerable", "partial"):
        for split, figures in (results.get(set_name) or {}).items():
            if isinstance(figures, dict) and "honest" in figures:
                rows.append(
                    (
                        set_name,
                        split,
                        "answers",
                        "honest (refused + gap)",
                        f"{figures['honest']:.3f} ({len(figures['false_answers'])} false)",
                    )
                )
    return rows


def _pair(scores: Mapping[str, Any]) -> str:
    return f"{scores['recall@5']:.3f} / {scores['mrr']:.3f}"
