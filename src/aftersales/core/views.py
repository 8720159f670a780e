from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from aftersales.service.selectors import home_summary


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", home_summary(request.user))


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Uploaded files (signatures, photos, attachments) for signed-in staff only; customers never
    read another customer's files, so the portal does not link to them."""
    from django.conf import settings
    from django.http import Http404
    from django.views.static import serve

    from .permissions import Role, has_role

    if has_role(request.user, Role.CUSTOMER) or not (
        request.user.is_staff or has_role(request.user, *[r for r in Role.values if r != Role.CUSTOMER])
    ):
        raise Http404
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))
