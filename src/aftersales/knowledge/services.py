"""Business actions on the FAQ: write, review, archive articles; edit synonyms; record an answer's use.

Every article change re-indexes the article in the same transaction, so a search never
sees an article whose index disagrees with its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.catalog.models import Category, ProductModel
from aftersales.core.clock import now
from aftersales.core.errors import PermissionRefused, TransitionRefused, ValidationFailed
from aftersales.core.history import record_history
from aftersales.core.permissions import Role, has_role, roles_of

from .index import index_article
from .models import Article, ArticleUse, SynonymGroup, split_tags, split_words
from .search import forget_synonyms

# The outbound manager keeps the FAQ (spec); managers and administrators stand in.
EDITORS = (Role.MANAGER, Role.ADMIN)
READERS = (Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.QUALITY, Role.MANAGER, Role.ADMIN)


@dataclass
class ArticleInput:
    question: str
    answer: str
    category_id: int | None = None
    product_model_id: int | None = None
    tags: str = ""
    owner_id: int | None = None


def can_edit(user: Any, article: Article | None = None) -> bool:
    if has_role(user, *EDITORS):
        return True
    return article is not None and article.owner_id == getattr(user, "pk", None) and bool(roles_of(user))


def _validate(data: ArticleInput, actor: Any) -> tuple[Category | None, ProductModel | None, Any]:
    if not data.question.strip():
        raise ValidationFailed(
            "question_required", _("Write the question as a customer would ask it."), field="question"
        )
    if len(data.question.strip()) > 300:
        raise ValidationFailed(
            "question_too_long", _("The question is too long (300 characters at most)."), field="question"
        )
    if not data.answer.strip():
        raise ValidationFailed("answer_required", _("Write the answer."), field="answer")
    category = None
    if data.category_id is not None:
        category = Category.objects.filter(pk=data.category_id).first()
        if category is None:
            raise ValidationFailed("unknown_category", _("Unknown product category."), field="category_id")
    model = None
    if data.product_model_id is not None:
        model = ProductModel.objects.select_related("category").filter(pk=data.product_model_id).first()
        if model is None:
            raise ValidationFailed("unknown_model", _("Unknown product model."), field="product_model_id")
        if category is None:
            category = model.category
        elif model.category_id != category.pk:
            raise ValidationFailed(
                "model_not_in_category",
                _("The product model is not in this category."),
                field="product_model_id",
            )
    owner = actor
    if data.owner_id is not None:
        owner = get_user_model().objects.filter(pk=data.owner_id, is_active=True).first()
        if owner is None or not roles_of(owner) or has_role(owner, Role.CUSTOMER):
            raise ValidationFailed(
                "invalid_owner", _("The owner must be an active staff member."), field="owner_id"
            )
    if len(", ".join(split_tags(data.tags))) > 300:
        raise ValidationFailed("tags_too_long", _("Too many tags."), field="tags")
    return category, model, owner


@transaction.atomic
def create_article(*, data: ArticleInput, actor: Any) -> Article:
    if not has_role(actor, *EDITORS):
        raise PermissionRefused()
    category, model, owner = _validate(data, actor)
    at = now()
    article = Article.objects.create(
        question=data.question.strip(),
        answer=data.answer.strip(),
        category=category,
        product_model=model,
        tags=", ".join(split_tags(data.tags)),
        owner=owner,
        last_reviewed_at=at,
        last_reviewed_by=actor,
        created_at=at,
        created_by=actor,
        updated_at=at,
        updated_by=actor,
    )
    index_article(article)
    record_history(subject=article, event="created", actor=actor, note=article.question, at=at)
    return article


_FIELDS = ("question", "answer", "category_id", "product_model_id", "tags", "owner_id")


@transaction.atomic
def update_article(*, article: Article, data: ArticleInput, actor: Any, note: str = "") -> Article:
    """Change an article. Whoever edits it has checked it: the edit counts as a review."""
    if not can_edit(actor, article):
        raise PermissionRefused()
    if not article.active:
        raise TransitionRefused("article_archived", _("An archived article cannot be edited."), None)
    category, model, owner = _validate(data, actor)
    at = now()
    before = {f: getattr(article, f) for f in _FIELDS}
    article.question = data.question.strip()
    article.answer = data.answer.strip()
    article.category = category
    article.product_model = model
    article.tags = ", ".join(split_tags(data.tags))
    article.owner = owner
    article.last_reviewed_at = at
    article.last_reviewed_by = actor
    article.updated_at = at
    article.updated_by = actor
    article.save()
    index_article(article)
    changed = [f for f in _FIELDS if before[f] != getattr(article, f)]
    record_history(
        subject=article,
        event="updated",
        actor=actor,
        note=note,
        at=at,
        data={"fields": changed, "old": {f: before[f] for f in changed if f != "answer"}},
    )
    return article


@transaction.atomic
def review_article(*, article: Article, actor: Any, note: str = "") -> Article:
    """The owner confirms the article is still accurate, complete and current."""
    if not can_edit(actor, article):
        raise PermissionRefused()
    if not article.active:
        raise TransitionRefused("article_archived", _("An archived article cannot be reviewed."), None)
    at = now()
    Article.objects.filter(pk=article.pk).update(last_reviewed_at=at, last_reviewed_by=actor)
    record_history(subject=article, event="reviewed", actor=actor, note=note, at=at)
    article.refresh_from_db()
    return article


@transaction.atomic
def archive_article(*, article: Article, actor: Any, reason: str) -> Article:
    if not can_edit(actor, article):
        raise PermissionRefused()
    if not reason.strip():
        raise ValidationFailed("reason_required", _("A reason is required."), field="reason")
    changed = Article.objects.filter(pk=article.pk, active=True).update(
        active=False, updated_at=now(), updated_by=actor
    )
    if changed != 1:
        raise TransitionRefused("article_archived", _("The article is already archived."), None)
    article.active = False
    index_article(article)
    record_history(subject=article, event="archived", actor=actor, note=reason)
    return article


@transaction.atomic
def restore_article(*, article: Article, actor: Any) -> Article:
    if not has_role(actor, *EDITORS):
        raise PermissionRefused()
    changed = Article.objects.filter(pk=article.pk, active=False).update(
        active=True, updated_at=now(), updated_by=actor
    )
    if changed != 1:
        raise TransitionRefused("article_active", _("The article is not archived."), None)
    article.refresh_from_db()
    index_article(article)
    record_history(subject=article, event="restored", actor=actor)
    return article


@transaction.atomic
def save_synonym_group(
    *, words: str, actor: Any, group: SynonymGroup | None = None, note: str = ""
) -> SynonymGroup:
    if not has_role(actor, *EDITORS):
        raise PermissionRefused()
    word_list = split_words(words)
    if len(word_list) < 2:
        raise ValidationFailed(
            "two_words_needed", _("A synonym group needs at least two words."), field="words"
        )
    at = now()
    if group is None:
        group = SynonymGroup(updated_at=at)
    old = SynonymGroup.objects.filter(pk=group.pk).values_list("words", flat=True).first() if group.pk else ""
    group.words = ", ".join(word_list)
    group.note = note
    group.updated_at = at
    group.updated_by = actor
    group.save()
    record_history(
        subject=group, event="saved", actor=actor, note=group.words, data={"old": old or ""}, at=at
    )
    transaction.on_commit(forget_synonyms)
    return group


@transaction.atomic
def delete_synonym_group(*, group: SynonymGroup, actor: Any) -> None:
    if not has_role(actor, *EDITORS):
        raise PermissionRefused()
    record_history(subject=group, event="deleted", actor=actor, note=group.words)
    group.delete()
    transaction.on_commit(forget_synonyms)


@transaction.atomic
def record_article_use(*, article: Article, actor: Any, request: Any = None) -> ArticleUse:
    """An agent answered the customer with this article (on ``request`` when there is one)."""
    if not has_role(actor, *READERS):
        raise PermissionRefused()
    if not article.active:
        raise TransitionRefused("article_archived", _("This article is archived."), None)
    use = ArticleUse.objects.create(article=article, request=request, used_by=actor, used_at=now())
    Article.objects.filter(pk=article.pk).update(use_count=F("use_count") + 1)
    return use
