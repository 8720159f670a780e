"""Read queries on the FAQ for pages, API and the agent console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from aftersales.core.clock import now
from aftersales.core.errors import NotFound
from aftersales.core.history import history_of
from aftersales.core.permissions import has_role

from .models import Article, stale_after
from .search import Hit, search_articles
from .services import READERS

__all__ = ["Hit", "search_articles", "access_article", "filter_articles", "ArticleFilters", "stale_articles"]


def can_read(user: Any) -> bool:
    return has_role(user, *READERS)


def access_article(user: Any, article_id: int) -> Article:
    article = (
        Article.objects.select_related("category", "product_model", "owner", "last_reviewed_by")
        .filter(pk=article_id)
        .first()
    )
    if article is None or not can_read(user):
        raise NotFound()
    return article


def stale_articles() -> QuerySet[Article]:
    return Article.objects.filter(active=True, last_reviewed_at__lt=now() - stale_after())


@dataclass
class ArticleFilters:
    category_id: int | None = None
    product_model_id: int | None = None
    owner_id: int | None = None
    tag: str | None = None
    stale: bool | None = None
    active: bool | None = True


def filter_articles(user: Any, f: ArticleFilters) -> QuerySet[Article]:
    if not can_read(user):
        return Article.objects.none()
    qs = Article.objects.select_related("category", "product_model", "owner")
    if f.active is not None:
        qs = qs.filter(active=f.active)
    if f.category_id:
        qs = qs.filter(category_id=f.category_id)
    if f.product_model_id:
        qs = qs.filter(product_model_id=f.product_model_id)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.tag and f.tag.strip():
        qs = qs.filter(Q(tags__icontains=f.tag.strip()))
    if f.stale is not None:
        limit = now() - stale_after()
        qs = qs.filter(last_reviewed_at__lt=limit) if f.stale else qs.filter(last_reviewed_at__gte=limit)
    return qs.order_by("-updated_at", "-id")


def article_history(article: Article) -> QuerySet[Any]:
    return history_of(article)


def suggestions_for_request(user: Any, description: str, *, unit: Any = None, limit: int = 5) -> list[Hit]:
    """Articles to offer an agent for the request being registered: its description as the
    query, articles about the unit's product category first."""
    if not can_read(user):
        return []
    category_id = unit.product_model.category_id if unit is not None else None
    return search_articles(description, limit=limit, category_id=category_id)
