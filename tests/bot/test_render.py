"""bot.render: plain text and Telegram HTML parts, checked with the fake server's HTML parser.

Answers here are built by hand (unit tests of the renderer only); end-to-end tests use the real Assistant.
"""

from __future__ import annotations

import re

import pytest

from bot.render import (
    TELEGRAM_LIMIT,
    render_hits_html,
    render_html,
    render_plain,
    render_quoted_html,
    render_text_html,
    text,
    utf16_len,
)
from knowledge.models import Answer, ArticleRef, Hit, QuotedArticle
from tests.support.fake_telegram import ApiError, parse_html

HOSTILE = '<script>alert("x")</script> & <<人遗条例>> &amp; </b><b> &#x41;'


def quoted(number: int, body: str, notice: str = "") -> QuotedArticle:
    return QuotedArticle(
        ArticleRef("lab-animal-regulation", number), f"《实验动物管理条例》第{number}条", body, notice
    )


def answer(**fields: object) -> Answer:
    base: dict[str, object] = {"question": "实验动物可以混养吗？", "conclusion": "不可以，应当分开饲养。"}
    base.update(fields)
    return Answer(**base)  # type: ignore[arg-type]


def visible_parts(parts: list[str]) -> list[str]:
    """Each part as Telegram shows it; fails the test if Telegram would reject one."""
    shown = [parse_html(part) for part in parts]
    for text_ in shown:
        assert 0 < utf16_len(text_) <= TELEGRAM_LIMIT
    return shown


def test_sections_in_render_order_conclusion_first() -> None:
    full = answer(
        basis=[
            quoted(11, "实验动物应当按照不同来源，不同品种、品系和不同的实验目的，分开饲养。", "注意版本")
        ],
        compliance=["按来源分开饲养"],
        liability=[quoted(29, "违反本条例规定的，由管理部门视情节给予警告。")],
        liability_summary=["警告、限期改进"],
        advice="请核对饲养间分区。",
        notices=["本回答仅供参考。"],
    )
    shown = visible_parts(render_html(full))
    assert len(shown) == 1
    labels = [text(f"render.{key}") for key in ("conclusion", "basis", "compliance", "liability", "advice")]
    positions = [shown[0].index(label) for label in labels]
    assert positions == sorted(positions)
    assert shown[0].startswith(text("render.conclusion") + "\n不可以")
    assert shown[0].rstrip().endswith("本回答仅供参考。")
    plain = render_plain(full)
    assert plain.startswith(text("render.conclusion"))
    assert [plain.index(label) for label in labels] == sorted(plain.index(label) for label in labels)
    assert "<" not in plain


def test_empty_sections_are_left_out() -> None:
    shown = visible_parts(render_html(answer()))
    assert shown == [text("render.conclusion") + "\n不可以，应当分开饲养。"]
    assert text("render.basis") not in render_plain(answer())


def test_hostile_text_is_escaped_everywhere() -> None:
    hostile = answer(
        question=HOSTILE,
        conclusion=HOSTILE,
        basis=[QuotedArticle(ArticleRef("x", 1), HOSTILE, HOSTILE, HOSTILE)],
        compliance=[HOSTILE],
        advice=HOSTILE,
        notices=[HOSTILE],
    )
    parts = render_html(hostile)
    shown = "\n".join(visible_parts(parts))
    assert shown.count(HOSTILE) == 7
    assert "<script>" not in "".join(parts)
    assert HOSTILE in render_plain(hostile)


def test_long_answer_splits_at_article_boundaries() -> None:
    articles = [
        quoted(n, f"第{n}条的第一款。" + "实验动物" * 150 + f"\n第{n}条的第二款。") for n in range(1, 13)
    ]
    parts = render_html(answer(basis=articles))
    shown = visible_parts(parts)
    assert len(shown) > 1
    for article in articles:
        holders = [s for s in shown if article.citation in s]
        assert len(holders) == 1, "each citation line appears once"
        assert article.text in holders[0], "an article that fits is never torn from its citation line"
    assert shown[0].startswith(text("render.conclusion"))


def test_article_longer_than_a_message_splits_at_paragraphs() -> None:
    paragraphs = [f"（{i}）" + "人类遗传资源" * 60 for i in range(1, 30)]
    long_article = quoted(22, "\n".join(paragraphs))
    parts = render_html(answer(basis=[long_article]))
    shown = visible_parts(parts)
    assert len(shown) >= 3
    for paragraph in paragraphs:
        assert sum(paragraph in s for s in shown) == 1, "a paragraph is never cut in two"
    assert shown[0].startswith(text("render.conclusion")), "the conclusion shares the first part"
    assert long_article.citation in shown[0]
    assert paragraphs[0] in shown[0], "the citation line is followed by the start of its text"
    for part in parts[1:]:
        assert part.startswith("<blockquote>"), "each part reopens the quote it continues"


def test_paragraph_longer_than_a_message_splits_at_sentences_and_counts_utf16() -> None:
    sentence = "依照本条例规定，🧪实验单位应当报告。"  # the emoji is two UTF-16 units
    body = sentence * 600
    shown = visible_parts(render_html(answer(conclusion=body)))
    assert len(shown) >= 3
    joined = "".join(s.removeprefix(text("render.conclusion") + "\n") for s in shown)
    assert joined == body
    for part in shown[:-1]:
        assert part.endswith("。")


def test_escaped_characters_count_once() -> None:
    body = "&<>" * 2000  # 6000 visible characters, 26000 characters of HTML
    parts = render_text_html(body)
    shown = visible_parts(parts)
    assert len(shown) == 2
    assert "".join(shown) == body


def test_each_part_is_valid_on_its_own() -> None:
    blocks = [quoted(n, "\n".join(["<款>&" * 300] * 3), notice="<注意>") for n in range(1, 8)]
    for part in render_html(answer(basis=blocks, liability=blocks)):
        try:
            parse_html(part)
        except ApiError as exc:  # pragma: no cover - the assertion message shows the offending part
            pytest.fail(f"{exc}: {part[:200]}")
        assert part.count("<blockquote") == part.count("</blockquote>")


def test_quoted_and_hits_render() -> None:
    article = quoted(11, "分开饲养。")
    shown = visible_parts(render_quoted_html([article]))
    assert shown == ["《实验动物管理条例》第11条\n分开饲养。"]
    hits = [Hit(ArticleRef("lab-animal-regulation", 11), 0.875, "实验动物管理条例")]
    listing = visible_parts(render_hits_html("<混养>", hits))[0]
    assert "<混养>" in listing
    assert re.search(r"1\. 实验动物管理条例 第11条", listing)
    assert "<混养>" in visible_parts(render_hits_html("<混养>", []))[0]
