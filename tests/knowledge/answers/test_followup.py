"""Follow-ups: an elliptical question is read with the previous turn of the same person; a question with its
own subject starts fresh; one context per person; memory bounded in people and time."""

from __future__ import annotations

import pytest

from knowledge.answers.followup import Conversations, FollowUpTuning, is_elliptical
from knowledge.assistant import Assistant
from knowledge.models import Answer, ArticleRef


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _echo(question: str) -> Answer:
    """An answer function that cites one article and keeps the question it was given."""
    return Answer(question, "结论", basis=[], declined=False)


class TestElliptical:
    @pytest.mark.parametrize(
        "question", ["那罚多少？", "要审批吗？", "英文怎么说", "那如果是外国公司呢？", "还需要备案吗", "罚款多少钱"]
    )
    def test_leaning_on_the_previous_turn(self, question: str) -> None:
        assert is_elliptical(question)

    @pytest.mark.parametrize(
        "question",
        [
            "实验动物需要检疫吗？",
            "人类遗传资源出境要审批吗",
            "病原微生物实验室怎么备案？",
            "我们医院和外国药企合作做基因测序，需要向哪个部门申请审批？",
        ],
    )
    def test_a_question_with_its_own_subject(self, question: str) -> None:
        assert not is_elliptical(question)


class TestConversations:
    def test_follow_up_is_read_with_the_previous_question(self) -> None:
        talks = Conversations()
        talks.ask("a", "实验动物运输需要检疫吗", _echo)
        answer = talks.ask("a", "那罚多少？", _echo)
        assert answer.question == "那罚多少？"  # shown as typed
        assert talks.resolve("a", "要审批吗？").startswith("实验动物运输需要检疫吗 那罚多少？")

    def test_new_topic_starts_fresh(self) -> None:
        talks = Conversations()
        talks.ask("a", "实验动物运输需要检疫吗", _echo)
        talks.ask("a", "人类遗传资源样本出境要审批吗", _echo)
        assert talks.resolve("a", "那罚多少？") == "人类遗传资源样本出境要审批吗 那罚多少？"

    def test_one_context_per_person(self) -> None:
        talks = Conversations()
        talks.ask("a", "实验动物运输需要检疫吗", _echo)
        assert talks.resolve("b", "那罚多少？") == "那罚多少？"

    def test_contexts_expire(self) -> None:
        clock = Clock()
        talks = Conversations(FollowUpTuning(ttl_seconds=60), clock)
        talks.ask("a", "实验动物运输需要检疫吗", _echo)
        clock.now = 61
        assert talks.resolve("a", "那罚多少？") == "那罚多少？"
        assert talks.previous("a") is None

    def test_memory_is_bounded(self) -> None:
        talks = Conversations(FollowUpTuning(max_people=2))
        for person in ("a", "b", "c"):
            talks.ask(person, "实验动物运输需要检疫吗", _echo)
        assert talks.previous("a") is None
        assert talks.previous("b") is not None and talks.previous("c") is not None

    def test_a_declined_turn_is_no_context(self) -> None:
        talks = Conversations()
        talks.ask("a", "今天天气怎么样", lambda q: Answer(q, "抱歉", declined=True))
        assert talks.resolve("a", "那罚多少？") == "那罚多少？"


class TestWithTheAssistant:
    def test_penalty_follow_up_cites_the_liability_article(self, assistant: Assistant) -> None:
        talks = Conversations()
        first = talks.ask("p", "我们想和外国公司合作采集中国人的血液样本做研究，需要审批吗？", assistant.ask)
        assert not first.declined
        follow = talks.ask("p", "那罚多少？", assistant.ask)
        assert not follow.declined, follow.conclusion
        liability = {ArticleRef("hgr-regulation-2019", n) for n in range(36, 48)}
        assert liability & set(follow.citations), follow.citations

    def test_without_context_the_same_words_get_no_penalty_of_a_topic(self, assistant: Assistant) -> None:
        alone = Conversations().ask("q", "那罚多少？", assistant.ask)
        liability = {ArticleRef("hgr-regulation-2019", n) for n in range(36, 48)}
        assert not liability & set(alone.citations)
