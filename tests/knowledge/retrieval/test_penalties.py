"""Penalty for a specific act (class 1 of issue 9) and quoting the part of a long article that carries the
rule (class 2): the act in the question meets the act an enumerated item (项) of a liability article names."""

from __future__ import annotations

import pytest

from knowledge.assistant import Assistant
from knowledge.models import Answer, ArticleRef, Hit
from knowledge.retrieval.penalties import asks_consequence, mentions_penalty

HGR = "hgr-regulation-2019"
BIO = "biosecurity-law-2024"
PATHOGEN = "pathogen-lab-regulation-2018"


def _quoted(answer: Answer) -> str:
    return "\n".join(q.text for q in (*answer.basis, *answer.liability))


@pytest.mark.parametrize(
    ("question", "doc_id", "article", "item_text"),
    [
        ("没有经过伦理审查就开始采集血样，会怎么处罚", HGR, 39, "未通过伦理审查"),
        ("采血前没取得提供者事先知情同意，要承担什么法律责任", HGR, 39, "事先知情同意"),
        ("保藏人类遗传资源却没记录样本来源和使用信息，怎么罚", HGR, 40, "来源信息和使用信息"),
        ("个人自己在家里设病原微生物实验室，怎么罚", BIO, 78, "个人设立病原微生物实验室"),
        ("没经实验室负责人批准就进了高等级病原微生物实验室，会被怎么处罚", BIO, 78, "未经实验室负责人批准"),
        ("国际合作研究做完了，合作研究情况报告一直没报，怎么处理", HGR, 40, "合作研究情况报告"),
    ],
)
def test_act_meets_the_enumerated_item_of_its_penalty_article(
    assistant: Assistant, question: str, doc_id: str, article: int, item_text: str
) -> None:
    answer = assistant.ask(question)
    first = answer.citations[0]
    assert (first.doc_id.replace("biosecurity-law-2020", BIO), first.article) == (doc_id, article)
    assert item_text in answer.conclusion, "the conclusion names the act as the item does"
    assert "罚" in answer.conclusion or "警告" in answer.conclusion, "and the sanction with its range"
    assert item_text in _quoted(answer), "the quote shows that item"


@pytest.mark.parametrize(
    "question", ["未经批准保藏我国人类遗传资源，罚款多少", "没批准就采集重要遗传家系的血样，会被怎么罚"]
)
def test_an_act_both_laws_punish_cites_both(assistant: Assistant, question: str) -> None:
    cited = {(r.doc_id, r.article) for r in assistant.ask(question).citations}
    assert {(HGR, 36), (BIO, 79)} <= cited


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("未经批准采集人类遗传资源会受到什么处罚", True),
        ("实验动物流入市场罚多少", True),
        ("饲养员违规操作有什么后果", True),
        ("作出处罚决定之前要不要举行听证", False),
        ("当事人对罚款决定书不服可以申请复议吗", False),
        ("实验动物饲料有什么要求", False),
    ],
)
def test_consequence_questions_are_told_from_penalty_procedure(question: str, expected: bool) -> None:
    assert asks_consequence(question) is expected


def test_long_article_quote_keeps_every_paragraph_that_carries_the_rule(assistant: Assistant) -> None:
    answer = assistant.ask("我们想把一批血样寄到国外合作方那里检测，需要什么手续")
    quoted = _quoted(answer)
    assert "出境证明" in quoted, "the paragraph requiring the export certificate is quoted"
    law = next(q for q in answer.basis if q.ref == ArticleRef(BIO, 56))
    assert "（四）将我国人类遗传资源材料运送、邮寄、携带出境" in law.text, (
        "the item on export, not another part"
    )
    for quote in (*answer.basis, *answer.liability):
        article = assistant.library.articles[quote.ref]
        for piece in quote.text.split("\n"):
            assert piece == "……" or piece in article.text, piece


def test_enumeration_is_cut_to_lead_and_matching_items(assistant: Assistant) -> None:
    answer = assistant.ask("采集人类遗传资源没有通过伦理审查，怎么处理")
    quote = next(q for q in answer.basis if q.ref.article == 39)
    assert quote.text.startswith("违反本条例规定，有下列情形之一的")
    assert "未通过伦理审查" in quote.text and "违反相关技术规范" not in quote.text


class TestDutyIsNotConsequence:
    """``该怎么处理`` asks what one must do (report, dispose), not what follows a violation."""

    @pytest.mark.parametrize(
        "question",
        [
            "动物房昨晚死了一只兔子，死因不明，我们该怎么处理",
            "实验做完了，剩下的菌株应该怎么处置",
            "几只兔子确诊了传染病，现在应当如何处理，要向谁报告",
        ],
    )
    def test_what_to_do(self, question: str) -> None:
        assert not asks_consequence(question)
        assert not mentions_penalty(question)

    @pytest.mark.parametrize(
        "question",
        [
            "样本库被查到没交年度报告，会怎么处理",
            "发现病例故意拖着不报，怎么处理",
            "兔子死了我们该怎么处理？会被罚吗",
        ],
    )
    def test_what_follows_an_act(self, question: str) -> None:
        assert asks_consequence(question)
        assert mentions_penalty(question)


class TestConsequenceRunnerUp:
    """A consequence question cites the next liability article too when the dense retriever clearly prefers it
    to the one the enumerated act matched by words."""

    @staticmethod
    def _hit(ref: ArticleRef, dense: float) -> Hit:
        return Hit(ref, 0.05, "", dense, 10.0)

    @pytest.mark.parametrize(
        ("top", "runner"),
        [
            (ArticleRef(HGR, 38), ArticleRef(HGR, 42)),
            (ArticleRef(BIO, 78), ArticleRef(PATHOGEN, 60)),
            (ArticleRef(HGR, 39), ArticleRef(HGR, 37)),
        ],
    )
    def test_cited_when_clearly_closer(
        self, assistant: Assistant, top: ArticleRef, runner: ArticleRef
    ) -> None:
        composer = assistant.composer
        assert composer is not None
        margin = composer.tuning.consequence_dense_margin
        hits = [self._hit(top, 0.90), self._hit(runner, 0.90 + margin + 0.001)]
        assert composer._consequence_refs(hits) == [top, runner]
        hits = [self._hit(top, 0.90), self._hit(runner, 0.90 + margin / 2)]
        assert composer._consequence_refs(hits) == [top]

    @pytest.mark.parametrize("runner", [ArticleRef(HGR, 10), ArticleRef(BIO, 47), ArticleRef(PATHOGEN, 25)])
    def test_never_a_rule_that_is_not_a_liability_clause(
        self, assistant: Assistant, runner: ArticleRef
    ) -> None:
        composer = assistant.composer
        assert composer is not None
        top = ArticleRef(HGR, 42)
        assert composer._consequence_refs([self._hit(top, 0.90), self._hit(runner, 0.95)]) == [top]
