"""The closed-book exam paper and its answer key as Word documents (headings, tables, Chinese fonts)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.records.training.messages import text, value
from bot.reports import word
from knowledge.law.numerals import to_chinese
from knowledge.quiz import KINDS, Question
from knowledge.templates import text as template

LETTERS = "ABCDEFGH"
# The answer key's table: 题号, 题型, 分值, 答案, 出处 — one line per question on A4 (16.6 cm between margins).
KEY_WIDTHS_CM = (1.2, 2.0, 1.2, 4.0, 8.2)
KEY_FONT_PT = 9.0


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
    """The key's answer: the letter of a choice question, the words of a true/false or fill question."""
    if question.choices and question.kind != "truefalse":
        return LETTERS[question.answer_index]
    return question.answer


def _sections(numbered: Sequence[tuple[int, Question]]) -> list[tuple[str, list[tuple[int, Question]]]]:
    return [(kind, group) for kind in KINDS if (group := [(n, q) for n, q in numbered if q.kind == kind])]


def write_exam(
    questions: Sequence[Question],
    points: Mapping[str, int],
    out: Path,
    seed: int,
    topics: Sequence[str],
) -> tuple[Path, Path]:
    """Write the paper to ``out`` and the key to ``key_path(out)``; return both paths. ``points``: whole
    points per question of each kind, summing to 100 over the paper."""
    numbered = _numbered(questions)
    sections = _sections(numbered)
    scoring = "；".join(
        text("exam.scoring", kind=_kind_label(kind), count=len(group), points=points[kind])
        for kind, group in sections
    )
    rules = text("exam.rules", count=len(questions), scoring=scoring, topics="、".join(topics), seed=seed)
    paper = word.new_document()
    paper.add_heading(text("exam.title"), level=0)
    paper.add_paragraph(text("exam.candidate"))
    paper.add_paragraph(rules)
    for section, (kind, group) in enumerate(sections, 1):
        heading = text(
            "exam.section",
            number=to_chinese(section),
            kind=_kind_label(kind),
            count=len(group),
            points=points[kind],
            subtotal=points[kind] * len(group),
        )
        paper.add_heading(heading, level=1)
        for number, question in group:
            paper.add_paragraph(text("exam.item", number=number, question=question.question))
            for letter, choice in zip(LETTERS, question.choices, strict=False):
                paper.add_paragraph(text("exam.choice", letter=letter, choice=choice), style="List")
            paper.add_paragraph(text("exam.answer_line"))
    paper_path = word.save(paper, out)

    key = word.new_document()
    key.add_heading(text("exam.key_title"), level=0)
    key.add_paragraph(rules)
    rows = [(n, _kind_label(q.kind), points[q.kind], _answer(q), q.source) for n, q in numbered]
    word.add_table(key, value("exam.key_header"), rows, KEY_WIDTHS_CM, font_pt=KEY_FONT_PT, no_wrap=(4,))
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
