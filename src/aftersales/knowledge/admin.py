from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Article, SynonymGroup, split_words


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only here: articles are written through the FAQ pages so the search index follows every edit."""

    list_display = ("question", "category", "owner", "last_reviewed_at", "active", "use_count")
    list_filter = ("active", "category")
    search_fields = ("question", "tags")
    readonly_fields = [f.name for f in Article._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class SynonymGroupForm(forms.ModelForm):
    class Meta:
        model = SynonymGroup
        fields = ("words", "note", "active")

    def clean_words(self) -> str:
        words = split_words(self.cleaned_data["words"])
        if len(words) < 2:
            raise forms.ValidationError(_("A synonym group needs at least two words."))
        return ", ".join(words)


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    form = SynonymGroupForm
    list_display = ("words", "note", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("words", "note")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        # Through the service: the change is in the history and the search's cache is refreshed.
        services.save_synonym_group(words=obj.words, note=obj.note, group=obj, actor=request.user)

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        services.delete_synonym_group(group=obj, actor=request.user)
