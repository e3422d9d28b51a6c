"""Inspectors' daily practice (/quiz: one question at a time, inline-keyboard answers, the article after
each answer, a streak, results stored) and the admins' training summary (/training [年份])."""

from __future__ import annotations

import asyncio
import contextlib
import html
import random
import time
from dataclasses import dataclass, field

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.records.training.entries import TrainingError
from bot.records.training.log import TrainingLog
from bot.records.training.messages import text
from bot.render import render_text_html
from bot.telegram.base import Context, deps, person_key, reply_text, send_parts
from bot.telegram.handlers.inspector import _year, requires
from knowledge.quiz import Question, QuizBank
from knowledge.templates import text as template

LETTERS = "ABCD"
CALLBACK_PATTERN = r"^qz:([0-9a-f]{12}:\d|next|stop)$"
_FRESH_TRIES = 8  # draws to find a question this drill has not asked yet


@dataclass
class Drill:
    """One inspector's practice in progress (kept in memory; results go to the database as answered)."""

    topic: str | None
    question: Question | None = None
    shown_at: float = 0.0
    streak: int = 0
    best: int = 0
    answered: int = 0
    correct: int = 0
    asked: set[str] = field(default_factory=set)


def _drills(context: Context) -> dict[int, Drill]:
    return context.bot_data.setdefault("quiz_drills", {})


async def _bank(context: Context) -> QuizBank:
    """The question bank over the assistant's articles, built once."""
    bank: QuizBank | None = context.bot_data.get("quiz_bank")
    if bank is None:
        bank = await asyncio.to_thread(QuizBank.from_library, deps(context).assistant.library)
        context.bot_data["quiz_bank"] = bank
    return bank


def _training(context: Context) -> TrainingLog:
    """Training records in the records database."""
    return deps(context).records.training


def _labels(question: Question) -> list[str]:
    return list(question.choices) if question.kind == "truefalse" else list(LETTERS[: len(question.choices)])


def _question_text(question: Question, number: int) -> str:
    kind = template("quiz", f"kinds.{question.kind}")
    lines = [text("bot.question", number=number, topic=question.topic, kind=kind, question=question.question)]
    if question.kind != "truefalse":
        lines += [
            text("bot.choice", letter=letter, choice=choice)
            for letter, choice in zip(LETTERS, question.choices, strict=False)
        ]
    return "\n".join(lines)


async def _ask(context: Context, chat_id: int, drill: Drill) -> None:
    """Draw a question this drill has not asked and send it with one button per choice."""
    bank = await _bank(context)
    rng = random.SystemRandom()
    question = bank.practice(rng.randrange(1 << 30), [drill.topic] if drill.topic else None)
    for _ in range(_FRESH_TRIES):
        if question.id not in drill.asked:
            break
        question = bank.practice(rng.randrange(1 << 30), [drill.topic] if drill.topic else None)
    drill.question, drill.shown_at = question, time.monotonic()
    drill.asked.add(question.id)
    buttons = [
        InlineKeyboardButton(label, callback_data=f"qz:{question.id}:{i}")
        for i, label in enumerate(_labels(question))
    ]
    body = _question_text(question, drill.answered + 1)
    await send_parts(context, chat_id, render_text_html(body), keyboard=InlineKeyboardMarkup([buttons]))


