"""Task extraction evaluation: precision/recall of tasks, unit, deadline, role and
dimension accuracy against our gold tasks (eval/tasks/*.gold.jsonl).

Plans are parsed through the real ingest path (``ingest.parse_file``) and extracted with
``assistant.tasks.extract_tasks``, exactly as the facade does on the live chunks.

* a task is one unit's part in one action; a predicted task matches a gold one when its
  action contains the gold's distinctive substring (folded) and its unit is the gold
  unit (folded, aliases resolved); one-to-one, first come first served;
* unit accuracy: per gold action, whether the set of units predicted for it is exactly
  the gold set;
* deadline accuracy: over matched tasks, ``due`` and ``recurrence`` both equal the gold.

Gold rows marked ``"heldout": true`` belong to a plan kept out of tuning: by default it is
not scored; ``--heldout`` scores it (report those figures, do not tune on them).

    python scripts/eval_tasks.py [--heldout] [--append docs/evaluation.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from assistant.tasks import extract_tasks  # noqa: E402
from assistant.tasks.folding import key  # noqa: E402
from assistant.tasks.units import unit_key  # noqa: E402
from ingest import parse_bytes, parse_file  # noqa: E402

GOLD = REPO / "eval" / "tasks"
PLANS = {
    "ke-hoach-papi-2023-bql-kkt-kcn-quang-nam": REPO
    / "corpus"
    / "ke-hoach-papi-2023-ban-quan-ly-kkt-kcn-quang-nam.md",
}


def _strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("đ", "d").replace("Đ", "D")


def _plan_path(plan: str) -> Path:
    return PLANS.get(plan, GOLD / f"{plan}.md")


def score(gold: list[dict[str, Any]], predicted: list[Any]) -> dict[str, Any]:
    """Figures for one plan's gold rows against its predicted tasks."""
    used: set[int] = set()
    matched: list[tuple[dict[str, Any], Any]] = []
    for row in gold:
        needle, unit = key(row["action"]), unit_key(row["unit"])
        for i, task in enumerate(predicted):
            if i not in used and needle in key(task.action) and unit_key(task.unit) == unit:
                used.add(i)
                matched.append((row, task))
                break
    groups: dict[str, set[str]] = defaultdict(set)
    for row in gold:
        groups[key(row["action"])].add(unit_key(row["unit"]))
    units_ok = sum(
        1
        for needle, units in groups.items()
        if {unit_key(t.unit) for t in predicted if needle in key(t.action)} == units
    )
    deadline_ok = sum(
        1
        for row, task in matched
        if (task.due or None) == row["due"] and task.recurrence == (row["recurrence"] or "")
    )
    n = len(matched)
    misses = [f"{r['unit']} · {r['action']}" for r in gold if all(r is not m for m, _ in matched)]
    extra = [f"{t.unit} · {t.action[:60]}" for i, t in enumerate(predicted) if i not in used]
    return {
        "gold": len(gold),
        "predicted": len(predicted),
        "matched": n,
        "precision": round(n / len(predicted), 3) if predicted else 0.0,
        "recall": round(n / len(gold), 3) if gold else 0.0,
        "unit_accuracy": round(units_ok / len(groups), 3) if groups else 0.0,
        "deadline_accuracy": round(deadline_ok / n, 3) if n else 0.0,
        "role_accuracy": round(sum(r["role"] == t.role for r, t in matched) / n, 3) if n else 0.0,
        "dimension_accuracy": (
            round(sum(r["dimension"] == t.dimension for r, t in matched) / n, 3) if n else 0.0
        ),
        "missed": misses,
        "extra": extra,
    }


