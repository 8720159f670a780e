"""Pages show a refused action as a page in the user's language, not a server error."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .errors import DomainError


class DomainErrorMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DomainError) and not request.path.startswith("/api/"):
            template = "404.html" if exception.status_code == 404 else "core/refused.html"
            return render(request, template, {"error": exception.text()}, status=exception.status_code)
        return None
