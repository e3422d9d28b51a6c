"""Published-case facts retold in everyday words bring their case — in ordinary answers and in refusals to
help evade the law (the rule, the penalty, and the case of someone who did just that); a question on
laboratory animals never gets a human-genetic-resources case. Measured on everyday_phrasings.toml, which the
matcher was never tuned on."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.render import render_plain
from knowledge.assistant import Assistant
from knowledge.models import Answer

PHRASINGS = tomllib.loads(Path(__file__).with_name("everyday_phrasings.toml").read_text(encoding="utf-8"))
ITEMS = [
    (kind, item["question"], tuple(item["cases"])) for kind in ("ask", "evade") for item in PHRASINGS[kind]
]
MIN_FOUND = 0.75  # of the phrasings a case fits, the share that gets one


@pytest.fixture(scope="module")
def answers(assistant: Assistant) -> dict[str, Answer]:
    return {question: assistant.ask(question) for _, question, _ in ITEMS}


def test_every_case_has_several_phrasings_and_evasions_are_covered() -> None:
    fitting = [case for _, _, cases in ITEMS if cases for case in cases[:1]]
    assert all(fitting.count(case) >= 2 for case in set(fitting))
    assert len([1 for kind, _, cases in ITEMS if kind == "evade" and cases]) >= 4


def test_never_a_wrong_case_and_most_cases_found(answers: dict[str, Answer]) -> None:
    found = missed = 0
    for _, question, cases in ITEMS:
        got = [cited.id for cited in answers[question].cases]
        assert set(got) <= set(cases), (question, got)
        if cases:
            found, missed = found + bool(got), missed + (not got)
    assert found >= MIN_FOUND * (found + missed), f"{found} of {found + missed}"


def test_lab_animal_questions_never_get_a_human_genetic_resources_case(answers: dict[str, Answer]) -> None:
    lab = [
        q for _, q, cases in ITEMS if not cases and ("实验" in q and ("动物" in q or "兔" in q or "鼠" in q))
    ]
    assert len(lab) >= 4
    for question in lab:
        assert all("human_genetic_resources" not in c.domains for c in answers[question].cases), question


def test_refusals_to_evade_carry_the_rule_the_penalty_and_the_case(answers: dict[str, Answer]) -> None:
    refused = [
        answers[q]
        for kind, q, cases in ITEMS
        if kind == "evade" and cases and answers[q].declined and answers[q].cases
    ]
    assert refused, "no refusal carried its case"
    for answer in refused:
        plain = render_plain(answer)
        assert answer.citations and "典型案例" in plain
        assert all(cited.case.party in plain and cited.id not in plain for cited in answer.cases)