@requires("inspector")
async def on_quiz(update: Update, context: Context) -> None:
    """/quiz [专题]: start a practice drill (a new one replaces an unfinished one)."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None, "guarded commands have a user and a chat"
    topic = " ".join(context.args or []).strip() or None
    bank = await _bank(context)
    if topic is not None and topic not in bank.topics:
        await reply_text(update, context, text("bot.quiz_usage", topics="、".join(bank.topics)))
        return
    drill = _drills(context)[user.id] = Drill(topic)
    await _ask(context, chat.id, drill)


@requires("inspector")
async def on_button(update: Update, context: Context) -> None:
    """An answer button, 下一题 or 结束练习."""
    query = update.callback_query
    assert query is not None and query.data is not None, "registered for callback queries with data"
    user = query.from_user
    chat_id = query.message.chat.id if query.message else user.id
    drill = _drills(context).get(user.id)
    action = query.data.split(":", 1)[1]
    if action == "stop":
        await query.answer()
        if drill is not None:
            del _drills(context)[user.id]
            minutes = f"{_training(context).settings.quiz_minutes_per_question:g}"
            summary = text(
                "bot.finished",
                correct=drill.correct,
                answered=drill.answered,
                best=drill.best,
                minutes=minutes,
            )
            await send_parts(context, chat_id, render_text_html(summary))
        return
    if action == "next":
        await query.answer()
        drill = drill or _drills(context).setdefault(user.id, Drill(None))
        await _ask(context, chat_id, drill)
        return
    question_id, choice = action.split(":")
    question = drill.question if drill else None
    if drill is None or question is None or question.id != question_id:
        await query.answer(text("bot.expired"), show_alert=True)
        return
    await _grade(update, context, drill, question, int(choice))


async def _grade(update: Update, context: Context, drill: Drill, question: Question, choice: int) -> None:
    """Record the answer, then show right/wrong, the streak and the article verbatim."""
    query = update.callback_query
    assert query is not None, "called for a button press"
    labels = _labels(question)
    if choice >= len(labels):
        await query.answer(text("bot.expired"), show_alert=True)
        return
    correct = choice == question.answer_index
    drill.question = None
    drill.answered += 1
    drill.correct += int(correct)
    drill.streak = drill.streak + 1 if correct else 0
    drill.best = max(drill.best, drill.streak)
    seconds = time.monotonic() - drill.shown_at
    credited = True
    try:
        credited = await asyncio.to_thread(
            _training(context).record_answer, person_key(query.from_user), question, correct, seconds
        )
    except TrainingError as error:
        await query.answer(text("bot.not_saved", reason=error), show_alert=True)
    else:
        await query.answer(
            text("bot.right") if correct else text("bot.wrong", answer=labels[question.answer_index])
        )
    if query.message is not None:
        shown = (
            _question_text(question, drill.answered) + "\n" + text("bot.your_answer", answer=labels[choice])
        )
        with contextlib.suppress(BadRequest):  # the question message is gone; the feedback still goes out
            await query.edit_message_text(html.escape(shown), parse_mode=ParseMode.HTML)
    answer = labels[question.answer_index]
    if question.kind != "truefalse":
        answer = text("bot.choice", letter=answer, choice=question.answer)
    lines = [text("bot.right") if correct else text("bot.wrong", answer=answer)]
    if drill.streak >= 2:
        lines.append(text("bot.streak", streak=drill.streak))
    lines += [text("bot.basis", citation=question.citation), question.text]
    if question.notice:
        lines.append(question.notice)
    lines.append(text("bot.tally", correct=drill.correct, answered=drill.answered))
    if not credited:
        settings = _training(context).settings
        seconds_floor = f"{settings.quiz_min_seconds_per_question:g}"
        lines.append(
            text("bot.not_credited", seconds=seconds_floor, cap=settings.quiz_daily_credited_questions)
        )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(text("bot.button_next"), callback_data="qz:next"),
                InlineKeyboardButton(text("bot.button_stop"), callback_data="qz:stop"),
            ]
        ]
    )
    chat_id = query.message.chat.id if query.message else query.from_user.id
    await send_parts(context, chat_id, render_text_html("\n".join(lines)), keyboard=keyboard)


@requires("admin")
async def on_training(update: Update, context: Context) -> None:
    """/training [年份]: the same summary as ``pufa training report``."""
    year = _year(context.args or [])
    if year is None:
        await reply_text(update, context, text("bot.training_usage"))
        return
    try:
        report = await asyncio.to_thread(_training(context).report, year)
    except TrainingError as error:
        await reply_text(update, context, str(error))
        return
    await reply_text(update, context, report.render_text())
