"""Fixed Chinese sentences of the outreach log, from ``prompts/outreach.toml``."""

from __future__ import annotations

from functools import partial

from knowledge.templates import items as template_items
from knowledge.templates import sentences

text = sentences("outreach")
items = partial(template_items, "outreach")
