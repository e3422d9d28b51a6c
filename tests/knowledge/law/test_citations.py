"""The reference parser on the spellings people type, and `pufa cite` messages."""

from __future__ import annotations

import subprocess
import sys

import pytest

from knowledge.assistant import Assistant
from knowledge.law.curated import english_titles
from knowledge.law.numerals import to_chinese, to_int
from knowledge.models import ArticleRef

SPELLINGS = [
    ("人遗条例第22条", "hgr-regulation-2019", 22),
    ("人遗条例第二十二条", "hgr-regulation-2019", 22),
    ("人遗条例22条", "hgr-regulation-2019", 22),
    ("人遗条例第２２条", "hgr-regulation-2019", 22),
    ("人遗条例 第 22 条", "hgr-regulation-2019", 22),
    ("人类遗传资源条例第三十六条", "hgr-regulation-2019", 36),
    ("人类遗传资源管理条例第4条", "hgr-regulation-2019", 4),
    ("《中华人民共和国人类遗传资源管理条例》第二十七条", "hgr-regulation-2019", 27),
    ("《人类遗传资源管理条例》第四十七条", "hgr-regulation-2019", 47),
    ("《实验动物管理条例》第十二条", "lab-animal-regulation", 12),
    ("实验动物管理条例第12条", "lab-animal-regulation", 12),
    ("实验动物条例12条", "lab-animal-regulation", 12),
    ("实验动物条例第三十三条", "lab-animal-regulation", 33),
    ("实验动物条例第一条", "lab-animal-regulation", 1),
    ("实验动物条例第十条", "lab-animal-regulation", 10),
    ("生物安全法 第五十六条第二款", "biosecurity-law-2024", 56),
    ("生物安全法第八十五条", "biosecurity-law-2024", 85),
    ("中华人民共和国生物安全法第57条", "biosecurity-law-2024", 57),
    ("生物安全法第五十七条（现行）", "biosecurity-law-2024", 57),
    ("生物安全法2020年版第57条", "biosecurity-law-2020", 57),
    ("行政处罚法42条", "admin-penalty-law", 42),
    ("行政处罚法 第 33 条", "admin-penalty-law", 33),
    ("处罚法五十八条", "admin-penalty-law", 58),
    ("行政处罚法第八十六条", "admin-penalty-law", 86),
    ("《行政许可法》第四十二条", "admin-license-law", 42),
    ("许可法第六十九条", "admin-license-law", 69),
    ("病原微生物条例第二十一条", "pathogen-lab-regulation-2018", 21),
    ("动物防疫法第一百一十三条", "animal-epidemic-law", 113),
    ("动物防疫法第101条", "animal-epidemic-law", 101),
    ("野生动物保护法第二十一条", "wildlife-protection-law", 21),
    ("野生动物保护法第２１条第一款", "wildlife-protection-law", 21),
    ("请给我人遗条例第二十二条原文", "hgr-regulation-2019", 22),
    # the number before the name, and English
    ("第36条 处罚法", "admin-penalty-law", 36),
    ("第十三条，实验动物管理条例里的", "lab-animal-regulation", 13),
    ("行政处罚法 art. 32", "admin-penalty-law", 32),
    ("Article 36 of the Administrative Penalty Law", "admin-penalty-law", 36),
    ("what does art 22 of the HGR Regulations say", "hgr-regulation-2019", 22),
    ("Biosecurity Law Article 85", "biosecurity-law-2024", 85),
]


@pytest.mark.parametrize(("text", "doc_id", "article"), SPELLINGS)
def test_reference_spellings_resolve_by_lookup(
    assistant: Assistant, text: str, doc_id: str, article: int
) -> None:
    result = assistant.cite(text)
    assert result.found, result.message
    assert (result.quoted.ref.doc_id, result.quoted.ref.article) == (doc_id, article)
    assert result.quoted.text in "\n".join(
        p.render() for p in assistant.library.articles[result.quoted.ref].paragraphs
    )


@pytest.mark.parametrize(
    ("text", "articles"),
    [
        ("处罚法第三十六条和第三十七条", [36, 37]),
        ("行政处罚法第36、37条", [36, 37]),
        ("行政处罚法第三十六条、第三十七条及第三十六条", [36, 37]),
        ("第32条和第33条（行政处罚法）", [32, 33]),
    ],
)
def test_every_listed_article_is_quoted(assistant: Assistant, text: str, articles: list[int]) -> None:
    result = assistant.cite(text)
    assert [q.ref for q in result.quotes] == [ArticleRef("admin-penalty-law", n) for n in articles]


