"""The closed-book exam paper and its answer key as Word documents (headings, tables, Chinese fonts)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.records.training.messages import text, value
from bot.reports import word
from knowledge.law.numerals import to_chinese
from knowledge.quiz import KINDS, Question
from knowledge.templates import text as template

LETTERS = "ABCDEFGH"


def key_path(paper: Path) -> Path:
    """``考试.docx`` → ``考试-答案.docx`` next to it."""
    return paper.with_name(f"{paper.stem}-答案{paper.suffix or '.docx'}")


def _kind_label(kind: str) -> str:
    return template("quiz", f"kinds.{kind}")


def _numbered(questions: Sequence[Question]) -> list[tuple[int, Question]]:
    """Questions grouped by kind (in the paper's order), numbered from 1 across sections."""
    ordered = [q for kind in KINDS for q in questions if q.kind == kind]
    return list(enumerate(ordered, start=1))


def _answer(question: Question) -> str:
    if question.choices:
        return f"{LETTERS[question.answer_index]}（{question.answer}）"
    return question.answer


def write_exam(
    questions: Sequence[Question], out: Path, seed: int, topics: Sequence[str]
) -> tuple[Path, Path]:
    """Write the paper to ``out`` and the key to ``key_path(out)``; return both paths."""
    numbered = _numbered(questions)
    points = f"{100 / len(questions):.3g}"
    paper = word.new_document()
    paper.add_heading(text("exam.title"), level=0)
    paper.add_paragraph(text("exam.candidate"))
    paper.add_paragraph(
        text("exam.rules", count=len(questions), points=points, topics="、".join(topics), seed=seed)
    )
    section = 0
    for kind in KINDS:
        group = [(n, q) for n, q in numbered if q.kind == kind]
        if not group:
            continue
        section += 1
        heading = text("exam.section", number=to_chinese(section), kind=_kind_label(kind), count=len(group))
        paper.add_heading(heading, level=1)
        for number, question in group:
            paper.add_paragraph(text("exam.item", number=number, question=question.question))
            for letter, choice in zip(LETTERS, question.choices, strict=False):
                paper.add_paragraph(text("exam.choice", letter=letter, choice=choice), style="List")
            paper.add_paragraph(text("exam.answer_line"))
    paper_path = word.save(paper, out)

    key = word.new_document()
    key.add_heading(text("exam.key_title"), level=0)
    key.add_paragraph(
        text("exam.rules", count=len(questions), points=points, topics="、".join(topics), seed=seed)
    )
    rows = [(n, _kind_label(q.kind), q.topic, _answer(q), q.citation) for n, q in numbered]
    word.add_table(key, value("exam.key_header"), rows)
    key.add_heading(text("exam.sources"), level=1)
    seen: set[tuple[str, int]] = set()
    for _, question in numbered:
        if (question.doc_id, question.article) in seen:
            continue
        seen.add((question.doc_id, question.article))
        key.add_heading(question.citation, level=2)
        for line in question.text.splitlines():
            key.add_paragraph(line)
        if question.notice:
            key.add_paragraph().add_run(question.notice).italic = True
    return paper_path, word.save(key, key_path(out))
