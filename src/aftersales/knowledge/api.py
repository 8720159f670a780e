"""FAQ API: ranked search, suggestions for a request being registered, articles, synonyms."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status

from aftersales.catalog.models import Unit
from aftersales.core.api import ErrorOut, LocalDateTime, Page, paginate
from aftersales.core.clock import now
from aftersales.core.errors import NotFound, PermissionRefused
from aftersales.core.permissions import require_role
from aftersales.service.selectors import access_request

from . import selectors, services
from .models import Article, SynonymGroup, stale_after
from .text import highlight_spans

router = Router(tags=["FAQ knowledge base"])


class ArticleIn(Schema):
    question: str
    answer: str
    category_id: int | None = None
    product_model_id: int | None = None
    tags: str = ""
    owner_id: int | None = None


class ArticleOut(Schema):
    id: int
    question: str
    answer: str
    category_id: int | None
    category: str | None
    product_model_id: int | None
    product_model: str | None
    tags: list[str]
    owner: str
    active: bool
    last_reviewed_at: LocalDateTime
    stale: bool
    use_count: int
    updated_at: LocalDateTime


class HitOut(Schema):
    score: float
    matched_terms: list[str]
    question_marked: str
    article: ArticleOut


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class UseIn(Schema):
    request_number: str | None = None


class SynonymIn(Schema):
    words: str
    note: str = ""


class SynonymOut(Schema):
    id: int
    words: list[str]
    note: str
    active: bool


def article_payload(a: Article) -> dict[str, Any]:
    return {
        "id": a.pk,
        "question": a.question,
        "answer": a.answer,
        "category_id": a.category_id,
        "category": a.category.name if a.category else None,
        "product_model_id": a.product_model_id,
        "product_model": str(a.product_model) if a.product_model_id else None,
        "tags": a.tag_list,
        "owner": a.owner.get_full_name() or a.owner.get_username(),
        "active": a.active,
        "last_reviewed_at": a.last_reviewed_at,
        "stale": a.last_reviewed_at < now() - stale_after(),
        "use_count": a.use_count,
        "updated_at": a.updated_at,
    }


def _marked(text: str, terms: list[str]) -> str:
    """The question with matched pieces wrapped in 【】, for clients that show plain text."""
    return "".join(f"【{piece}】" if hit else piece for piece, hit in highlight_spans(text, terms))


def hit_payload(h: selectors.Hit) -> dict[str, Any]:
    return {
        "score": round(h.score, 4),
        "matched_terms": h.matched,
        "question_marked": _marked(h.article.question, h.matched),
        "article": article_payload(h.article),
    }


def _reader(request: HttpRequest) -> None:
    if not selectors.can_read(request.user):
        raise PermissionRefused()


@router.get("/search", response={200: list[HitOut], 403: ErrorOut})
def search(request: HttpRequest, q: str, category_id: int | None = None, limit: int = 10) -> Any:
    """Ranked full-text search that finds Chinese words inside the text (漏水 finds 洗衣机底部漏水怎么办)."""
    _reader(request)
    hits = selectors.search_articles(q, limit=max(1, min(limit, 50)), category_id=category_id)
    return [hit_payload(h) for h in hits]


@router.get("/suggest", response={200: list[HitOut], 403: ErrorOut, 404: ErrorOut})
def suggest(
    request: HttpRequest,
    description: str,
    unit_id: int | None = None,
    request_number: str | None = None,
    limit: int = 5,
) -> Any:
    """Articles to offer while a request is being registered: its description, its unit's product."""
    _reader(request)
    unit = None
    if request_number:
        sr = access_request(request.user, request_number)
        unit = sr.unit
    elif unit_id is not None:
        unit = Unit.objects.select_related("product_model").filter(pk=unit_id).first()
        if unit is None:
            raise NotFound()
    hits = selectors.suggestions_for_request(
        request.user, description, unit=unit, limit=max(1, min(limit, 20))
    )
    return [hit_payload(h) for h in hits]