def carryover() -> None:
    """How alike distinct tasks of one unit are, and how alike a task stays after typical
    revisions: the evidence for :data:`assistant.tasks.carry.SIMILARITY`."""
    import itertools
    import random
    import re

    from assistant.tasks.carry import SIMILARITY, similarity

    rng = random.Random(7)
    distinct: list[float] = []
    edits: dict[str, list[float]] = defaultdict(list)
    paths = [p for p in [*PLANS.values(), *sorted(GOLD.glob("*.md"))] if "heldout2" not in p.name]
    for path in paths:
        parsed = parse_file(path)
        tasks = extract_tasks(parsed.chunks, parsed.info)
        by_unit: dict[str, set[str]] = defaultdict(set)
        for task in tasks:
            by_unit[unit_key(task.unit)].add(task.action)
        for actions in by_unit.values():
            distinct += [similarity(a, b) for a, b in itertools.combinations(sorted(actions), 2)]
        for action in sorted({t.action for t in tasks}):
            dated = re.sub(r"\d{1,2}/\d{1,2}/\d{4}", "31/12/2026", action)
            if dated != action:
                edits["a date changed"].append(similarity(action, dated))
            appended = action + " và báo cáo kết quả về Văn phòng"
            edits["a clause appended"].append(similarity(action, appended))
            words = action.split()
            words[rng.randrange(len(words))] = "điều chỉnh"
            edits["one word replaced"].append(similarity(action, " ".join(words)))
            if ";" in action:
                edits["last clause dropped"].append(similarity(action, action.rsplit(";", 1)[0]))
    print("$ python scripts/eval_tasks.py --carryover")
    print(
        f"distinct tasks of one unit: {len(distinct)} pairs, max similarity {max(distinct):.3f}, "
        f"{sum(d >= SIMILARITY for d in distinct)} at or above {SIMILARITY}"
    )
    for name, values in edits.items():
        share = sum(v >= SIMILARITY for v in values) / len(values)
        print(
            f"{name}: {len(values)} tasks, carried (≥ {SIMILARITY}) {share:.3f}, "
            f"min similarity {min(values):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heldout", action="store_true", help="also score the held-out plan")
    parser.add_argument("--append", type=Path, help="append the figures to this Markdown file")
    parser.add_argument("--verbose", action="store_true", help="list misses and extras")
    parser.add_argument(
        "--carryover", action="store_true", help="measure the status carry-over threshold"
    )
    args = parser.parse_args()
    if args.carryover:
        carryover()
        return
    by_plan: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for path in sorted(GOLD.glob("*.gold.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_plan[row["plan"]].append(row)
    results: dict[str, dict[str, Any]] = {}
    for plan, gold in by_plan.items():
        heldout = any(r.get("heldout") for r in gold)
        if heldout and not args.heldout:
            continue
        path = _plan_path(plan)
        parsed = parse_file(path)
        figures = score(gold, extract_tasks(parsed.chunks, parsed.info))
        figures["split"] = "held-out" if heldout else "tuning"
        results[plan] = figures
        # The same plan typed without diacritics (gold compared folded).
        plain = _strip_diacritics(path.read_text(encoding="utf-8"))
        parsed = parse_bytes(plain.encode("utf-8"), path.name)
        figures = score(gold, extract_tasks(parsed.chunks, parsed.info))
        figures["split"] = "held-out" if heldout else "tuning"
        results[f"{plan} (khong dau)"] = figures
    header = (
        f"{'plan':45} {'split':8} {'gold':>4} {'pred':>4} {'P':>6} {'R':>6} {'unit':>6} "
        f"{'deadl':>6} {'role':>6} {'dim':>6}"
    )
    lines = [header]
    for plan, f in results.items():
        lines.append(
            f"{plan[-45:]:45} {f['split']:8} {f['gold']:4d} {f['predicted']:4d} "
            f"{f['precision']:6.3f} {f['recall']:6.3f} {f['unit_accuracy']:6.3f} "
            f"{f['deadline_accuracy']:6.3f} {f['role_accuracy']:6.3f} "
            f"{f['dimension_accuracy']:6.3f}"
        )
    command = "python scripts/eval_tasks.py" + (" --heldout" if args.heldout else "")
    print(f"$ {command}")
    print("\n".join(lines))
    if args.verbose:
        for plan, f in results.items():
            for miss in f["missed"]:
                print(f"  MISS {plan}: {miss}")
            for extra in f["extra"]:
                print(f"  EXTRA {plan}: {extra}")
    if args.append:
        block = [
            "",
            "## Task extraction (plan → tasks)",
            "",
            f"`{command}`",
            "",
            "```",
            *lines,
            "```",
            "",
        ]
        with args.append.open("a", encoding="utf-8") as out:
            out.write("\n".join(block))


if __name__ == "__main__":
    main()
