"""FAQ pages: search-as-you-type list, article pages, the editor, synonyms, and the panel that
offers matching articles while a request is being registered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from aftersales.catalog.models import Category, ProductModel, Unit
from aftersales.core.clock import now
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.permissions import Role

from . import selectors, services
from .models import SynonymGroup, stale_after
from .text import highlight_spans


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


def _annotate(hits: list[selectors.Hit]) -> list[dict[str, Any]]:
    stale_limit = now() - stale_after()
    return [
        {
            "article": h.article,
            "score": h.score,
            "spans": highlight_spans(h.article.question, h.matched),
            "stale": h.article.last_reviewed_at < stale_limit,
        }
        for h in hits
    ]


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    if not selectors.can_read(request.user):
        return _not_found(request)
    q = (request.GET.get("q") or "").strip()
    category_id = _int(request.GET.get("category"))
    stale = request.GET.get("stale") == "1"
    ctx: dict[str, Any] = {
        "q": q,
        "category_id": category_id,
        "stale": stale,
        "categories": Category.objects.all(),
    }
    if q:
        ctx["hits"] = _annotate(selectors.search_articles(q, limit=30, category_id=category_id))
    else:
        qs = selectors.filter_articles(
            request.user, selectors.ArticleFilters(category_id=category_id, stale=True if stale else None)
        )
        page = Paginator(qs, 30).get_page(request.GET.get("page"))
        limit = now() - stale_after()
        ctx["page"] = page
        ctx["rows"] = [{"article": a, "stale": a.last_reviewed_at < limit} for a in page.object_list]
    ctx["stale_count"] = selectors.stale_articles().count()
    ctx["can_edit"] = services.can_edit(request.user)
    template = "knowledge/_results.html" if request.headers.get("HX-Request") else "knowledge/list.html"
    return render(request, template, ctx)


@login_required
def article_detail(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = selectors.access_article(request.user, article_id)
    except NotFound:
        return _not_found(request)
    return render(
        request,
        "knowledge/detail.html",
        {
            "a": article,
            "stale": article.last_reviewed_at < now() - stale_after(),
            "history": selectors.article_history(article),
            "can_edit": services.can_edit(request.user, article),
            "is_editor": services.can_edit(request.user),
        },
    )


class ArticleForm(forms.Form):
    question = forms.CharField(label=_("Question"), max_length=300)
    answer = forms.CharField(label=pgettext_lazy("faq", "Answer"), widget=forms.Textarea(attrs={"rows": 8}))
    category = forms.ModelChoiceField(
        label=_("Product category"), queryset=Category.objects.all(), required=False
    )
    product_model = forms.ModelChoiceField(
        label=_("Product model"), queryset=ProductModel.objects.select_related("category"), required=False
    )
    tags = forms.CharField(label=_("Tags (comma separated)"), max_length=300, required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.AGENT, Role.MANAGER, Role.ADMIN])
        .distinct(),
        required=False,
    )
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)

    def to_input(self) -> services.ArticleInput:
        d = self.cleaned_data
        return services.ArticleInput(
            question=d["question"],
            answer=d["answer"],
            category_id=d["category"].pk if d["category"] else None,
            product_model_id=d["product_model"].pk if d["product_model"] else None,
            tags=d["tags"],
            owner_id=d["owner"].pk if d["owner"] else None,
        )


def _form_error(form: forms.Form, exc: DomainError) -> None:
    field = exc.field.removesuffix("_id") if exc.field else None
    form.add_error(field if field in form.fields else None, exc.text())


@login_required
def article_new(request: HttpRequest) -> HttpResponse:
    if not services.can_edit(request.user):
        return _not_found(request)
    form = ArticleForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        try:
            article = services.create_article(data=form.to_input(), actor=request.user)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("knowledge:detail", article_id=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "a": None})


@login_required
def article_edit(request: HttpRequest, article_id: int) -> HttpResponse:
    try:
        article = selectors.access_article(request.user, article_id)
    except NotFound:
        return _not_found(request)
    if not services.can_edit(request.user, article):
        return _not_found(request)
    initial = {
        "question": article.question,
        "answer": article.answer,
        "category": article.category,
        "product_model": article.product_model,
        "tags": article.tags,
        "owner": article.owner,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_article(
                article=article, data=form.to_input(), actor=request.user, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("knowledge:detail", article_id=article.pk)
    return render(request, "knowledge/form.html", {"form": form, "a": article})


@login_required
@require_POST
def article_action(request: HttpRequest, article_id: int, action: str) -> HttpResponse:
    try:
        article = selectors.access_article(request.user, article_id)
    except NotFound:
        return _not_found(request)
    note = request.POST.get("note", "")
    try:
        if action == "review":
            services.review_article(article=article, actor=request.user, note=note)
            messages.success(request, _("Marked as reviewed: the article is current."))
        elif action == "archive":
            services.archive_article(article=article, actor=request.user, reason=note)
        elif action == "restore":
            services.restore_article(article=article, actor=request.user)
        elif action == "use":
            services.record_article_use(article=article, actor=request.user)
            if request.headers.get("HX-Request"):
                return HttpResponse(_("Recorded"))
        else:
            return _not_found(request)
    except DomainError as exc:
        if request.headers.get("HX-Request"):
            return HttpResponse(exc.text(), status=exc.status_code)
        messages.error(request, exc.text())
    return redirect("knowledge:detail", article_id=article.pk)


@login_required
def synonyms(request: HttpRequest) -> HttpResponse:
    if not selectors.can_read(request.user):
        return _not_found(request)
    error = ""
    if request.method == "POST":
        group = None
        if request.POST.get("group"):
            group = SynonymGroup.objects.filter(pk=_int(request.POST.get("group")) or 0).first()
        try:
            if request.POST.get("delete") and group is not None:
                services.delete_synonym_group(group=group, actor=request.user)
            else:
                services.save_synonym_group(
                    words=request.POST.get("words", ""),
                    note=request.POST.get("note", ""),
                    group=group,
                    actor=request.user,
                )
        except DomainError as exc:
            error = exc.text()
        else:
            return redirect("knowledge:synonyms")
    return render(
        request,
        "knowledge/synonyms.html",
        {"groups": SynonymGroup.objects.all(), "error": error, "can_edit": services.can_edit(request.user)},
    )


@login_required
def suggest(request: HttpRequest) -> HttpResponse:
    """The panel beside a registration form: articles matching the description as it is typed."""
    if not selectors.can_read(request.user):
        return HttpResponse("")
    text = (request.GET.get("description") or request.GET.get("q") or "").strip()
    unit = None
    unit_id = _int(request.GET.get("unit_id"))
    if unit_id:
        unit = Unit.objects.select_related("product_model").filter(pk=unit_id).first()
    hits = selectors.suggestions_for_request(request.user, text, unit=unit, limit=5) if text else []
    return render(request, "knowledge/_suggestions.html", {"hits": _annotate(hits), "text": text})
