"""Keeping the FAQ search index in step with the articles (called by ``services`` inside their
transactions) and rebuilding it from scratch."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from .models import Article, IndexStats, Posting, Term
from .text import weighted_counts

# A word in the question says most about what an article answers; tags and the product
# are chosen by the author; the answer is long and mentions much in passing.
QUESTION_WEIGHT = 3.0
TAGS_WEIGHT = 2.0
PRODUCT_WEIGHT = 2.0
ANSWER_WEIGHT = 1.0
_BATCH = 5000


def article_terms(article: Article) -> dict[str, float]:
    product = " ".join(
        str(x)
        for x in (
            article.category.name if article.category_id and article.category else "",
            article.product_model.name if article.product_model_id and article.product_model else "",
            article.product_model.code if article.product_model_id and article.product_model else "",
        )
        if x
    )
    return weighted_counts(
        [
            (article.question, QUESTION_WEIGHT),
            (" ".join(article.tag_list), TAGS_WEIGHT),
            (product, PRODUCT_WEIGHT),
            (article.answer, ANSWER_WEIGHT),
        ]
    )


def _stats_row() -> IndexStats:
    row = IndexStats.objects.select_for_update().order_by("pk").first()
    return row if row is not None else IndexStats.objects.create()


def _term_ids(texts: Iterable[str]) -> dict[str, int]:
    texts = sorted(set(texts))
    ids: dict[str, int] = {}
    for i in range(0, len(texts), _BATCH):
        chunk = texts[i : i + _BATCH]
        Term.objects.bulk_create([Term(text=t) for t in chunk], ignore_conflicts=True)
        ids.update(Term.objects.filter(text__in=chunk).values_list("text", "id"))
    return ids


def _shift_df(term_ids: Iterable[int], delta: int) -> None:
    ids = sorted(set(term_ids))
    for i in range(0, len(ids), _BATCH):
        chunk = ids[i : i + _BATCH]
        # Locking in id order first: two articles re-indexed at once touch the same terms in
        # the same order, so PostgreSQL never sees a lock cycle.
        list(
            Term.objects.select_for_update().filter(id__in=chunk).order_by("id").values_list("id", flat=True)
        )
        Term.objects.filter(id__in=chunk).update(df=F("df") + delta)


@transaction.atomic
def index_article(article: Article) -> None:
    """Replace the article's postings (none when it is archived) and adjust the corpus numbers."""
    stats = _stats_row()
    old = dict(Posting.objects.filter(article=article).values_list("term_id", "dl"))
    old_length = next(iter(old.values()), 0.0)
    counts = article_terms(article) if article.active else {}
    length = float(sum(counts.values()))
    ids = _term_ids(counts) if counts else {}
    Posting.objects.filter(article=article).delete()
    Posting.objects.bulk_create(
        [Posting(term_id=ids[t], article_id=article.pk, tf=float(c), dl=length) for t, c in counts.items()],
        batch_size=_BATCH,
    )
    new_ids = set(ids.values())
    _shift_df(set(old) - new_ids, -1)
    _shift_df(new_ids - set(old), +1)
    was_indexed, is_indexed = bool(old), bool(counts)
    IndexStats.objects.filter(pk=stats.pk).update(
        articles=F("articles") + (int(is_indexed) - int(was_indexed)),
        total_length=F("total_length") + (length - (old_length if was_indexed else 0.0)),
    )
    Article.objects.filter(pk=article.pk).update(index_length=length)
    article.index_length = length


def _insert_postings(rows: list[tuple[int, int, float, float]]) -> None:
    """Millions of rows on a rebuild: one prepared INSERT run over plain tuples is several times
    faster than building a model instance per row."""
    if not rows:
        return
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(Posting._meta.db_table)} ({q('term_id')}, {q('article_id')}, {q('tf')}, {q('dl')}) "
        "VALUES (%s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


@transaction.atomic
def rebuild_index(batch: int = 2000) -> int:
    """Build the whole index again from the active articles (after a bulk import, or to repair)."""
    Posting.objects.all().delete()
    Term.objects.all().delete()
    IndexStats.objects.all().delete()
    df: Counter[str] = Counter()
    per_article: list[tuple[int, dict[str, float]]] = []
    qs = Article.objects.filter(active=True).select_related("category", "product_model").order_by("pk")
    for article in qs.iterator(chunk_size=batch):
        counts = article_terms(article)
        per_article.append((article.pk, counts))
        df.update(counts.keys())
    Term.objects.bulk_create([Term(text=t, df=n) for t, n in df.items()], batch_size=_BATCH)
    ids = dict(Term.objects.values_list("text", "id"))
    total = 0.0
    rows: list[tuple[int, int, float, float]] = []
    lengths: dict[float, list[int]] = {}
    for pk, counts in per_article:
        length = float(sum(counts.values()))
        total += length
        lengths.setdefault(length, []).append(pk)
        rows.extend((ids[t], pk, float(c), length) for t, c in counts.items())
        if len(rows) >= 100_000:
            _insert_postings(rows)
            rows = []
    _insert_postings(rows)
    for length, pks in lengths.items():
        for i in range(0, len(pks), _BATCH):
            Article.objects.filter(pk__in=pks[i : i + _BATCH]).update(index_length=length)
    Article.objects.filter(active=False).update(index_length=0)
    IndexStats.objects.create(articles=len(per_article), total_length=total)
    return len(per_article)
