"""``pufa eval FILE [--answers] [--json]``: retrieval (per method and kind) or answer quality."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from bot.cli.parsing import add_command
from bot.settings import Settings


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(
        subparsers,
        "eval",
        "在评测集上计算检索或答复质量（按题型分列）",
        "pufa eval ../shared/eval/dev.jsonl",
        "pufa eval eval/blind.jsonl --answers",
    )
    parser.add_argument("file", type=Path, help="评测集（JSONL，如 ../shared/eval/dev.jsonl）")
    parser.add_argument("--answers", action="store_true", help="评测答复（引用召回/精确率、拒答、时延）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    parser.set_defaults(func=run_eval)


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.assistant import Assistant
    from knowledge.evaluation import evaluate_answers, evaluate_retrieval, load_items

    items = load_items(args.file)
    assistant = Assistant.open(settings)
    if args.answers:
        assistant.ask("预热")  # the first question loads the tokenizer; keep it out of the latency figures
        result: object = evaluate_answers(assistant, items)
    else:
        result = evaluate_retrieval(assistant, items)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif args.answers:
        _print_answers(result)  # type: ignore[arg-type]
    else:
        print(f"{'method':8s} {'kind':10s} {'n':>3s} {'R@1':>6s} {'R@5':>6s} {'MRR@10':>7s}")
        for method, kinds in result.items():  # type: ignore[attr-defined]
            for kind, row in kinds.items():
                print(
                    f"{method:8s} {kind:10s} {row['n']:3d} {row['recall@1']:6.3f} "
                    f"{row['recall@5']:6.3f} {row['mrr@10']:7.3f}"
                )
    return 0


def _print_answers(table: dict[str, dict[str, float]]) -> None:
    """One row per measure, one column per question kind (``all`` first); ``-`` where it does not apply."""
    kinds = list(table)
    print(f"{'':22s}" + "".join(f"{kind:>13s}" for kind in kinds))
    for name in dict.fromkeys(key for row in table.values() for key in row):
        cells = (table[kind].get(name, math.nan) for kind in kinds)
        print(f"{name:22s}" + "".join(f"{'-':>13s}" if math.isnan(v) else f"{v:13.3f}" for v in cells))
