"""The services the web pages call: the same objects the CLI and the bot use, opened once per process."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.records.services import Records
from bot.reports.titles import document_titles
from bot.settings import Settings
from knowledge.assistant import Assistant

T = TypeVar("T")
_ANSWER_THREADS = 4
_RECORD_THREADS = 8


@dataclass
class WebServices:
    """The assistant and the records; blocking calls run in two bounded pools, off the event loop."""

    settings: Settings
    assistant: Assistant
    records: Records
    titles: dict[str, str]
    answering: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(_ANSWER_THREADS, thread_name_prefix="pufa-web-answer")
    )
    recording: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(_RECORD_THREADS, thread_name_prefix="pufa-web-db")
    )

    @classmethod
    def open(cls, settings: Settings, assistant: Assistant | None = None) -> WebServices:
        """Open the index (unless ``assistant`` is given) and the records (NotMigratedError if behind)."""
        assistant = assistant or Assistant.open(settings)
        records = Records.open(settings)
        return cls(settings, assistant, records, document_titles(settings.data_dir, settings.corpus_dir))

    @functools.cached_property
    def _article_choices(self) -> list[str]:
        library = self.assistant.library
        order = {doc.id: i for i, doc in enumerate(library.catalog.documents) if doc.status == "current"}
        refs = sorted((r for r in library.articles if r.doc_id in order), key=lambda r: (order[r.doc_id], r.article))
        return [library.short_citation(ref) for ref in refs]

    def article_choices(self) -> list[str]:
        """``《标题》第N条`` of every article in force, for the article fields' suggestions."""
        return self._article_choices

    async def think(self, work: Callable[..., T], *args: Any) -> T:
        """Run answering work (retrieval, composing) off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.answering, functools.partial(work, *args))

    async def run(self, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a database or file call off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.recording, functools.partial(work, *args, **kwargs))

    def close(self) -> None:
        self.answering.shutdown(wait=False, cancel_futures=True)
        self.recording.shutdown(wait=False, cancel_futures=True)
        self.records.close()
