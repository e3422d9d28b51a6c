"""The public chat at ``/``: ask, follow up, 👍/👎, clear one's own history (same rules as the bot)."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.limits import QuestionLimiter
from bot.records.turns.answer import Asker, record_answer
from bot.render import text as bot_text
from bot.web.auth import client_address, services
from bot.web.conversation import Conversations, WebTurn
from bot.web.pages import page, redirect
from bot.web.security import checked_form, text
from knowledge.answers.followup import Conversations as FollowUps

MAX_QUESTION = 500
ADDRESS_FACTOR = 5  # an office behind one address holds several visitors
DISPLAY_NAME = "网页访客"


@dataclass
class PublicChat:
    """The per-process state of the public page: conversations and the two question limits."""

    conversations: Conversations
    followups: FollowUps
    per_visitor: QuestionLimiter
    per_address: QuestionLimiter

    @classmethod
    def create(cls, questions_per_minute: int) -> PublicChat:
        return cls(
            Conversations(),
            FollowUps(),
            QuestionLimiter(questions_per_minute),
            QuestionLimiter(questions_per_minute * ADDRESS_FACTOR),
        )


def chat_state(request: Request) -> PublicChat:
    state: PublicChat = request.app.state.public_chat
    return state


def visitor(request: Request) -> str:
    """This browser's visitor id (kept in the signed session cookie)."""
    value = request.session.get("visitor")
    if not isinstance(value, str):
        value = secrets.token_urlsafe(12)
        request.session["visitor"] = value
    return value


def person_key(visitor_id: str) -> str:
    return f"web:{visitor_id}"


async def chat_page(request: Request) -> Response:
    conversation = chat_state(request).conversations.of(visitor(request))
    return page(
        request,
        "public/chat.html",
        turns=conversation.turns,
        example=bot_text("bot.question_example"),
        max_question=MAX_QUESTION,
    )


async def ask(request: Request) -> Response:
    form = await checked_form(request)
    question = str(form.get("question", "")).strip()
    if not question:
        example = bot_text("bot.question_example")
        return redirect("/", ("error", text("errors.question_empty", example=example)), request)
    if len(question) > MAX_QUESTION:
        return redirect("/", ("error", text("errors.question_too_long", limit=MAX_QUESTION)), request)
    state, who = chat_state(request), visitor(request)
    wait = max(state.per_visitor.check(who), state.per_address.check(client_address(request)))
    if wait:
        message = text("errors.rate_limited", seconds=math.ceil(wait), limit=state.per_visitor.per_minute)
        return redirect("/", ("error", message), request)
    web = services(request)
    previous = state.followups.previous(person_key(who))
    in_context = state.followups.resolve(person_key(who), question) != question
    follow_up = state.followups.of(person_key(who), web.assistant)
    asker = Asker(person_key(who), DISPLAY_NAME, "web")
    # answered and logged (database or spool) before it is shown
    answer, record = await web.think(record_answer, follow_up, web.records.turns, question, asker)
    request.state.answer_ms = record.latency_ms
    sources = [web.assistant.quote(ref) for ref in answer.citations]
    used = previous.question if previous and in_context else ""
    turn = WebTurn(record.uid, question, answer, sources, record.asked_at, used)
    state.conversations.add(who, turn)
    return redirect(f"/#t-{record.uid}")


async def feedback(request: Request) -> Response:
    form = await checked_form(request)
    uid, sign = str(form.get("turn", "")), str(form.get("value", ""))
    if sign not in ("+1", "-1"):
        raise HTTPException(400, text("errors.turn_unknown"))
    who = visitor(request)
    web = services(request)
    turn = chat_state(request).conversations.of(who).find(uid)
    owner = person_key(who) if turn else await web.run(web.records.turns.owner, uid)
    if owner != person_key(who):
        raise HTTPException(404, text("errors.turn_unknown"))
    value = 1 if sign == "+1" else -1
    if not await web.run(web.records.turns.record_feedback, uid, value):
        raise HTTPException(404, text("errors.turn_unknown"))
    if turn is not None:
        turn.feedback = value
    return redirect(f"/#t-{uid}", ("ok", bot_text("bot.feedback_recorded")), request)


async def forget_page(request: Request) -> Response:
    return page(request, "public/forget.html")


async def forget(request: Request) -> Response:
    """Erase this visitor's questions (as /forget does in the bot) and start a fresh visitor id."""
    await checked_form(request)
    who = visitor(request)
    web = services(request)
    await web.run(web.records.people.forget, person_key(who))
    chat_state(request).conversations.clear(who)
    chat_state(request).followups.forget(person_key(who))
    request.session.pop("visitor", None)
    return redirect("/", ("ok", bot_text("bot.forget_done")), request)


routes = [
    Route("/", chat_page),
    Route("/ask", ask, methods=["POST"]),
    Route("/feedback", feedback, methods=["POST"]),
    Route("/forget", forget_page),
    Route("/forget", forget, methods=["POST"]),
]
