"""The briefing as an outline of blocks (headings, paragraphs, tables, a page break), which the Word and
Markdown writers render alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.briefing.content import Briefing, CheckItem
from bot.records.reports.labels import domain_label
from bot.render import case_lines
from knowledge.templates import table, text

Kind = Literal["title", "heading1", "heading2", "paragraph", "table", "page_break"]
MAX_QUESTIONS = 30  # listed in the briefing (latest first); the rest are counted


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths_cm: tuple[float, ...] = ()  # Word column widths (A4 minus margins is about 16.6 cm)


def _t(key: str, **values: object) -> str:
    return text("briefing", key, **values)


def _header(key: str) -> tuple[str, ...]:
    section, name = key.split(".")
    return tuple(table("briefing")[section][name])


def _domains(briefing: Briefing) -> str:
    labels = [domain_label(d) for d in briefing.unit.domains]
    return "、".join(labels) or _t("doc.none")


def briefing_outline(briefing: Briefing) -> list[Block]:
    """The whole briefing: profile, questions, checklist, cases, then the handout on its own page."""
    unit = briefing.unit
    blocks = [
        Block("title", _t("doc.title")),
        Block("paragraph", _t("doc.subtitle", unit=unit.name, date=briefing.end.isoformat())),
        Block("heading1", _t("doc.profile")),
        Block(
            "table",
            header=_header("doc.profile_header"),
            rows=(
                (_t("doc.profile_name"), unit.name),
                (_t("doc.profile_code"), unit.credit_code),
                (_t("doc.profile_licence"), unit.licence_no or _t("doc.none")),
                (_t("doc.profile_domains"), _domains(briefing)),
                (_t("doc.profile_address"), unit.address or _t("doc.none")),
                (_t("doc.profile_contact"), unit.contact or _t("doc.none")),
            ),
            widths_cm=(4.0, 12.6),
        ),
        *_questions(briefing),
        Block("heading1", _t("doc.checklist")),
        Block("paragraph", _t("doc.checklist_intro")),
        Block(
            "table",
            header=_header("doc.checklist_header"),
            rows=tuple(
                (
                    str(i),
                    (_t("doc.asked_mark") if item.asked else "") + item.obligation.duty,
                    item.article,
                    f"{item.penalty}：{item.obligation.range}",
                    _t("doc.checklist_box"),
                )
                for i, item in enumerate(briefing.checklist, 1)
            ),
            widths_cm=(0.9, 5.3, 2.7, 6.4, 1.3),
        ),
        Block("heading1", _t("doc.cases")),
        *_cases(briefing),
        Block("page_break"),
        *handout_outline(briefing, heading=_t("doc.handout")),
    ]
    return blocks


def _questions(briefing: Briefing) -> list[Block]:
    span = {"start": briefing.start.isoformat(), "end": briefing.end.isoformat()}
    blocks = [Block("heading1", _t("doc.questions"))]
    if not briefing.questions:
        return [*blocks, Block("paragraph", _t("doc.questions_none", **span))]
    blocks.append(Block("paragraph", _t("doc.questions_summary", count=len(briefing.questions), **span)))
    blocks.append(
        Block(
            "table",
            header=_header("doc.articles_header"),
            rows=tuple((c, str(n)) for c, n in briefing.articles),
        )
    )
    latest = list(reversed(briefing.questions))[:MAX_QUESTIONS]
    rows = tuple(
        (q.asked_at.date().isoformat(), q.question or _t("doc.questions_forgotten"), "、".join(q.articles))
        for q in latest
    )
    blocks.append(
        Block("table", header=_header("doc.questions_header"), rows=rows, widths_cm=(2.4, 8.4, 5.8))
    )
    if len(briefing.questions) > MAX_QUESTIONS:
        blocks.append(
            Block("paragraph", _t("doc.questions_more", count=len(briefing.questions) - MAX_QUESTIONS))
        )
    return blocks


def _cases(briefing: Briefing) -> list[Block]:
    if not briefing.cases:
        return [Block("paragraph", _t("doc.cases_none"))]
    blocks: list[Block] = []
    for index, cited in enumerate(briefing.cases, 1):
        blocks.append(Block("heading2", _t("doc.case_heading", index=index, party=cited.case.party)))
        blocks += [Block("paragraph", line) for line in case_lines(cited)[1:]]
    return blocks


def handout_outline(briefing: Briefing, heading: str = "") -> list[Block]:
    """The one-page handout: the unit's most important rules in plain words, and the cases' lessons."""
    unit = briefing.unit
    blocks = [Block("heading1", heading)] if heading else []
    blocks += [
        Block("heading2" if heading else "title", _t("handout.title", unit=unit.name)),
        Block("paragraph", _t("handout.intro")),
    ]
    for first, group in _same_penalty(briefing.handout):
        blocks += [
            Block(
                "paragraph",
                _t(
                    "handout.item",
                    index=i,
                    duty=item.obligation.duty.rstrip("。；;，,："),
                    article=item.article,
                ),
            )
            for i, item in enumerate(group, first)
        ]
        last = first + len(group) - 1
        blocks.append(
            Block(
                "paragraph",
                _t(
                    "handout.penalty_one" if last == first else "handout.penalty_many",
                    first=first,
                    last=last,
                    range=group[0].obligation.range.rstrip("。"),
                    penalty=group[0].penalty,
                ),
            )
        )
    blocks += [
        Block("paragraph", _t("handout.case", party=c.case.party, lesson=c.case.lesson))
        for c in briefing.cases
    ]
    blocks.append(Block("paragraph", _t("handout.footer", date=briefing.end.isoformat())))
    return blocks


def _same_penalty(items: list[CheckItem]) -> list[tuple[int, list[CheckItem]]]:
    """Runs of consecutive handout items sanctioned alike (same penalty article and range), numbered from 1."""
    runs: list[tuple[int, list[CheckItem]]] = []
    for index, item in enumerate(items, 1):
        key = (item.obligation.penalty, item.obligation.range)
        if runs and (runs[-1][1][-1].obligation.penalty, runs[-1][1][-1].obligation.range) == key:
            runs[-1][1].append(item)
        else:
            runs.append((index, [item]))
    return runs
