"""What a web process does once, after Django is set up and before it serves requests."""

from __future__ import annotations

import gc

from django.conf import settings
from django.urls import get_resolver
from django.utils import translation


def prepare_web_process() -> None:
    """Load the URL configuration (and with it every view) and the default language's catalog,
    then take everything loaded so far out of the garbage collector's sight.

    A full collection otherwise walks the few hundred thousand objects of Django, the apps and
    the catalogs every time, some 150 ms in the middle of whichever request triggered it.
    """
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Service request")
    gc.collect()
    gc.freeze()