def test_a_listed_article_that_does_not_exist_is_refused(assistant: Assistant) -> None:
    result = assistant.cite("行政处罚法第三十六条和第九百条")
    assert not result.found and "没有第900条" in result.message


def test_paragraph_and_item_are_quoted_alone(assistant: Assistant) -> None:
    quoted = assistant.cite("生物安全法 第五十六条第二款").quoted
    assert quoted.citation.endswith("第五十六条第二款")
    assert quoted.text.startswith("前款规定不包括")
    item = assistant.cite("人遗条例第二十二条第一款第三项").quoted
    assert item.text.startswith("(三)合作研究目的和内容明确")


def test_full_citation_line_and_amendment_notice(assistant: Assistant) -> None:
    quoted = assistant.cite("人遗条例第22条").quoted
    assert (
        quoted.citation
        == "《中华人民共和国人类遗传资源管理条例》（国务院令第717号，2019年5月28日公布）第二十二条"
    )
    assert "卫生健康主管部门" in quoted.notice and "国务院令第777号" in quoted.notice
    assert assistant.cite("行政处罚法第42条").quoted.notice == ""


def test_version_comparison_quotes_both_versions(assistant: Assistant) -> None:
    result = assistant.cite("生物安全法第八十条修正前后有什么变化")
    assert [q.ref.doc_id for q in result.quotes] == ["biosecurity-law-2020", "biosecurity-law-2024"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("人遗条例第999条", "共47条，没有第999条"),
        ("实验动物条例第十二条第五款", "没有第五款"),
        ("刑法第三百三十四条之一", "知识库中没有“刑法”"),
        ("民法典第1079条", "知识库中没有“民法典”"),
        ("人遗实施细则第三条", "科学技术部令第21号"),
        ("实验动物许可证管理办法第五条", "国科发财字〔2001〕545号"),
        ("第22条", "请注明法律法规名称"),
        ("人遗条例", "请注明条号"),
    ],
)
def test_unresolvable_references_explain_why(assistant: Assistant, text: str, fragment: str) -> None:
    result = assistant.cite(text)
    assert not result.found
    assert fragment in result.message


def test_unknown_law_lists_the_laws_we_have(assistant: Assistant) -> None:
    message = assistant.cite("刑法第三百三十四条之一").message
    for title in ("实验动物管理条例", "中华人民共和国人类遗传资源管理条例", "中华人民共和国行政处罚法"):
        assert title in message


@pytest.mark.parametrize(
    "number", [1, 9, 10, 11, 20, 22, 99, 100, 101, 105, 110, 119, 999, 1000, 1001, 1010, 1100, 9999]
)
def test_chinese_numerals_round_trip(number: int) -> None:
    assert to_int(to_chinese(number)) == number


@pytest.mark.parametrize(
    ("text", "value"), [("十", 10), ("一百零五", 105), ("两千", 2000), ("２２", 22), ("一千零一", 1001)]
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert to_int(text) == value


@pytest.mark.parametrize("bad", ["", "条", "二二二", "abc"])
def test_bad_numerals_raise(bad: str) -> None:
    with pytest.raises(ValueError):
        to_int(bad)


def test_cite_command_prints_verbatim_text_and_exits_1_when_unknown(settings) -> None:
    env = {"PUFA_DATA_DIR": str(settings.data_dir), "PATH": "/usr/bin:/bin"}
    found = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "cite", "实验动物条例第12条"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[0].startswith("《实验动物管理条例》（国家科学技术委员会令第2号")
    assert (
        lines[1]
        == "实验动物分为四级：一级，普通动物；二级，清洁动物；三级，无特定病原体动物；四级，无菌动物。"
    )
    missing = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "cite", "人遗条例第999条"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert missing.returncode == 1 and "共47条" in missing.stderr


# Class 6 of issue 9: names typed loosely (a wrong or missing character, an abbreviation, no 第 or no 条).
LOOSE_SPELLINGS = [
    ("实验动物管理条利第十条", "lab-animal-regulation", 10),
    ("人遗条里第十一条", "hgr-regulation-2019", 11),
    ("生物安全珐第二十条", "biosecurity-law-2024", 20),
    ("行政许可去第十二条", "admin-license-law", 12),
    ("行政处罚发第五十一条有什么规定", "admin-penalty-law", 51),
    ("病原微生物实验室生物安全管理条理第二十条", "pathogen-lab-regulation-2018", 20),
    ("动物防疫第十条", "animal-epidemic-law", 10),
    ("野保法第二十五条", "wildlife-protection-law", 25),
    ("人遗条例 14", "hgr-regulation-2019", 14),
    ("生物安全法四十", "biosecurity-law-2024", 40),
]


@pytest.mark.parametrize(("text", "doc_id", "article"), LOOSE_SPELLINGS)
def test_loose_spellings_resolve_and_come_first(
    assistant: Assistant, text: str, doc_id: str, article: int
) -> None:
    result = assistant.cite(text)
    assert result.found, result.message
    assert (result.quoted.ref.doc_id, result.quoted.ref.article) == (doc_id, article)
    assert assistant.search(text, 1)[0].ref == result.quoted.ref
    assert assistant.ask(text).citations[0] == result.quoted.ref


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("人类遗传资愿管里条例第八条", "人类遗传资源管理条例"),
        ("病原微生物实验室生物安全管里条理第九条", "病原微生物"),
    ],
)
def test_unsure_spelling_offers_did_you_mean(assistant: Assistant, text: str, title: str) -> None:
    result = assistant.cite(text)
    assert not result.found
    assert "您是不是要查" in result.message and title in result.message
    assert "您是不是要查" in assistant.ask(text).conclusion


