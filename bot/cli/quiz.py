"""``pufa quiz`` (questions as text or JSON) and ``pufa exam`` (a Word paper and its answer key)."""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from bot.cli.parsing import add_command
from bot.records.training.messages import text
from bot.settings import Settings
from knowledge.index.snapshot import read_snapshot
from knowledge.law.library import Library
from knowledge.quiz import QuizBank
from knowledge.quiz.topics import topic_names
from knowledge.templates import text as template


def command_parser(
    subparsers: argparse._SubParsersAction, name: str, key: str, **values: object
) -> argparse.ArgumentParser:
    """A sub-command with Chinese help, description (``cli.KEY_description``, else the help) and example."""
    help_text = text(f"cli.{key}_help")
    try:
        description = text(f"cli.{key}_description", **values)
    except KeyError:
        description = help_text
    example = text(f"cli.{key}_example").removeprefix("示例：")
    return add_command(subparsers, name, help_text, example, description=description)


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    """Register ``quiz`` and ``exam`` on the ``pufa`` parser."""
    topics = "、".join(topic_names())
    quiz = command_parser(subparsers, "quiz", "quiz")
    quiz.add_argument("--n", type=int, default=10, help=text("cli.n_help"))
    quiz.add_argument("--seed", type=int, help=text("cli.seed_help"))
    quiz.add_argument("--topic", help=text("cli.topic_help", topics=topics))
    quiz.add_argument("--json", action="store_true", help=text("cli.json_help"))
    quiz.set_defaults(func=run_quiz)

    exam = command_parser(subparsers, "exam", "exam")
    exam.add_argument("--questions", type=int, default=50, help=text("cli.questions_help"))
    exam.add_argument("--seed", type=int, help=text("cli.seed_help"))
    exam.add_argument("--topics", nargs="+", metavar="TOPIC", help=text("cli.topics_help", topics=topics))
    exam.add_argument("--out", type=Path, required=True, metavar="FILE.docx", help=text("cli.out_help"))
    exam.set_defaults(func=run_exam)


def _seed(args: argparse.Namespace) -> int:
    """The seed asked for, or a fresh one told on stderr so the paper can be made again."""
    if args.seed is not None:
        return int(args.seed)
    seed = random.SystemRandom().randrange(1, 1_000_000)
    print(text("cli.seed_used", seed=seed), file=sys.stderr)
    return seed


def _bank(settings: Settings) -> QuizBank:
    return QuizBank.from_library(Library(read_snapshot(settings.data_dir)))


def run_quiz(args: argparse.Namespace, settings: Settings) -> int:
    seed = _seed(args)
    questions = _bank(settings).paper(args.n, seed, [args.topic] if args.topic else None)
    if args.json:
        print(json.dumps([q.as_dict() for q in questions], ensure_ascii=False, indent=2))
        return 0
    for number, q in enumerate(questions, start=1):
        kind = template("quiz", f"kinds.{q.kind}")
        print(text("cli.quiz_line", number=number, topic=q.topic, kind=kind, question=q.question))
        for letter, choice in zip("ABCDEFGH", q.choices, strict=False):
            print(text("cli.quiz_choice", letter=letter, choice=choice))
        print(text("cli.quiz_answer", answer=q.answer, citation=q.citation))
    return 0


def run_exam(args: argparse.Namespace, settings: Settings) -> int:
    from bot.reports.exam import write_exam

    seed = _seed(args)
    bank = _bank(settings)
    topics = args.topics or bank.topics
    questions, points = bank.exam(args.questions, seed, topics)
    paper, key = write_exam(questions, points, args.out, seed, topics)
    print(text("cli.exam_written", paper=paper, answers=key))
    return 0
