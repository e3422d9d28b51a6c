"""One question in, one Answer out: explicit references by look-up, everything else by retrieval,
composed from the quoted articles, the curated FAQ and the obligation→penalty links."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from knowledge.answers.excerpt import ExcerptTuning, excerpt
from knowledge.answers.stance import in_question_words, opening_stance, stance
from knowledge.answers.transitions import Transitions, VersionTuning
from knowledge.cases.matcher import CaseMatcher
from knowledge.index.snapshot import FAQ_PREFIX, SCOPE_DOC
from knowledge.law.citations import LawMention, chinese_date, citation_line, short_citation
from knowledge.law.curated import (
    FaqEntry,
    faq_entries,
    penalty_links,
    with_legal_terms,
)
from knowledge.law.library import Library
from knowledge.law.numerals import to_chinese
from knowledge.law.versions import compares_versions, version_asked
from knowledge.models import Answer, ArticleRef, Document, Hit, MissingDocument, QuotedArticle
from knowledge.retrieval.lexical import tokenize
from knowledge.retrieval.parallels import ParallelProvisions
from knowledge.retrieval.penalties import asks_consequence, is_liability, mentions_penalty
from knowledge.retrieval.requests import OFF_TOPIC, request_classifier
from knowledge.retrieval.retriever import Neighbours, Retriever
from knowledge.retrieval.scope import ScopeThresholds, gather
from knowledge.templates import text as template

if TYPE_CHECKING:
    from knowledge.llm.composer import LlmComposer

MAX_QUESTION_CHARS = 1000
SCOPE_HITS = 10  # the hits whose scores show whether a question is within pufa's remit
EVASION = "evasion"  # the unserved request that is refused with the rule and its penalty
_HAS_TEXT = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")
# What an amendment changed in a law as a whole (not whether one rule changed: that is answered by retrieval).
_ASKS_CHANGES = re.compile(
    r"(改了|修改了|修正了|修订了|改动了?|变了|变化)(哪些|什么|哪几|啥)|(哪些|哪几)条.{0,6}(改|变)|什么变化"
)
_TEXT_REQUEST = re.compile(r"全文|原文|文本")
_LATEST_ONLY = re.compile(r"最新|新版")
_SANCTION = re.compile(r"的，((?:由|依照|依法).+)$", re.S)  # what follows the act in a penalty clause
_ITEM_NUMBER = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
# What the law grants to those who stop, put right and report a breach: 从轻、减轻 or no penalty.
MITIGATION = (ArticleRef("admin-penalty-law", 32), ArticleRef("admin-penalty-law", 33))
_DUTY = re.compile(r"应当|必须|不得|禁止|须|经.{0,12}批准|备案")


@dataclass(frozen=True)
class ComposerTuning:
    """Parameters of the extractive composer (tuned on the dev and the three blind sets as a whole)."""

    faq_min_similarity: float = 0.91  # a FAQ question this close is used when retrieval agrees …
    faq_sure_similarity: float = 0.96  # … and this close even when it does not
    faq_agree_depth: int = 1  # retrieval agrees when one of the FAQ's articles is among this many top hits
    faq_article_margin: float = 0.015  # … and its question is nearly as close as the best article
    faq_support_depth: int = 3  # a FAQ's further articles are cited when among this many top hits
    # The next article is quoted too when both retrievers rank it nearly as high as the first: its cosine
    # this close to the first's and its BM25 score at least this share of the first's.
    second_dense_gap: float = 0.015
    second_lexical_ratio: float = 0.5
    # … and, when the learned ranker ordered the hits, its share of the ranker's belief at least this much.
    second_min_share: float = 0.05
    max_basis: int = 3
    max_amendment_quotes: int = 5  # articles quoted when asked what an amendment changed
    max_penalties: int = 2
    stance_sentences: int = 2  # a yes/no question's stance is read from this many best-matching sentences
    # A consequence question also cites the next liability article when its cosine beats the first's by this
    # much: the act the words matched is then probably not the act meant.
    consequence_dense_margin: float = 0.008
    parallel_similarity: float = 0.4  # two 款/项 this close (bigram cosine) state the same rule
    parallel_hit_depth: int = 20  # the parallel article is cited when it is among this many hits …
    parallel_unit_ratio: float = 0.5  # … and restates a 款/项 the question is about (nearly the most)
    unsure_third_ratio: float = (
        0.6  # an unsure answer names a third provision this nearly as likely as the second
    )
    scope: ScopeThresholds = ScopeThresholds()
    excerpt: ExcerptTuning = ExcerptTuning()
    versions: VersionTuning = VersionTuning()


class Retrieved(NamedTuple):
    """What retrieval found for a question: hits, the FAQ entry to use, the date asked about, its vector."""

    hits: list[Hit]
    faq: FaqEntry | None
    as_of: date | None
    vector: np.ndarray


class AnswerComposer:
    """Builds answers for every surface; never invents a rule or cites an unretrieved article."""

    def __init__(
        self,
        library: Library,
        retriever: Retriever,
        llm: LlmComposer | None = None,
        tuning: ComposerTuning = ComposerTuning(),
        models: Path | None = None,
    ) -> None:
        """``models``: the folder of models fitted at ingest (beside the index); None fits them here."""
        self.library = library
        self.retriever = retriever
        self.llm = llm
        self.tuning = tuning
        self._faq = {
            entry.id: entry for entry in faq_entries() if all(r in library.articles for r in entry.refs)
        }
        self._faq_doc_ids = [FAQ_PREFIX + faq_id for faq_id in self._faq]
        self._links = [link for link in penalty_links() if link.penalty in library.articles]
        self.parallels = ParallelProvisions(library, self.tuning.parallel_similarity, models)
        self.cases = CaseMatcher(library, retriever)
        self.requests = request_classifier(models)
        self.transitions = Transitions(library, retriever, self.tuning.versions)

    def answer(self, question: str) -> Answer:
        text = question.strip()
        problem = _input_problem(text)
        if problem:
            return Answer(question, problem, declined=True)
        mention, reference = self.library.parser.parse(text)
        # A question naming a law we do not hold is told so, whatever its form: only the patterns judge it (the
        # learned layer, fitted on everyday requests, reads "把刑法第…条的原文给我" as a request for our set-up).
        unheld_law = bool(mention and (mention.missing or not mention.documents))
        unserved = self.requests.kind(text, learned=not unheld_law)
        evasion = unserved == EVASION
        if unserved and not evasion and unserved != OFF_TOPIC:
            return self._declined(text, template("answers", f"declined_{unserved}"))
        if mention and mention.missing and not evasion:
            return self._missing(text, mention.missing)
        # The text of a version we do not hold (a later year than our newest): an article is quoted from the
        # version we hold, with its notice, unless only the newest text will do.
        unheld = self._unheld_version(text, mention) if not reference or _LATEST_ONLY.search(text) else ""
        if unheld:
            return self._declined(text, unheld)
        if mention and len(mention.documents) > 1 and not reference and _ASKS_CHANGES.search(text):
            return self._amendment(text, mention.documents[-1])
        if reference and not evasion:
            return self._explicit(text, mention)
        if mention and mention.suggestion and not evasion:
            return Answer(text, self.library.cite(text).message)
        if mention and not mention.documents and not evasion:
            return self._declined(text, template("answers", "declined_unknown_law", name=mention.name))
        as_of = version_asked(
            text, mention.documents if mention else (), self.transitions.changes_of(mention)
        )
        leaning = not unserved and not unheld_law and self.requests.leans_off_topic(text)
        found = self._retrieve(text, as_of, off_topic=unserved == OFF_TOPIC, leaning=leaning)
        if found is None:
            return self._declined(text, template("answers", "declined_out_of_scope"))
        if evasion:  # help to evade the law: refused, then the rule, its penalty and who did just that
            refused = self._refused(text, mention, found)
            refused.cases = self.cases.match(refused, found.vector, refusal=True)
            return refused
        extractive = self._compose(text, mention, found)
        if self.requests.admits_failing(text):
            extractive = self._with_remedy(extractive)
        extractive.cases = self.cases.match(extractive, found.vector)
        if self.llm is None:
            return extractive
        candidates = [self.library.quote(hit.ref) for hit in found.hits[:5]]
        return self.llm.compose(extractive, candidates) or extractive

    def _retrieve(
        self, text: str, as_of: date | None, off_topic: bool = False, leaning: bool = False
    ) -> Retrieved | None:
        """The question's hits (of the versions in force on ``as_of``), the FAQ entry to use (if any) and the
        date; None when the retrieval evidence says the question is outside pufa's remit, or does not
        overrule the request classifier's verdict that its topic is (``off_topic``), or does not clearly place
        a question the classifier leans to place outside (``leaning``) inside."""
        vector = self.retriever.embedder.embed_query(text)
        neighbours = self.retriever.neighbours(vector)
        hits = self.retriever.search(
            text, self.tuning.parallel_hit_depth, as_of=as_of, vector=vector, neighbours=neighbours
        )
        faqs = self._faq_candidates(neighbours)
        faq_similarity = faqs[0][1] if faqs else 0.0
        # No scope example among the neighbours: none is closer than the farthest neighbour.
        floor = neighbours[-1][1] if neighbours else 0.0
        outside = max((s for _, s in self.retriever.nearest([SCOPE_DOC], neighbours)), default=floor)
        evidence = gather(hits[:SCOPE_HITS], faq_similarity, outside)
        if not hits or not evidence.in_scope(self.tuning.scope, foreign=_is_foreign(text), leaning=leaning):
            return None
        if off_topic and not evidence.certain(self.tuning.scope):
            return None
        hits = self._on_named_laws(text, hits)
        # A question about an act's consequences is led by the penalty article matching the act: a FAQ entry
        # is used only when it rests on that article.
        depth = 1 if asks_consequence(text) else self.tuning.faq_agree_depth
        use_faq = self._choose_faq(faqs, hits, depth) if as_of is None else None
        return Retrieved(hits, use_faq, as_of, vector)

    # --- the kinds of answer -------------------------------------------------------------------------

    def _explicit(self, text: str, mention: LawMention | None) -> Answer:
        result = self.library.cite(text)
        if not result.found:
            return Answer(text, result.message, declined=False)
        quotes = list(result.quotes)
        if compares_versions(text):
            cited = [q.ref for q in quotes]
            quotes += [
                self.library.quote(ref)
                for ref in self.transitions.other_versions(cited) + self.transitions.current_elsewhere(cited)
            ]
        notices: list[str] = []
        if self.transitions.applies(text, mention):
            transition, notices = self.transitions.answer(text, mention, [q.ref for q in quotes])
            quotes = [self.library.quote(ref) for ref in transition]
        refs = "、".join(short_citation(q.citation) for q in quotes)
        amended = any(q.notice for q in quotes)
        conclusion = template(
            "answers", "cite_version_conclusion" if amended else "cite_conclusion", refs=refs
        )
        liability, summary = self._liability([q.ref for q in quotes]) if mentions_penalty(text) else ([], [])
        return self._finish(text, conclusion, quotes, [], liability, summary, "", notices)

    def _compose(
        self, text: str, mention: LawMention | None, found: Retrieved, penalties: bool = False
    ) -> Answer:
        hits, faq, as_of = found.hits, found.faq, found.as_of
        if faq:
            refs = self._of_named_laws(text, self._faq_refs(faq, hits))
            conclusion, compliance, advice = faq.conclusion, list(faq.compliance), faq.advice
            if not opening_stance(conclusion):
                conclusion = self._stance_prefix(text, _SENTENCE.findall(conclusion)[0]) + conclusion
        elif not penalties and as_of is None and (unsure := self._unsure_refs(text, hits)):
            return self._unsure(text, unsure)
        else:
            # A question about an act's consequences is answered by the article punishing that act (another
            # law's article punishing the same act joins it as its parallel, see ``_with_parallels``).
            refs = self._consequence_refs(hits) if asks_consequence(text) else self._basis_refs(hits)
            refs = refs[: self.tuning.versions.max_basis] if as_of else refs
            conclusion = self._penalty_conclusion(text, refs) or self._generic_conclusion(text, refs)
            compliance = self._duties(refs)
            advice = self._advice(refs)
        notices = [template("answers", "as_of_notice", date=as_of.isoformat())] if as_of else []
        if self.transitions.applies(text, mention):
            refs, transition_notices = self.transitions.answer(
                text, mention, self.transitions.acts(hits, refs)
            )
            notices += transition_notices
        query_terms = set(tokenize(text))
        refs = self._with_parallels(text, refs, hits)
        if compares_versions(text):
            refs += self.transitions.other_versions(refs)
        basis = [self._excerpt(ref, query_terms) for ref in refs]
        liability, summary = self._liability(refs)
        # Penalty articles are quoted when the question is about consequences; otherwise named in one line.
        liability = [q for q in liability if q.ref not in refs] if penalties or mentions_penalty(text) else []
        for ref in self._with_parallels(text, [q.ref for q in liability], hits, refs)[len(liability) :]:
            liability.append(self._excerpt(ref, query_terms))
        return self._finish(text, conclusion, basis, compliance, liability, summary, advice, notices)

    def _finish(
        self,
        text: str,
        conclusion: str,
        basis: list[QuotedArticle],
        compliance: list[str],
        liability: list[QuotedArticle],
        summary: list[str],
        advice: str,
        notices: list[str] | None = None,
    ) -> Answer:
        cited = [q.ref for q in (*basis, *liability)]
        domains = sorted({d for ref in cited for d in self.library.document(ref.doc_id).domains})
        return Answer(
            question=text,
            conclusion=conclusion,
            basis=basis,
            compliance=compliance,
            liability=liability,
            liability_summary=summary,
            advice=advice or self._advice(cited),
            notices=[
                *(notices or []),
                template("answers", "notice"),
            ],  # version notes stand under their quote
            domains=domains,
        )

    def _with_remedy(self, answer: Answer) -> Answer:
        """A self-report: the rule as answered, then the remedy (stop, make good, report) and the mitigation
        the law grants to those who put things right (行政处罚法第三十二条、第三十三条)."""
        cited = set(answer.citations)
        mitigation = [self.library.quote(ref) for ref in MITIGATION if ref in self.library.articles]
        return dataclasses.replace(
            answer,
            conclusion=template("answers", "self_report_opening") + answer.conclusion,
            liability=[*answer.liability, *(q for q in mitigation if q.ref not in cited)],
            advice=template("answers", "self_report_advice"),
        )

    def _unsure_refs(self, text: str, hits: list[Hit]) -> list[ArticleRef]:
        """When the ranker cannot tell the first candidates apart (their shares within its sure margin): the
        two or three that may apply; else none. Two articles restating one rule are not a doubt, nor is a
        question about an act's consequences led by the article enumerating that act."""
        ranker = self.retriever.ranker
        if ranker is None or len(hits) < 2 or hits[0].share <= 0:
            return []
        if asks_consequence(text) and is_liability(self.library.articles[hits[0].ref]):
            return []
        first, second = hits[0], hits[1]
        if first.share - second.share >= ranker.sure_margin:
            return []
        if any(p.ref == second.ref for p in self.parallels.of(first.ref)):
            return []
        refs = [first.ref, second.ref]
        third = hits[2] if len(hits) > 2 else None
        if third and third.share >= second.share * self.tuning.unsure_third_ratio:
            refs.append(third.ref)
        return refs

    def _unsure(self, text: str, refs: list[ArticleRef]) -> Answer:
        """The provisions that may apply and what distinguishes them (“如果是…，适用…”), no conclusion in the
        confident voice."""
        terms = set(tokenize(with_legal_terms(text)))
        options = []
        for ref in refs:
            ranked = _ranked_sentences(self.library.articles[ref].text, terms)
            gist = _clause(ranked[0]) if ranked else ""
            options.append(template("answers", "unsure_option", gist=gist, ref=self._short_citation(ref)))
        conclusion = template("answers", "unsure_conclusion", options="；".join(options))
        basis = [self._excerpt(ref, terms) for ref in refs]
        liability, summary = self._liability(refs)
        liability = [q for q in liability if q.ref not in refs] if mentions_penalty(text) else []
        answer = self._finish(
            text, conclusion, basis, self._duties(refs), liability, summary, self._advice(refs)
        )
        answer.confident = False
        return answer

    def _missing(self, text: str, missing: MissingDocument) -> Answer:
        number = f"（{missing.doc_number}）" if missing.doc_number else ""
        conclusion = template(
            "answers", "declined_missing", title=missing.title, issuer=missing.issuer, number=number
        )
        related = self.library.related_laws(missing)
        advice = template("answers", "declined_missing_advice", laws="、".join(related) or "（无）")
        # The nearest provision we hold on the point (e.g. the regulation's article on the licence the
        # missing measures detail), quoted as what the law we hold says.
        found = self._retrieve(text, None)
        basis = [self._excerpt(found.hits[0].ref, set(tokenize(text)))] if found else []
        if basis:
            conclusion += template("answers", "missing_nearest", ref=self._short_citation(basis[0].ref))
        notices = [template("answers", "notice")]
        return Answer(text, conclusion, basis=basis, advice=advice, notices=notices, declined=True)

    def _amendment(self, text: str, newest: Document) -> Answer:
        """What the last amendment of a law changed: the articles whose text differs, computed from the two
        versions, the first few quoted with what changed."""
        changed = [
            ref
            for ref in sorted(self.library.articles)
            if ref.doc_id == newest.id and self.library.change_notice(ref)
        ]
        if not changed:
            return self._finish(
                text, template("answers", "amendment_none", title=newest.title), [], [], [], [], ""
            )
        numbers = "、".join(f"第{to_chinese(ref.article)}条" for ref in changed)
        conclusion = template(
            "answers",
            "amendment_conclusion",
            title=newest.title,
            date=chinese_date(newest.version_date) if newest.version_date else "",
            articles=numbers,
            count=len(changed),
        )
        basis = [self.library.quote(ref) for ref in changed[: self.tuning.max_amendment_quotes]]
        return self._finish(text, conclusion, basis, [], [], [], "")

    def _unheld_version(self, text: str, mention: LawMention | None) -> str:
        """A request for the text of a version we do not hold (a later amendment of the newest one we have)."""
        if mention is None or not mention.documents or not _TEXT_REQUEST.search(text):
            return ""
        newest = mention.documents[-1]
        years = [int(y) for y in re.findall(r"((?:19|20)\d{2})年", text)]
        if (
            newest.status != "amended"
            or not newest.version_date
            or not any(y > newest.version_date.year for y in years)
        ):
            return ""
        return template(
            "answers",
            "declined_unheld_version",
            title=newest.title,
            date=chinese_date(newest.version_date),
            note=newest.amended_by,
        )

    def _refused(self, text: str, mention: LawMention | None, found: Retrieved) -> Answer:
        """A request to evade the law: the refusal first, then the rule and the penalty for breaking it."""
        rule = self._compose(text, mention, found, penalties=True)
        conclusion = template("answers", "declined_evasion") + rule.conclusion
        return dataclasses.replace(rule, conclusion=conclusion, declined=True)

    def _declined(self, text: str, conclusion: str) -> Answer:
        return Answer(text, conclusion, advice=template("answers", "declined_advice"), declined=True)

    # --- parts -----------------------------------------------------------------------------------------

    def _faq_candidates(self, neighbours: Neighbours) -> list[tuple[FaqEntry, float]]:
        """Distinct FAQ entries among the question's neighbours, nearest first."""
        found: dict[str, float] = {}
        for doc_id, similarity in self.retriever.nearest(self._faq_doc_ids, neighbours):
            found.setdefault(doc_id.removeprefix(FAQ_PREFIX), similarity)
        return [(self._faq[faq_id], similarity) for faq_id, similarity in found.items()]

    def _choose_faq(
        self, candidates: list[tuple[FaqEntry, float]], hits: list[Hit], agree_depth: int
    ) -> FaqEntry | None:
        """A FAQ entry that retrieval agrees with (its articles include a top hit), or a near-identical one;
        never one whose question is clearly farther from the question than the best article is."""
        floor = max(self.tuning.faq_min_similarity, hits[0].dense - self.tuning.faq_article_margin)
        close = [(faq, sim) for faq, sim in candidates if sim >= floor]
        if close and close[0][1] >= self.tuning.faq_sure_similarity:
            return close[0][0]
        for depth in range(1, agree_depth + 1):
            top = {hit.ref for hit in hits[:depth]}
            agreeing = next((faq for faq, _ in close if top & set(faq.refs)), None)
            if agreeing:
                return agreeing
        return None

    def _on_named_laws(self, text: str, hits: list[Hit]) -> list[Hit]:
        """The hits of the laws the question names (all of them when it names none, or none of those was
        found): a question asked of one law is answered from that law."""
        named = self.library.parser.titles_named(text)
        own = [hit for hit in hits if self.library.document(hit.ref.doc_id).title in named]
        return own or hits

    def _of_named_laws(self, text: str, refs: list[ArticleRef]) -> list[ArticleRef]:
        """The articles of the laws the question names (all of them when it names none, or none of those is
        among ``refs``): a FAQ entry resting on two laws answers a question asked of one from that one."""
        named = self.library.parser.titles_named(text)
        own = [ref for ref in refs if self.library.document(ref.doc_id).title in named]
        return own or refs

    def _faq_refs(self, faq: FaqEntry, hits: list[Hit]) -> list[ArticleRef]:
        """The FAQ entry's first article, and those of its further articles retrieval found too; led by the
        ranker's top hit when that is one of the entry's articles (the entry answers several questions, the
        ranker has read this one)."""
        found = {hit.ref for hit in hits[: self.tuning.faq_support_depth]}
        refs = list(dict.fromkeys(faq.refs))  # an entry may rest on one article by several phrases
        refs = refs[:1] + [ref for ref in refs[1:] if ref in found]
        if hits and hits[0].ref in refs:
            refs.remove(hits[0].ref)
            refs.insert(0, hits[0].ref)
        return refs

    def _consequence_refs(self, hits: list[Hit]) -> list[ArticleRef]:
        """The penalty article matching the act best and, when the dense retriever clearly prefers it, the
        next liability article."""
        top, *rest = hits
        runner = next(iter(rest), None)
        margin = self.tuning.consequence_dense_margin
        if runner and runner.dense >= top.dense + margin and is_liability(self.library.articles[runner.ref]):
            return [top.ref, runner.ref]
        return [top.ref]

    def _basis_refs(self, hits: list[Hit]) -> list[ArticleRef]:
        top = hits[0]
        chosen = [top.ref]
        for hit in hits[1 : self.tuning.max_basis]:
            if (
                top.lexical > 0  # without a word in common, the lexical retriever has no view to agree with
                and top.dense - hit.dense <= self.tuning.second_dense_gap
                and hit.lexical >= top.lexical * self.tuning.second_lexical_ratio
                and (top.share <= 0 or hit.share >= self.tuning.second_min_share)
            ):
                chosen.append(hit.ref)
        return chosen

    def _with_parallels(
        self, text: str, refs: list[ArticleRef], hits: list[Hit], exclude: Sequence[ArticleRef] = ()
    ) -> list[ArticleRef]:
        """``refs`` and, after them, the articles of another law restating one of their rules, when
        retrieval found those too (among the first hits)."""
        found = {hit.ref for hit in hits[: self.tuning.parallel_hit_depth]}
        added: list[ArticleRef] = []
        question = with_legal_terms(text)
        for ref in refs:
            for parallel in self.parallels.restated(question, ref, self.tuning.parallel_unit_ratio):
                if parallel.ref in found and parallel.ref not in (*refs, *exclude, *added):
                    added.append(parallel.ref)
        return [*refs, *added]

    def _penalty_conclusion(self, text: str, refs: list[ArticleRef]) -> str:
        """For a question about an act's consequences led by a penalty article: the act as the article
        enumerates it, and the sanction its lead sentence sets."""
        if not asks_consequence(text):
            return ""
        act = self.retriever.penalties.best_items(with_legal_terms(text), {refs[0].doc_id}).get(refs[0])
        if act is None:
            return ""
        item = act[1]
        paragraph = self.library.articles[item.ref].paragraphs[item.paragraph - 1]
        where = self._short_citation(item.ref) + (f"第（{to_chinese(item.item)}）项" if item.item else "")
        lead = paragraph.text if item.item else item.text
        sanction = _SANCTION.search(lead)
        if sanction is None:
            return ""
        act_text = _ITEM_NUMBER.sub("", item.text).rstrip("；。") if item.item else ""
        return template(
            "answers",
            "penalty_conclusion" if act_text else "penalty_conclusion_plain",
            where=where,
            act=act_text,
            sanction=sanction.group(1).rstrip("：:；。"),
        )

    def _generic_conclusion(self, text: str, refs: list[ArticleRef]) -> str:
        terms = set(tokenize(with_legal_terms(text)))
        article = self.library.articles[refs[0]]
        ranked = _ranked_sentences(article.text, terms)
        gist = _shortened(ranked[0]) if ranked else article.text
        names = "、".join(self._short_citation(r) for r in refs)
        conclusion = template("answers", "generic_conclusion", refs=names, gist=gist)
        return self._stance_prefix(text, *ranked[: self.tuning.stance_sentences]) + conclusion

    def _stance_prefix(self, text: str, *rules: str) -> str:
        """``需要。``, ``不可以。``, ``符合…的可以。``… when ``text`` is a yes/no question one of ``rules`` (the
        sentences that answer it, best first) answers."""
        answered = next(filter(None, (stance(text, rule) for rule in rules)), None)
        if not answered:
            return ""
        return in_question_words(text, template("answers", f"stance_{answered[0]}_{answered[1]}"))

    def _duties(self, refs: list[ArticleRef]) -> list[str]:
        duties: list[str] = []
        for ref in refs:
            for sentence in _SENTENCE.findall(self.library.articles[ref].text.replace("\n", "")):
                if _DUTY.search(sentence) and len(duties) < 4:
                    duties.append(sentence.strip())
        return duties

    def _liability(self, refs: list[ArticleRef]) -> tuple[list[QuotedArticle], list[str]]:
        """The penalties enforcing the quoted obligations (most relevant first), one per penalty article."""
        links = sorted(
            (link for link in self._links if link.obligation in refs),
            key=lambda link: refs.index(link.obligation),
        )
        quotes: dict[ArticleRef, QuotedArticle] = {}
        summary: list[str] = []
        for link in links:
            if link.penalty in quotes or len(quotes) == self.tuning.max_penalties:
                continue
            quotes[link.penalty] = self._excerpt(link.penalty, set(), must_contain=link.penalty_phrase)
            summary.append(
                template(
                    "answers",
                    "liability_line",
                    obligation=self._short_citation(link.obligation),
                    penalty=self._short_citation(link.penalty),
                    range=link.range,
                )
            )
        return list(quotes.values()), summary

    def _short_citation(self, ref: ArticleRef) -> str:
        return short_citation(citation_line(self.library.document(ref.doc_id), ref.article))

    def _advice(self, refs: list[ArticleRef]) -> str:
        domains = {d for ref in refs for d in self.library.document(ref.doc_id).domains}
        if "human_genetic_resources" in domains and "lab_animals" not in domains:
            return template("answers", "advice_hgr")
        if "lab_animals" in domains and "human_genetic_resources" not in domains:
            return template("answers", "advice_lab_animals")
        if domains == {"enforcement"}:
            return template("answers", "advice_enforcement")
        return template("answers", "advice_general")

    def _excerpt(self, ref: ArticleRef, terms: set[str], must_contain: str = "") -> QuotedArticle:
        """The article verbatim; a long one reduced to the 款 and 项 that carry the rule asked about."""
        quoted = self.library.quote(ref)
        text = excerpt(self.library.articles[ref], terms, must_contain, self.tuning.excerpt)
        return QuotedArticle(ref, quoted.citation, text, quoted.notice)


