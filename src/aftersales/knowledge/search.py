"""Ranked FAQ search: BM25 over the bigram index, with synonym expansion, on SQLite and PostgreSQL.

Two stages keep it fast on a large knowledge base during a call. Terms are taken rarest
first while the postings they bring stay under a budget, and the best candidates by
those terms are chosen in SQL; the very common terms (怎么, 如何, 问题...) are then added
to the candidates' scores only, through the (term, article) index. A common term has a
small weight (low idf), so leaving it out of the candidate choice changes little, and
scanning its tens of thousands of postings would cost most of the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q

from .models import Article, IndexStats, Posting, SynonymGroup, Term
from .text import normalize, only_single_characters, terms, tokens

# Okapi BM25's usual constants: term-frequency saturation and length normalisation.
K1 = 1.2
B = 0.75
# Postings the candidate stage may read before it leaves out the remaining (common) terms.
CANDIDATE_POSTINGS_BUDGET = 25_000
CANDIDATES = 200
# The candidate stage always uses at least this many of the heaviest terms, whatever they cost.
MIN_CANDIDATE_TERMS = 3
# A customer's story typed in full has dozens of bigrams; past this many, the rarest count.
MAX_QUERY_TERMS = 32
# A synonym counts this much of a word the customer actually said.
SYNONYM_WEIGHT = 0.6
# The query's own words appearing unbroken in the question: it asks exactly this.
PHRASE_BONUS = 0.25
# An article about the product the request is about ranks above an equal one about another.
CATEGORY_BOOST = 1.3
SYNONYM_CACHE_KEY = "knowledge:synonyms:v1"
SYNONYM_CACHE_SECONDS = 300


@dataclass
class Hit:
    article: Article
    score: float
    matched: list[str] = field(default_factory=list)


def synonym_groups() -> list[list[str]]:
    groups = cache.get(SYNONYM_CACHE_KEY)
    if groups is None:
        groups = [
            [normalize(w) for w in g.word_list]
            for g in SynonymGroup.objects.filter(active=True).only("words").order_by("id")
        ]
        cache.set(SYNONYM_CACHE_KEY, groups, SYNONYM_CACHE_SECONDS)
    return groups


def forget_synonyms() -> None:
    cache.delete(SYNONYM_CACHE_KEY)


def query_weights(query: str) -> dict[str, float]:
    """The query's terms with their multipliers: 1 for the words typed, less for synonyms."""
    weights: dict[str, float] = dict.fromkeys(terms(query), 1.0)
    text = normalize(query)
    for group in synonym_groups():
        if any(word and word in text for word in group):
            for word in group:
                for term in terms(word):
                    weights.setdefault(term, SYNONYM_WEIGHT)
    return weights


def _corpus() -> tuple[int, float]:
    row = IndexStats.objects.order_by("pk").values_list("articles", "total_length").first()
    if not row or not row[0]:
        return 0, 0.0
    return row[0], row[1] / row[0]


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _bm25(
    weights: dict[int, float], avgdl: float, *, among: list[int] | None = None, limit: int | None = None
) -> list[tuple[int, float]]:
    """(article id, BM25 score over the given terms), best first.

    The term weights come in as a small VALUES table joined to the postings, so each term's
    postings are read from the covering index and no CASE over all the terms runs per row.
    With ``among`` (the candidates) every (article, term) pair is looked up in the unique
    (article, term) index instead: a common term's tens of thousands of postings are never read.
    """
    posting = connection.ops.quote_name(Posting._meta.db_table)
    values = ", ".join(["(%s, %s)"] * len(weights))
    params: list[Any] = [x for tid, w in weights.items() for x in (tid, float(w))]
    score = "SUM(w.weight * p.tf * %s / (p.tf + %s + %s * p.dl))"
    # The saturation and length-normalisation constants, folded into three numbers.
    constants = [K1 + 1, K1 * (1 - B), K1 * B / avgdl if avgdl else 0.0]
    if among is None:
        sql = (
            f"WITH w(term_id, weight) AS (VALUES {values}) "
            f"SELECT p.article_id, {score} AS score FROM w JOIN {posting} p ON p.term_id = w.term_id "
            "GROUP BY p.article_id ORDER BY score DESC, p.article_id"
        )
        params = params + constants
    else:
        candidates = ", ".join(["(%s)"] * len(among))
        if connection.vendor == "postgresql":
            # PostgreSQL cannot know how many postings each VALUES term has and would scan them
            # all; LATERAL with LIMIT 1 (a pair is unique) makes it probe the pairs one by one.
            # SQLite's planner probes them by itself.
            pairs = (
                f"c CROSS JOIN w CROSS JOIN LATERAL (SELECT q.article_id, q.tf, q.dl FROM {posting} q "
                "WHERE q.article_id = c.article_id AND q.term_id = w.term_id LIMIT 1) p"
            )
        else:
            pairs = (
                f"c CROSS JOIN w JOIN {posting} p ON p.article_id = c.article_id AND p.term_id = w.term_id"
            )
        sql = (
            f"WITH w(term_id, weight) AS (VALUES {values}), c(article_id) AS (VALUES {candidates}) "
            f"SELECT p.article_id, {score} AS score FROM {pairs} "
            "GROUP BY p.article_id ORDER BY score DESC, p.article_id"
        )
        params = params + list(among) + constants
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(pk), float(total)) for pk, total in cursor.fetchall()]


