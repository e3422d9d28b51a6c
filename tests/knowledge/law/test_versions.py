"""Versions named in a question (class 4 of issue 9): an earlier version, what an amendment changed, and an
act done before an amendment and handled after it (从旧兼从轻)."""

from __future__ import annotations

from datetime import date

import pytest

from knowledge.assistant import Assistant
from knowledge.law.library import Library
from knowledge.law.versions import (
    act_and_handling,
    compares_versions,
    concerns_amendment,
    law_changes,
    version_asked,
)
from knowledge.models import ArticleRef

OLD, NEW = "biosecurity-law-2020", "biosecurity-law-2024"


def test_cite_says_what_the_amendment_changed(assistant: Assistant) -> None:
    quoted = assistant.cite("生物安全法第五十七条").quoted
    assert quoted.ref.doc_id == NEW
    assert "2024年4月26日修正中有修改" in quoted.notice
    assert "科学技术主管部门”改为“" in quoted.notice and "卫生健康主管部门”" in quoted.notice


def test_unchanged_article_says_so_under_the_old_text_only(assistant: Assistant) -> None:
    assert "未作修改" in assistant.cite("2020年生物安全法第二条").quoted.notice
    assert assistant.cite("生物安全法第二条").quoted.notice == ""


@pytest.mark.parametrize(
    "text", ["旧版生物安全法第八十条", "修正前的生物安全法第七十九条", "生物安全法原版第五十六条原文"]
)
def test_old_version_named_with_an_article(assistant: Assistant, text: str) -> None:
    assert assistant.cite(text).quoted.ref.doc_id == OLD


