"""FAQ knowledge base (FAQ 库): articles, their search index, and the synonym table.

The index is an inverted index of terms (Chinese character bigrams, Latin tokens; see
``text.py``) to articles, kept in ordinary tables so that the same search runs on SQLite
and PostgreSQL without a tokenizer download or a database extension. ``services.py``
keeps it in step with every article change, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

_USER = settings.AUTH_USER_MODEL


def stale_after() -> dt.timedelta:
    """An article not reviewed for this long is flagged as possibly out of date."""
    conf: dict[str, Any] = settings.AFTERSALES
    return dt.timedelta(days=int(conf.get("FAQ_STALE_AFTER_DAYS", 180)))


class Article(models.Model):
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(pgettext_lazy("faq", "answer"))
    category = models.ForeignKey(
        "catalog.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faq_articles",
        verbose_name=_("product category"),
    )
    product_model = models.ForeignKey(
        "catalog.ProductModel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="faq_articles",
        verbose_name=_("product model"),
    )
    # Comma-separated; searched like the text (a tag is worth more than a word in the answer).
    tags = models.CharField(_("tags"), max_length=300, blank=True)
    owner = models.ForeignKey(
        _USER, on_delete=models.PROTECT, related_name="faq_articles", verbose_name=_("article owner")
    )
    active = models.BooleanField(_("in use"), default=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed at"), db_index=True)
    last_reviewed_by = models.ForeignKey(
        _USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last reviewed by"),
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )
    # Weighted number of index terms (BM25's document length); 0 while not indexed.
    index_length = models.FloatField(_("index length"), default=0)
    use_count = models.PositiveIntegerField(_("times used"), default=0)

    class Meta:
        verbose_name = _("FAQ article")
        verbose_name_plural = _("FAQ articles")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.question

    @property
    def tag_list(self) -> list[str]:
        return split_tags(self.tags)

    def is_stale(self, at: dt.datetime) -> bool:
        return self.last_reviewed_at < at - stale_after()


def split_tags(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for piece in (text or "").replace("，", ",").replace("、", ",").replace(";", ",").split(","):
        tag = piece.strip()
        if tag:
            seen.setdefault(tag, None)
    return list(seen)


class Term(models.Model):
    """One index term with its document frequency (how many active articles contain it)."""

    text = models.CharField(max_length=24, unique=True)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("index term")
        verbose_name_plural = _("index terms")

    def __str__(self) -> str:
        return self.text


class Posting(models.Model):
    """A term's occurrence in an article: weighted frequency, and the article's length copied in
    so that scoring reads one covering index and never the article table."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", db_index=False)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", db_index=False)
    tf = models.FloatField()
    dl = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["term", "article", "tf", "dl"], name="faq_posting_cover_idx")]
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="faq_posting_uniq")]

    def __str__(self) -> str:
        return f"{self.term_id}→{self.article_id} ({self.tf:g})"


class IndexStats(models.Model):
    """The corpus numbers BM25 needs (article count, total length), kept by the indexer in the
    same transaction as the postings so that they are exact without counting 50,000 rows per query."""

    articles = models.PositiveIntegerField(default=0)
    total_length = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"{self.articles} articles"


class SynonymGroup(models.Model):
    """Words that mean the same to a customer (不制冷, 不冷, 制冷效果差, 吹热风). A query that contains
    one of them also looks for the others, at a lower weight."""

    words = models.TextField(_("words"), help_text=_("Separate the words with commas or new lines."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        _USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["id"]

    def __str__(self) -> str:
        return ", ".join(self.word_list[:4])

    @property
    def word_list(self) -> list[str]:
        return split_words(self.words)


def split_words(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for line in (text or "").replace("，", ",").replace("、", ",").replace("\n", ",").split(","):
        word = line.strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


class ArticleUse(models.Model):
    """An agent gave this article's answer on a request (the console records it): shows which
    articles earn their keep and which requests an answer came from."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="uses", verbose_name=_("article")
    )
    request = models.ForeignKey(
        "service.ServiceRequest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="faq_uses",
        verbose_name=_("request"),
    )
    used_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("used by"))
    used_at = models.DateTimeField(_("used at"))

    class Meta:
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")
        ordering = ["-used_at"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.used_at:%Y-%m-%d %H:%M}"
