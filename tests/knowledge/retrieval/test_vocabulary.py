"""Everyday words meet the law's terms in lexical search: each term is the law's own wording, and the
everyday (or English) words for it, in several phrasings, bring it into the question's search text."""

from __future__ import annotations

import pytest

from knowledge.assistant import Assistant
from knowledge.law.curated import vocabulary, with_legal_terms


def test_every_legal_term_is_worded_as_in_the_corpus(assistant: Assistant) -> None:
    assert assistant.composer is not None
    corpus = "\n".join(article.text for article in assistant.composer.library.articles.values())
    missing = [word for term in vocabulary() for word in term.legal.split() if word not in corpus]
    assert not missing


class TestLabAnimalCare:
    @pytest.mark.parametrize(
        "question",
        [
            "学生拿小鼠逗着玩可以吗",
            "有人抓大鼠时故意折磨它们",
            "Staff were teasing the rabbits",
            "饲养员打骂实验犬怎么管",
        ],
    )
    def test_mistreatment_meets_the_duty_of_care(self, question: str) -> None:
        assert "戏弄" in with_legal_terms(question)

    @pytest.mark.parametrize(
        "question", ["新买的豚鼠到货了能直接用吗", "从兄弟单位引进的小鼠要注意什么", "刚运回来的猴子放哪"]
    )
    def test_new_arrivals_meet_quarantine(self, question: str) -> None:
        assert "隔离检疫" in with_legal_terms(question)

    @pytest.mark.parametrize("question", ["刚到货的一批血样怎么登记", "新进的人类遗传资源样本放哪"])
    def test_but_not_for_human_samples(self, question: str) -> None:
        assert "隔离检疫" not in with_legal_terms(question)

    @pytest.mark.parametrize(
        "question",
        [
            "兔子和小鼠能同车转运吗",
            "送去合作单位的大鼠能混装吗",
            "Can we ship together SPF and clean mice?",
        ],
    )
    def test_moving_animals_meets_transport_rules(self, question: str) -> None:
        assert "混合装运" in with_legal_terms(question)

    @pytest.mark.parametrize(
        "question",
        ["实验完的兔子卖给饭店行吗", "感染过的大鼠给饲料厂回收", "What about dead animals after the study?"],
    )
    def test_used_animals_meet_harmless_disposal(self, question: str) -> None:
        assert "无害化处理" in with_legal_terms(question)

    @pytest.mark.parametrize("question", ["剩下的肿瘤组织卖给药企行吗", "血样能卖给别的医院吗"])
    def test_selling_human_samples_is_not_about_animals(self, question: str) -> None:
        assert "无害化处理" not in with_legal_terms(question)


class TestLaboratories:
    @pytest.mark.parametrize(
        "question",
        ["研究生在宿舍里培养细菌可以吗", "我想在家里弄个小实验室", "Can a private individual run a lab?"],
    )
    def test_a_lab_of_ones_own_meets_the_ban_on_individuals(self, question: str) -> None:
        assert "个人" in with_legal_terms(question)

    @pytest.mark.parametrize(
        "question", ["菌种被偷了怎么办", "运输途中样本弄丢了", "A vial was stolen from the lab"]
    )
    def test_lost_material_meets_theft_and_loss(self, question: str) -> None:
        assert "丢失" in with_legal_terms(question)

    @pytest.mark.parametrize(
        "question", ["同事做完实验后发烧了", "有人疑似染上了", "A technician has a fever"]
    )
    def test_illness_after_work_meets_infection(self, question: str) -> None:
        assert "感染" in with_legal_terms(question)


class TestEnglish:
    @pytest.mark.parametrize(
        ("question", "term"),
        [
            ("Does the BSL-3 lab need accreditation?", "认可"),
            ("Can we upload the data to a shared database?", "开放使用"),
            ("Does a Chinese subsidiary count as a Chinese party?", "中方单位"),
            ("How big is the fine?", "罚款"),
        ],
    )
    def test_english_words_meet_the_chinese_terms(self, question: str, term: str) -> None:
        assert term in with_legal_terms(question)
