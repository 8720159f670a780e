from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    """The floor: Django's request cycle and a JSON body, no database, no auth."""
    return JsonResponse({"ok": True, "number": "SR00000000-0000"}, status=201)


urlpatterns = [
    path("bench/bare", bare),
    path("", include("aftersales.urls")),
]