@pytest.mark.parametrize("text", ["食品安全法第十条", "药品管理法第三条", "本条例第五条规定了什么"])
def test_other_laws_are_not_taken_for_ours(assistant: Assistant, text: str) -> None:
    assert not assistant.cite(text).found


class TestTensCharacters:
    """廿 (twenty), 卅 (thirty) and 卌 (forty) as people write them in article numbers."""

    @pytest.mark.parametrize(
        ("text", "value"), [("廿", 20), ("廿二", 22), ("卅六", 36), ("卌一", 41), ("一百廿三", 123)]
    )
    def test_numerals(self, text: str, value: int) -> None:
        assert to_int(text) == value

    @pytest.mark.parametrize(
        ("text", "doc_id", "article"),
        [
            ("人遗条例第卅六条", "hgr-regulation-2019", 36),
            ("人遗条例第廿二条讲的啥", "hgr-regulation-2019", 22),
            ("生物安全法第卌七条", "biosecurity-law-2024", 47),
        ],
    )
    def test_references(self, assistant: Assistant, text: str, doc_id: str, article: int) -> None:
        quoted = assistant.cite(text).quoted
        assert (quoted.ref.doc_id, quoted.ref.article) == (doc_id, article)


class TestTitlesNamed:
    @pytest.mark.parametrize(
        ("text", "titles"),
        [
            ("按生物安全法怎么罚", {"中华人民共和国生物安全法"}),
            (
                "人遗条例和生物安全法都规定了罚款",
                {"中华人民共和国生物安全法", "中华人民共和国人类遗传资源管理条例"},
            ),
            ("《实验动物管理条例》对垫料有要求吗", {"实验动物管理条例"}),
            ("动物房的垫料有什么要求", set()),
        ],
    )
    def test_every_law_the_text_names(self, assistant: Assistant, text: str, titles: set[str]) -> None:
        assert assistant.library.parser.titles_named(text) == titles


def test_every_english_name_belongs_to_a_document_we_hold(assistant: Assistant) -> None:
    assert all(assistant.library.catalog.get(doc_id) for doc_id in english_titles())


# Documents we know we do not hold, named loosely (a character left out, another word for the kind of document):
# the parser still knows them, and a held law named inside a missing one's title stays the held law.
@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("天津实施实验动物管理条例的办法对饲养室有什么要求", "天津市实施《实验动物管理条例》的办法"),
        ("科技部关于善待实验动物的指导性文件里安乐死怎么规定", "关于善待实验动物的指导性意见"),
        ("善待实验动物的指导性规定第几条讲运输", "关于善待实验动物的指导性意见"),
        ("实验动物许可证管理的办法里年检怎么规定", "实验动物许可证管理办法（试行）"),
    ],
)
def test_missing_documents_named_loosely_are_known(assistant: Assistant, text: str, title: str) -> None:
    mention, _ = assistant.library.parser.parse(text)
    assert mention is not None and mention.missing is not None and mention.missing.title == title
    answer = assistant.ask(text)
    assert answer.declined and "尚未收入本知识库" in answer.conclusion
    assert answer.citations  # the nearest provision we hold, quoted


@pytest.mark.parametrize(
    "text",
    ["人类遗传资源管理条例实施以来有哪些变化", "实验动物许可证管理有什么规定", "病原微生物实验室许可管理规定有哪些"],
)
def test_near_misses_of_missing_titles_are_not_taken_for_them(assistant: Assistant, text: str) -> None:
    mention, _ = assistant.library.parser.parse(text)
    assert mention is None or mention.missing is None