def _plan(found: list[tuple[int, str, int]], multipliers: dict[str, float], n: int) -> tuple[dict, dict]:
    """Split the query's terms into the candidate stage's (heaviest first — rare, and typed
    rather than synonyms — within the posting budget) and the rest. A long description read out by an
    agent keeps its most telling terms only."""
    weighted = sorted(((_idf(n, df) * multipliers[text], tid, df) for tid, text, df in found), reverse=True)
    first: dict[int, float] = {}
    later: dict[int, float] = {}
    read = 0
    for weight, tid, df in weighted[:MAX_QUERY_TERMS]:
        if len(first) < MIN_CANDIDATE_TERMS or read + df <= CANDIDATE_POSTINGS_BUDGET:
            first[tid] = weight
            read += df
        else:
            later[tid] = weight
    return first, later


def _fallback(query: str, limit: int, category_id: int | None) -> list[Hit]:
    """A one-character query (冷) has no bigram: look for the character itself in the questions."""
    chars = [c for c in normalize(query) if not c.isspace()]
    qs = Article.objects.filter(active=True).select_related("category", "product_model", "owner")
    for ch in chars:
        qs = qs.filter(Q(question__icontains=ch) | Q(tags__icontains=ch))
    rows = list(qs.order_by("-use_count", "-id")[:limit])
    return [
        Hit(a, 1.0 + (CATEGORY_BOOST - 1 if category_id and a.category_id == category_id else 0), chars)
        for a in rows
    ]


def search_articles(query: str, *, limit: int = 10, category_id: int | None = None) -> list[Hit]:
    """Active articles matching ``query``, best first."""
    conf: dict[str, Any] = settings.AFTERSALES
    query = (query or "").strip()[: int(conf.get("FAQ_QUERY_MAX_CHARS", 200))]
    if not query:
        return []
    if only_single_characters(query):
        return _fallback(query, limit, category_id)
    multipliers = query_weights(query)
    if not multipliers:
        return []
    n, avgdl = _corpus()
    if n == 0:
        return []
    found = list(Term.objects.filter(text__in=list(multipliers)).values_list("id", "text", "df"))
    found = [row for row in found if row[2] > 0]
    if not found:
        return []
    first, later = _plan(found, multipliers, n)
    texts = {tid: text for tid, text, _df in found}
    scores = dict(_bm25(first, avgdl, limit=CANDIDATES))
    if not scores:
        return []
    if later:
        for pk, score in _bm25(later, avgdl, among=list(scores)):
            scores[pk] += score
    # Re-ranking needs only the question and category of the candidates; whole articles are
    # loaded for the few that are shown (building 200 model instances would cost more than the SQL).
    phrases = [p for p in tokens(query) if len(p) >= 2]
    ranked = []
    for pk, question, cat in Article.objects.filter(pk__in=list(scores), active=True).values_list(
        "pk", "question", "category_id"
    ):
        bonus = sum(1 for p in phrases if p in normalize(question))
        total = scores[pk] * (1 + PHRASE_BONUS * bonus)
        if category_id and cat == category_id:
            total *= CATEGORY_BOOST
        ranked.append((-total, pk))
    ranked.sort()
    top = ranked[:limit]
    ids = [pk for _s, pk in top]
    matched: dict[int, set[int]] = {pk: set() for pk in ids}
    for term_id, article_id in Posting.objects.filter(
        term_id__in=list(texts), article_id__in=ids
    ).values_list("term_id", "article_id"):
        matched[article_id].add(term_id)
    articles = Article.objects.select_related("category", "product_model", "owner").in_bulk(ids)
    hits = [
        Hit(articles[pk], -neg, sorted(texts[t] for t in matched[pk])) for neg, pk in top if pk in articles
    ]
    return hits
