"""A yes/no question gets yes/no first (class 3 of issue 9): the question's modality read against the rule."""

from __future__ import annotations

import pytest

from knowledge.answers.stance import opening_stance, stance
from knowledge.assistant import Assistant


@pytest.mark.parametrize(
    ("question", "rule", "expected"),
    [
        ("实验动物能不能和不同品系的混在一起运？", "不得将不同品种、品系的实验动物混合装运。", "no"),
        ("保藏单位每年要不要提交年度报告？", "保藏单位应当于每年1月31日前提交上一年度的年度报告。", "yes"),
        ("开展国际合作科学研究需要审批吗", "应当经国务院科学技术行政部门批准。", "yes"),
        ("我们可以把人类遗传资源信息提供给境外机构吗", "应当符合法定条件，经批准后方可提供。", "conditional"),
        ("临床试验不出境的样本还要批准吗", "不涉及人类遗传资源材料出境的，不需要审批。", "no"),
        ("伦理审查能不能先不做，过后再补", "应当按照国家有关规定进行伦理审查。", "no"),
        ("提供样本收取合理成本费用可以吗", "支付或者收取合理成本费用，不视为买卖。", "yes"),
        ("实验动物的笼具有没有什么标准", "笼器具应当符合国家标准。", "yes"),
        ("检疫证明还没办下来，能先把动物运过来吗", "运输动物应当附有检疫证明。", "no"),
        (
            "门诊做血常规抽的血，也要按人类遗传资源去报批吗",
            "为临床诊疗需要采集人体物质的，依照相关法律执行，不属于本法规定的人类遗传资源活动。",
            "no",
        ),
    ],
)
def test_yes_no_question_against_the_rule(question: str, rule: str, expected: str) -> None:
    answered = stance(question, rule)
    assert answered is not None and answered[0] == expected


@pytest.mark.parametrize(
    "question", ["实验动物的饲料有哪些要求", "国际合作审批多少个工作日", "谁负责人类遗传资源的管理"]
)
def test_open_questions_get_no_yes_no(question: str) -> None:
    assert stance(question, "应当经批准。") is None


@pytest.mark.parametrize(
    "question",
    [
        "不同等级的实验动物可以装在一个笼子里一起运输吗",
        "实验动物工作人员需要定期体检吗",
        "开展人类遗传资源国际合作科学研究要不要审批",
    ],
)
def test_answers_to_yes_no_questions_open_with_a_stance(assistant: Assistant, question: str) -> None:
    assert opening_stance(assistant.ask(question).conclusion) in {"yes", "no", "conditional"}