def _input_problem(text: str) -> str:
    if not text:
        return template("answers", "input_empty")
    if len(text) > MAX_QUESTION_CHARS:
        return template("answers", "input_too_long", length=len(text), limit=MAX_QUESTION_CHARS)
    if not _HAS_TEXT.search(text):
        return template("answers", "input_no_text")
    return ""


def _is_foreign(text: str) -> bool:
    """Mostly Latin letters: a question asked in English (or another foreign language)."""
    latin = len(re.findall(r"[A-Za-z]", text))
    return latin > 2 * len(re.findall(r"[\u4e00-\u9fff]", text))


def _ranked_sentences(text: str, terms: set[str]) -> list[str]:
    """The sentences of ``text``, those sharing most of ``terms`` first (ties in text order)."""
    sentences = [s.strip() for s in _SENTENCE.findall(text.replace("\n", "")) if s.strip()]
    return sorted(sentences, key=lambda s: -sum(len(t) for t in terms if t in s))


def _clause(sentence: str, limit: int = 40, enough: int = 12) -> str:
    """The leading whole clauses of a sentence (at least ``enough`` characters, within ``limit`` when it can):
    what distinguishes one provision from another in an unsure answer."""
    clauses = re.split(r"(?<=[，、])", _ITEM_NUMBER.sub("", sentence.strip()).rstrip("。；：:"))
    kept = ""
    for clause in clauses:
        if kept and (len(kept) >= enough or len(kept) + len(clause) > limit):
            break
        kept += clause
    kept = kept.rstrip("，、")
    return kept if len(kept) <= limit + 20 else kept[:limit] + "……"


def _shortened(sentence: str, limit: int = 120) -> str:
    """A whole sentence for a conclusion: a list's lead without its items (they are quoted below), a long
    sentence to its last whole clause within ``limit`` — never cut mid-word or mid-list."""
    lead, colon, rest = sentence.partition("：")
    if colon and _ITEM_NUMBER.match(rest.strip()):
        return lead + "（具体事项见下方所引条文）。"
    if len(sentence) <= limit:
        return sentence
    cut = max(sentence.rfind(mark, 0, limit) for mark in "，；")
    head = sentence[:cut] if cut > 0 else sentence[:limit]
    return head + "等（全文见下方所引条文）。"