@pytest.mark.parametrize(
    "question",
    [
        "按2020年版的生物安全法，向境外提供人类遗传资源信息要向哪个部门报告",
        "旧版生物安全法里，国际合作临床试验前向哪个部门备案",
    ],
)
def test_old_version_named_without_an_article_searches_that_version(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert answer.citations and all(r.doc_id != NEW for r in answer.citations)


@pytest.mark.parametrize(
    "question",
    [
        "2021年违法保藏人类遗传资源，2024年底才被查处，罚款按哪个版本的规定",
        "违法行为发生在法律修改之前，现在处理适用新法还是旧法",
        "去年的违规行为，今年规定改了处罚变轻了，按哪个处罚",
    ],
)
def test_act_before_an_amendment_brings_the_from_old_lighter_rule(
    assistant: Assistant, question: str
) -> None:
    answer = assistant.ask(question)
    assert ("admin-penalty-law", 37) in {(r.doc_id, r.article) for r in answer.citations}
    assert any("从旧兼从轻" in n for n in answer.notices)


def test_change_notice_is_computed_from_the_texts(assistant: Assistant) -> None:
    library: Library = assistant.library
    changed = [
        ref.article
        for ref in library.articles
        if ref.doc_id == NEW and "修正中有修改" in library.change_notice(ref)
    ]
    assert 56 in changed and 57 in changed and 2 not in changed


@pytest.mark.parametrize("question", ["生物安全法这次修正改了哪些条", "2024年生物安全法修正有什么变化"])
def test_what_an_amendment_changed_lists_the_changed_articles(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert "第五十六条" in answer.conclusion and "第五十七条" in answer.conclusion
    assert "第二条" not in answer.conclusion
    assert all("修正中有修改" in q.notice for q in answer.basis)


@pytest.mark.parametrize(
    "question", ["2025年修改后的人遗条例全文发我", "人类遗传资源管理条例2024年修订后的原文给我一份"]
)
def test_text_of_a_version_we_do_not_hold_is_declined(assistant: Assistant, question: str) -> None:
    answer = assistant.ask(question)
    assert answer.declined and "尚未收入本知识库" in answer.conclusion


def test_article_of_a_version_we_do_not_hold_is_quoted_from_the_one_we_hold(assistant: Assistant) -> None:
    answer = assistant.ask("2024年修改后的人遗条例第十一条原文")
    assert not answer.declined
    assert answer.citations[0] == ArticleRef("hgr-regulation-2019", 11)
    assert "卫生健康主管部门" in answer.basis[0].notice


class TestVersionNamedInWords:
    @pytest.mark.parametrize(
        "question",
        [
            "生物安全法2020年刚出的那个版本里，采集人类遗传资源由哪个部门批准",
            "2020年最早那一版生物安全法对保藏人类遗传资源怎么规定",
            "生物安全法2020年版，向境外提供信息要报告谁",
        ],
    )
    def test_the_year_dates_the_version(self, assistant: Assistant, question: str) -> None:
        mention = assistant.library.parser.mention(question)
        assert mention is not None
        first = mention.documents[0]
        assert first.id == OLD
        assert version_asked(question, mention.documents) == (first.effective or first.version_date)

    @pytest.mark.parametrize(
        "question",
        [
            "生物安全法修改后罚款幅度变了没有",
            "修正前后第八十条有什么区别",
            "第五十六条变没变",
            "罚款数额有没有变",
        ],
    )
    def test_comparisons(self, question: str) -> None:
        assert compares_versions(question)

    @pytest.mark.parametrize(
        "question", ["生物安全法第八十条", "现在人类遗传资源归谁管", "2020年版生物安全法第五十七条"]
    )
    def test_not_comparisons(self, question: str) -> None:
        assert not compares_versions(question)


BIOSECURITY_CHANGES = (date(2021, 4, 15), date(2024, 4, 26))


class TestTransitionOnlyWhenActAndHandlingStraddleAChange:
    @pytest.mark.parametrize(
        "question",
        [
            "2022年8月未经批准保藏人类遗传资源，2024年9月被立案查处",
            "我们2023年违规向境外提供了人遗信息，现在才被发现，会怎么处理",
            "违法行为是旧法时期的，处罚按新法还是旧法",
        ],
    )
    def test_straddling(self, question: str) -> None:
        assert concerns_amendment(question, BIOSECURITY_CHANGES)

    @pytest.mark.parametrize(
        "question",
        [
            "生物安全法修正以后，违法采集人类遗传资源的罚款有没有变化",
            "2020年版生物安全法里，未经批准保藏人类遗传资源由哪个部门处罚",
            "2022年违法保藏人类遗传资源，2023年被查处，罚多少",
        ],
    )
    def test_not_straddling(self, question: str) -> None:
        assert not concerns_amendment(question, BIOSECURITY_CHANGES)

    def test_the_dates_of_act_and_handling(self) -> None:
        assert act_and_handling("2021年3月违法，2021年6月被查处") == (date(2021, 3, 31), date(2021, 6, 30))
        assert act_and_handling("2022年违法，现在被查处")[1] == date.today()
        assert law_changes(()) == ()


class TestTransitionCitesTheActInBothVersions:
    @pytest.mark.parametrize(
        "question",
        [
            "某单位2022年未经批准保藏人类遗传资源，2024年10月才被查处，该适用哪个版本的生物安全法",
            "2023年5月擅自保藏我国人类遗传资源，2024年8月立案，按修正前还是修正后的生物安全法处罚",
        ],
    )
    def test_rule_old_and_new_article(self, assistant: Assistant, question: str) -> None:
        cited = {(r.doc_id, r.article) for r in assistant.ask(question).citations}
        assert ("admin-penalty-law", 37) in cited
        old = {article for doc, article in cited if doc == OLD}
        assert old and old <= {article for doc, article in cited if doc == NEW}


class TestActBeforeTheLawTookEffect:
    @pytest.mark.parametrize(
        "question",
        [
            "2021年2月有单位把使用后的实验动物卖给了餐馆，2021年8月被查处，能按生物安全法第七十七条处罚吗",
            "2021年1月擅自把用过的实验动物流入市场，同年5月才被发现，生物安全法管得着吗？2021年5月处理",
        ],
    )
    def test_cites_when_the_law_took_effect(self, assistant: Assistant, question: str) -> None:
        answer = assistant.ask(question)
        cited = {(r.doc_id, r.article) for r in answer.citations}
        assert ("admin-penalty-law", 37) in cited and (OLD, 88) in cited
        assert any("尚未施行" in n for n in answer.notices)


class TestVersionAndTimeRecognised:
    @pytest.mark.parametrize(
        "question", ["2020年通过的生物安全法原文里，保藏人遗要谁批准", "生物安全法原来（2020版）怎么规定出境"]
    )
    def test_the_version_year_anywhere(self, assistant: Assistant, question: str) -> None:
        mention = assistant.library.parser.mention(question)
        assert mention is not None
        assert version_asked(question, mention.documents) == mention.documents[0].effective

    @pytest.mark.parametrize(
        ("question", "day"),
        [
            ("2022年我们把数据提供给境外合作方的时候，按当时的规定要报告谁", date(2022, 12, 31)),
            ("2023年6月开展国际合作期间，适用的规定是什么", date(2023, 6, 30)),
        ],
    )
    def test_the_time_of_an_act(self, question: str, day: date) -> None:
        assert version_asked(question) == day

    def test_the_version_in_force_is_no_earlier_version(self, assistant: Assistant) -> None:
        question = "生物安全法2024年修正之后，实验动物流入市场由谁处罚"
        mention = assistant.library.parser.mention(question)
        assert mention is not None and version_asked(question, mention.documents) is None


class TestStillTheRuleNow:
    @pytest.mark.parametrize(
        "question",
        ["第五十四条现在还是这样吗", "2024年5月以后还是科技部门来罚吗", "目前还是找科技部门审批吗"],
    )
    def test_asks_about_now(self, question: str) -> None:
        assert compares_versions(question)

    @pytest.mark.parametrize(
        "question",
        [
            "人遗条例第二十二条规定科技部门审批国际合作，现在还是找科技部门吗",
            "人类遗传资源管理条例第二十二条，现在还是这样吗",
        ],
    )
    def test_an_article_amended_since_brings_the_rule_in_force(
        self, assistant: Assistant, question: str
    ) -> None:
        cited = assistant.ask(question).citations
        assert cited[0] == ArticleRef("hgr-regulation-2019", 22)
        assert any(r.doc_id == NEW for r in cited[1:])
