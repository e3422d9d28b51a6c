"""Sentences of the bureau's records in Telegram, from ``prompts/bureau.toml``."""

from __future__ import annotations

from knowledge.templates import sentences

say = sentences("bureau")  # the sentence at ``section.name`` of prompts/bureau.toml
