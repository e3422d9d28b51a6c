"""The LLM mode sees the matched cases as data blocks and may name only those (fake OpenAI server)."""

from __future__ import annotations

import dataclasses

from knowledge.cases.lookup import cite_case
from knowledge.law.library import Library
from knowledge.llm.composer import LlmComposer
from tests.knowledge.llm.test_llm import API_KEY, CANDIDATES, MODEL, extractive, model_reply, server
from tests.support.fake_openai import FakeOpenAI

__all__ = ["server"]  # the fake server fixture, shared with test_llm


def _composer(fake: FakeOpenAI, library: Library) -> LlmComposer:
    return LlmComposer(fake.base_url, API_KEY, MODEL, 5.0, tuple(library.cases.values()))


def test_given_case_reaches_the_model_and_stays_in_the_answer(server: FakeOpenAI, assistant: object) -> None:
    library: Library = assistant.library  # type: ignore[attr-defined]
    given = cite_case(library, library.cases["bgi-huashan-oxford-2015"])
    asked = dataclasses.replace(extractive(), cases=[given])
    server.script(model_reply(advice="华大基因与华山医院未经许可开展国际合作被处罚，请务必先取得批准。"))
    answer = _composer(server, library).compose(asked, CANDIDATES)
    assert answer is not None and answer.mode == "llm"
    assert [c.id for c in answer.cases] == ["bgi-huashan-oxford-2015"]
    user = server.requests[0].messages[1]["content"]
    cases_block = user[user.index("<cases>") : user.index("</cases>")]
    assert '<case marker="C1">' in cases_block and given.case.facts in cases_block
    assert "《中华人民共和国人类遗传资源管理条例》第二十二条" in cases_block
    assert "苏州药明康德" not in user  # only the given case


def test_case_not_given_falls_back_to_extractive(server: FakeOpenAI, assistant: object) -> None:
    library: Library = assistant.library  # type: ignore[attr-defined]
    server.script(model_reply(advice="参考苏州药明康德新药开发股份有限公司一案，务必先审批。"))
    assert _composer(server, library).compose(extractive(), CANDIDATES) is None
    user = server.requests[0].messages[1]["content"]
    assert "<cases>\n\n</cases>" in user
