"""The briefing and the handout as outlines of blocks (headings, paragraphs, tables, a QR code), which the Word
and Markdown writers render alike. The brief keeps to two A4 pages, the handout to one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.briefing.content import Briefing, CheckItem
from bot.records.reports.labels import domain_label
from knowledge.templates import table, text

Kind = Literal["title", "heading1", "heading2", "paragraph", "small", "table", "qr"]
MAX_QUESTIONS = 8  # listed in the briefing (latest first); the rest are counted
MAX_HISTORY = 6  # earlier on-site sessions listed (latest first)


@dataclass(frozen=True)
class Block:
    kind: Kind
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    widths_cm: tuple[float, ...] = ()  # Word column widths (A4 minus margins is about 16.6 cm)
    no_wrap: tuple[int, ...] = ()  # columns whose cells stay on one line


def _t(key: str, **values: object) -> str:
    return text("briefing", key, **values)


def _header(key: str) -> tuple[str, ...]:
    section, name = key.split(".")
    return tuple(table("briefing")[section][name])


def _domains(briefing: Briefing) -> str:
    labels = [domain_label(d) for d in briefing.unit.domains]
    return "、".join(labels) or _t("doc.none")


def briefing_outline(briefing: Briefing) -> list[Block]:
    """The brief: profile, earlier sessions, this year's questions, the checklist, cases and versions."""
    unit = briefing.unit
    none = _t("doc.none")
    return [
        Block("title", _t("doc.title")),
        Block("paragraph", _t("doc.subtitle", unit=unit.name, date=briefing.end.isoformat())),
        Block("heading1", _t("doc.profile")),
        Block(
            "table",
            rows=(
                (_t("doc.profile_name"), unit.name, _t("doc.profile_code"), unit.credit_code),
                (
                    _t("doc.profile_domains"),
                    _domains(briefing),
                    _t("doc.profile_licence"),
                    unit.licence_no or none,
                ),
                (
                    _t("doc.profile_address"),
                    unit.address or none,
                    _t("doc.profile_contact"),
                    unit.contact or none,
                ),
            ),
            widths_cm=(2.2, 6.4, 3.2, 4.8),
        ),
        *_history(briefing),
        *_questions(briefing),
        Block("heading1", _t("doc.checklist")),
        Block("small", _t("doc.checklist_intro")),
        Block(
            "table",
            header=_header("doc.checklist_header"),
            rows=tuple(
                (
                    str(i),
                    (_t("doc.asked_mark") if item.asked else "") + item.obligation.duty,
                    item.article,
                    f"{item.penalty}：{item.sanction}",
                    _t("doc.checklist_box"),
                )
                for i, item in enumerate(briefing.checklist, 1)
            ),
            widths_cm=(1.0, 7.6, 2.4, 3.6, 2.0),
            no_wrap=(0, 4),
        ),
        *[Block("small", line) for line in briefing.versions],
        Block("heading1", _t("doc.cases")),
        *_cases(briefing),
    ]


def _history(briefing: Briefing) -> list[Block]:
    blocks = [Block("heading1", _t("doc.history"))]
    if not briefing.history:
        return [*blocks, Block("paragraph", _t("doc.history_none"))]
    inspections = {s.inspection_no for s in briefing.history if s.inspection_no}
    blocks.append(
        Block(
            "paragraph",
            _t("doc.history_summary", sessions=len(briefing.history), inspections=len(inspections)),
        )
    )
    rows = tuple(
        (
            s.started_at.date().isoformat(),
            s.inspection_no or _t("doc.none"),
            "、".join(s.inspectors),
            "" if s.attendees is None else str(s.attendees),
            s.topic or s.note or "",
        )
        for s in list(reversed(briefing.history))[:MAX_HISTORY]
    )
    blocks.append(
        Block("table", header=_header("doc.history_header"), rows=rows, widths_cm=(2.4, 3.2, 3.0, 1.6, 6.4))
    )
    return blocks


def _questions(briefing: Briefing) -> list[Block]:
    span = {"start": briefing.start.isoformat(), "end": briefing.end.isoformat()}
    blocks = [Block("heading1", _t("doc.questions"))]
    if not briefing.questions:
        return [*blocks, Block("paragraph", _t("doc.questions_none", **span))]
    articles = "、".join(f"{c}（{n}次）" for c, n in briefing.articles) or _t("doc.none")
    blocks.append(
        Block(
            "paragraph", _t("doc.questions_summary", count=len(briefing.questions), articles=articles, **span)
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
        case = cited.case
        blocks.append(Block("heading2", _t("doc.case_heading", index=index, title=case.title)))
        blocks.append(
            Block(
                "small",
                _t(
                    "doc.case_body",
                    facts=case.facts,
                    penalty="；".join(case.penalty),
                    lesson=case.lesson,
                    basis_then=case.basis_then,
                    rules="、".join(cited.rules),
                ),
            )
        )
    return blocks


def handout_outline(briefing: Briefing, bot_username: str = "") -> list[Block]:
    """The one-page handout: the unit's rules for every domain in its words, who is in charge now, a case,
    how to reach the bot (its @name and a QR code) and the unit's receipt."""
    unit = briefing.unit
    blocks = [
        Block("title", _t("handout.title", unit=unit.name)),
        Block("paragraph", _t("handout.intro", domains=_domains(briefing))),
    ]
    number = 1
    for domain in dict.fromkeys(item.domain for item in briefing.handout):
        items = [item for item in briefing.handout if item.domain == domain]
        blocks.append(Block("heading2", _t("handout.domain", domain=domain_label(domain))))
        for first, group in _same_penalty(items, number):
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
                    "small",
                    _t(
                        "handout.penalty_one" if last == first else "handout.penalty_many",
                        first=first,
                        last=last,
                        sanction=group[0].sanction,
                        penalty=group[0].penalty,
                    ),
                )
            )
            number = last + 1
    blocks += [Block("small", _t("handout.note", note=note)) for note in briefing.notes]
    blocks += [
        Block("small", _t("handout.case", title=c.case.title, lesson=c.case.lesson))
        for c in briefing.cases[:1]
    ]
    name = bot_username.lstrip("@")
    if name:
        blocks.append(Block("paragraph", _t("handout.bot", name=name)))
        blocks.append(Block("qr", _t("handout.bot_link", name=name)))
    else:
        blocks.append(Block("paragraph", _t("handout.no_bot")))
    blocks.append(Block("paragraph", _t("handout.receipt", date=briefing.end.isoformat())))
    return blocks


def _same_penalty(items: list[CheckItem], start: int) -> list[tuple[int, list[CheckItem]]]:
    """Runs of consecutive items sanctioned alike (same penalty article and sanction), numbered from ``start``."""
    runs: list[tuple[int, list[CheckItem]]] = []
    for index, item in enumerate(items, start):
        key = (item.obligation.penalty, item.sanction)
        if runs and (runs[-1][1][-1].obligation.penalty, runs[-1][1][-1].sanction) == key:
            runs[-1][1].append(item)
        else:
            runs.append((index, [item]))
    return runs
