"""``pufa ingest``, ``pufa cite``, ``pufa search`` and ``pufa ask`` (see DESIGN.md for the contracts)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from bot.cli.parsing import add_command
from bot.records.validate import check_domains
from bot.settings import Settings
from knowledge.models import Hit

if TYPE_CHECKING:
    from knowledge.models import Answer


def add_parsers(subparsers: argparse._SubParsersAction) -> None:
    ingest = add_command(
        subparsers,
        "ingest",
        "建立或更新知识库索引（只嵌入改动的条文；失败时旧索引原样可用）",
        "pufa ingest",
        "pufa ingest ../shared/regulations --quiet",
    )
    ingest.add_argument("dir", nargs="?", type=Path, help="法规目录（默认 PUFA_CORPUS_DIR）")
    ingest.add_argument("--quiet", action="store_true", help="不显示进度条")
    ingest.add_argument(
        "--force",
        action="store_true",
        help="即使整理数据（knowledge/data）引用的文档 id 被改名或删除也继续（给出警告）；索引已损坏时丢弃并重建",
    )
    ingest.set_defaults(func=run_ingest)

    cite = add_command(
        subparsers,
        "cite",
        "按引用输出条文原文及完整出处",
        "pufa cite 人遗条例第22条",
        "pufa cite 生物安全法第五十六条",
    )
    cite.add_argument("ref", nargs="+", help="引用，例如 《实验动物管理条例》第十二条")
    cite.set_defaults(func=run_cite)

    search = add_command(
        subparsers,
        "search",
        "检索与问题最相关的条文（向量 + BM25 混合检索）",
        'pufa search "实验动物运输有什么要求" -k 5',
        'echo \'{"id": 1, "question": "样本出境要审批吗"}\' | pufa search --jsonl',
    )
    search.add_argument("question", nargs="*", help="问题")
    search.add_argument("-k", type=int, default=10, help="返回条数（默认 10）")
    search.add_argument("--json", action="store_true", help="输出 JSON")
    search.add_argument("--jsonl", action="store_true", help="批量：stdin 每行 {id, question}")
    search.add_argument("--as-of", type=date.fromisoformat, metavar="YYYY-MM-DD", help="检索该日期有效的版本")
    search.add_argument("--domain", metavar="领域", help="只检索某一领域，如 实验动物、人类遗传资源")
    search.set_defaults(func=run_search)

    ask = add_command(
        subparsers,
        "ask",
        "以普法答复的形式回答一个问题",
        "pufa ask 我们和外企合作做测序要审批吗？",
        'echo \'{"id": 1, "question": "动物房要消毒吗"}\' | pufa ask --jsonl',
    )
    ask.add_argument("question", nargs="*", help="问题")
    ask.add_argument("--jsonl", action="store_true", help="批量：stdin 每行 {id, question}")
    ask.set_defaults(func=run_ask)


def run_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.pipeline import run_ingest as ingest
    from knowledge.index.embedders import make_embedder
    from knowledge.index.store import ChromaLocation

    corpus_dir = args.dir or settings.corpus_dir
    embedder = make_embedder(settings.embedding_backend, settings.embedding_model)
    location = ChromaLocation.from_settings(settings.data_dir, settings.chroma_host, settings.chroma_port)
    try:
        summary, warnings = ingest(
            corpus_dir,
            settings.data_dir,
            embedder,
            location,
            show_progress=not args.quiet,
            case_dirs=[settings.cases_dir],
            force=args.force,
        )
    finally:
        embedder.close()
    if not settings.cases_dir.is_dir():
        warnings.append(f"{settings.cases_dir}: 已公布案例目录不存在，未导入（set PUFA_CASES_DIR）")
    for warning in warnings:
        print(f"警告：{warning}", file=sys.stderr)
    print(summary.line())
    return 0


def run_cite(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.assistant import Assistant

    result = Assistant.open_library(settings.data_dir).cite(" ".join(args.ref))
    if not result.found:
        print(result.message, file=sys.stderr)
        return 1
    for quoted in result.quotes:
        print(quoted.citation)
        print(quoted.text)
        if quoted.notice:
            print(f"\n{quoted.notice}")
        print()
    return 0


def _batch(stream: BinaryIO) -> list[tuple[object, str]]:
    """``{"id": ..., "question": ...}`` lines; a bad line (not JSON, not UTF-8) is an error naming its number."""
    items: list[tuple[object, str]] = []
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SystemExit(f"stdin:{number}: {_NOT_UTF8}（invalid UTF-8）") from exc
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            items.append((record["id"], str(record["question"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(
                f'stdin:{number}: 需要 JSON 对象 {{"id": ..., "question": ...}}（{exc}）'
            ) from exc
    return items


_NOT_UTF8 = "输入不是 UTF-8 编码的文本，请以 UTF-8 编码提供问题"


def _question(words: list[str]) -> str:
    """The question from the command line; bytes that are not UTF-8 are refused, never half-read."""
    question = " ".join(words)
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as exc:  # argv bytes that were not UTF-8 arrive as lone surrogates
        raise SystemExit(f"{_NOT_UTF8}（invalid UTF-8 in the arguments）") from exc
    return question


def run_search(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.assistant import Assistant

    domain = check_domains((args.domain,))[0] if args.domain else None  # 实验动物 or a code; else an error
    assistant = Assistant.open(settings)
    if args.jsonl:
        for item_id, question in _batch(sys.stdin.buffer):
            hits = assistant.search(question, 10, args.as_of, domain)
            print(
                json.dumps({"id": item_id, "results": [_hit(h) for h in hits]}, ensure_ascii=False),
                flush=True,
            )
        return 0
    question = _question(args.question).strip()
    if not question:
        print('请提供问题，例如：pufa search "实验动物能否混养"', file=sys.stderr)
        return 2
    hits = assistant.search(question, args.k, args.as_of, domain)
    if args.json:
        print(json.dumps([_hit(h) for h in hits], ensure_ascii=False, indent=2))
    else:
        for rank, hit in enumerate(hits, start=1):
            print(f"{rank:2d}. {hit.score:.4f}  《{hit.title}》第{hit.ref.article}条  [{hit.ref.doc_id}]")
    return 0


def _hit(hit: Hit) -> dict[str, object]:
    return {
        "doc_id": hit.ref.doc_id,
        "article": hit.ref.article,
        "score": round(hit.score, 6),
        "title": hit.title,
    }


def ask_record(item_id: object, answer: Answer) -> dict[str, object]:
    """One ``pufa ask --jsonl`` output line (DESIGN.md contract, plus the typical cases by id)."""
    from bot.render import render_plain

    return {
        "id": item_id,
        "answer": render_plain(answer),
        "citations": [ref.as_dict() for ref in answer.citations],
        "declined": answer.declined,
        "mode": answer.mode,
        "confident": answer.confident,
        "cases": [{"id": cited.id} for cited in answer.cases],
    }


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.render import render_plain
    from knowledge.assistant import Assistant

    batch = _batch(sys.stdin.buffer) if args.jsonl else []  # the input is checked before the index is opened
    question = "" if args.jsonl else _question(args.question)
    assistant = Assistant.open(settings)
    if args.jsonl:
        for item_id, asked in batch:
            print(json.dumps(ask_record(item_id, assistant.ask(asked)), ensure_ascii=False), flush=True)
        return 0
    print(render_plain(assistant.ask(question)))
    return 0