@router.get("/articles", response={200: Page[ArticleOut], 403: ErrorOut})
def list_articles(
    request: HttpRequest,
    category_id: int | None = None,
    product_model_id: int | None = None,
    owner_id: int | None = None,
    tag: str | None = None,
    stale: bool | None = None,
    active: bool | None = True,
    page: int = 1,
    page_size: int = 50,
) -> Any:
    _reader(request)
    qs = selectors.filter_articles(
        request.user,
        selectors.ArticleFilters(
            category_id=category_id,
            product_model_id=product_model_id,
            owner_id=owner_id,
            tag=tag,
            stale=stale,
            active=active,
        ),
    )
    conf: dict[str, Any] = settings.AFTERSALES
    result = paginate(qs, page, page_size, conf["PAGE_SIZE_MAX"])
    result["items"] = [article_payload(a) for a in result["items"]]
    return result


@router.post("/articles", response={201: ArticleOut, 403: ErrorOut, 422: ErrorOut})
def create_article(request: HttpRequest, payload: ArticleIn) -> Any:
    article = services.create_article(data=services.ArticleInput(**payload.dict()), actor=request.user)
    return Status(201, article_payload(selectors.access_article(request.user, article.pk)))


@router.get("/articles/{article_id}", response={200: ArticleOut, 404: ErrorOut})
def get_article(request: HttpRequest, article_id: int) -> Any:
    return article_payload(selectors.access_article(request.user, article_id))


@router.put(
    "/articles/{article_id}",
    response={200: ArticleOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def update_article(request: HttpRequest, article_id: int, payload: ArticleIn) -> Any:
    article = selectors.access_article(request.user, article_id)
    services.update_article(article=article, data=services.ArticleInput(**payload.dict()), actor=request.user)
    return article_payload(selectors.access_article(request.user, article_id))


@router.post(
    "/articles/{article_id}/review", response={200: ArticleOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def review_article(request: HttpRequest, article_id: int, payload: NoteIn) -> Any:
    article = selectors.access_article(request.user, article_id)
    services.review_article(article=article, actor=request.user, note=payload.note)
    return article_payload(selectors.access_article(request.user, article_id))


@router.post(
    "/articles/{article_id}/archive",
    response={200: ArticleOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def archive_article(request: HttpRequest, article_id: int, payload: ReasonIn) -> Any:
    article = selectors.access_article(request.user, article_id)
    services.archive_article(article=article, actor=request.user, reason=payload.reason)
    return article_payload(selectors.access_article(request.user, article_id))


@router.post(
    "/articles/{article_id}/restore", response={200: ArticleOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def restore_article(request: HttpRequest, article_id: int) -> Any:
    article = selectors.access_article(request.user, article_id)
    services.restore_article(article=article, actor=request.user)
    return article_payload(selectors.access_article(request.user, article_id))


@router.post("/articles/{article_id}/use", response={201: dict, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut})
def use_article(request: HttpRequest, article_id: int, payload: UseIn) -> Any:
    """The agent answered with this article (on the given request)."""
    article = selectors.access_article(request.user, article_id)
    sr = access_request(request.user, payload.request_number) if payload.request_number else None
    use = services.record_article_use(article=article, actor=request.user, request=sr)
    return Status(201, {"id": use.pk, "article_id": article.pk, "request_number": sr.number if sr else None})


@router.get("/synonyms", response={200: list[SynonymOut], 403: ErrorOut})
def list_synonyms(request: HttpRequest) -> Any:
    _reader(request)
    return [
        {"id": g.pk, "words": g.word_list, "note": g.note, "active": g.active}
        for g in SynonymGroup.objects.all()
    ]


@router.post("/synonyms", response={201: SynonymOut, 403: ErrorOut, 422: ErrorOut})
def create_synonyms(request: HttpRequest, payload: SynonymIn) -> Any:
    g = services.save_synonym_group(words=payload.words, note=payload.note, actor=request.user)
    return Status(201, {"id": g.pk, "words": g.word_list, "note": g.note, "active": g.active})


@router.put("/synonyms/{group_id}", response={200: SynonymOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def update_synonyms(request: HttpRequest, group_id: int, payload: SynonymIn) -> Any:
    require_role(request.user, *services.EDITORS)
    group = SynonymGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound()
    g = services.save_synonym_group(group=group, words=payload.words, note=payload.note, actor=request.user)
    return {"id": g.pk, "words": g.word_list, "note": g.note, "active": g.active}


@router.delete("/synonyms/{group_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def delete_synonyms(request: HttpRequest, group_id: int) -> Any:
    require_role(request.user, *services.EDITORS)
    group = SynonymGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound()
    services.delete_synonym_group(group=group, actor=request.user)
    return Status(204, None)
