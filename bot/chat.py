"""`pufa chat`: the bot's conversation in a terminal, line by line; works with piped stdin too."""

from __future__ import annotations

import getpass
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from bot.records.turns.answer import Asker, record_answer
from bot.render import (
    render_cases_plain,
    render_hits_plain,
    render_plain,
    render_quoted_plain,
    text,
    texts_section,
)
from knowledge.answers.followup import Conversations
from knowledge.cases.lookup import cite_case, find_cases
from knowledge.models import ArticleRef

if TYPE_CHECKING:
    from bot.records.services import Records
    from knowledge.assistant import Assistant

logger = logging.getLogger("bot.chat")

COMMANDS = ("cite", "search", "laws", "cases", "source", "help", "quit")
_ALIASES = texts_section("chat_aliases")
_EXAMPLES = {"cite": "bot.cite_example", "search": "bot.search_example"}


def parse_line(line: str) -> tuple[str | None, str]:
    """``(command, argument)`` for ``/cite X`` or ``cite X`` (slash optional), else ``(None, line)``.

    A line that starts with a slash but names no command gives ``("unknown", line)``.
    """
    head, _, rest = line.partition(" ")
    word = head.lstrip("/").lower()
    word = _ALIASES.get(word, word)
    if word in COMMANDS:
        return word, rest.strip()
    if head.startswith("/"):
        return "unknown", line
    return None, line


class TerminalChat:
    """One terminal conversation: answers go to ``out``, every answer is logged as a turn."""

    def __init__(
        self, assistant: Assistant, records: Records, out: TextIO, user: str | None = None
    ) -> None:
        self.assistant = assistant
        self.records = records
        self.out = out
        self.user = user or getpass.getuser()
        self.last_refs: tuple[ArticleRef, ...] = ()
        self.conversations = Conversations()  # follow-ups are read with the previous turn

    def say(self, body: str) -> None:
        self.out.write(body.rstrip("\n") + "\n\n")
        self.out.flush()

    def handle(self, line: str) -> bool:
        """Handle one input line; False when the user wants to quit."""
        command, argument = parse_line(line)
        if command == "quit":
            return False
        actions: dict[str | None, Callable[[str], None]] = {
            None: self.ask,
            "cite": self.cite,
            "search": self.search,
            "laws": lambda _: self.say(self.assistant.laws_text()),
            "cases": self.cases,
            "source": lambda _: self.source(),
            "help": lambda _: self.say(text("chat.help")),
            "unknown": lambda _: self.say(text("chat.unknown_command")),
        }
        if command in _EXAMPLES and not argument:
            self.say(text("chat.empty_argument", example=text(_EXAMPLES[command])))
            return True
        try:
            actions[command](argument)
        except Exception as exc:  # noqa: BLE001 - one failing question must not end the session
            logger.debug("terminal question failed", exc_info=True)
            logger.error("question failed: %s", type(exc).__name__)
            self.say(text("bot.error"))
        return True

    def ask(self, question: str) -> None:
        asker = Asker(person_key=f"term:{self.user}", display_name=self.user, channel="terminal")
        # logged (database or spool) before the answer is shown
        answer, _ = record_answer(
            self.conversations.of(self.user, self.assistant), self.records.turns, question, asker
        )
        self.last_refs = tuple(answer.citations)
        self.say(render_plain(answer))

    def cite(self, reference: str) -> None:
        result = self.assistant.cite(reference)
        self.say(render_quoted_plain(result.quotes) if result.found else result.message)

    def search(self, question: str) -> None:
        self.say(render_hits_plain(question, self.assistant.search(question, 5)))

    def cases(self, query: str) -> None:
        library = self.assistant.library
        self.say(render_cases_plain(query, [cite_case(library, c) for c in find_cases(library, query)]))

    def source(self) -> None:
        if not self.last_refs:
            self.say(text("chat.source_none"))
            return
        self.say(render_quoted_plain([self.assistant.quote(ref) for ref in self.last_refs]))


def run_chat(
    assistant: Assistant,
    records: Records,
    stdin: TextIO,
    stdout: TextIO,
    user: str | None = None,
    interactive: bool | None = None,
) -> int:
    """Read questions from ``stdin`` until EOF or /quit. The banner and prompt appear only on a TTY."""
    interactive = stdin.isatty() if interactive is None else interactive
    chat = TerminalChat(assistant, records, stdout, user)
    if interactive:
        chat.say(text("chat.banner"))
    while True:
        if interactive:
            stdout.write(text("chat.prompt"))
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            break
        if not line:
            break
        line = line.strip()
        if line and not chat.handle(line):
            break
    if interactive:
        chat.say(text("chat.bye"))
    return 0
