from django.urls import path

from . import views

app_name = "followup"

urlpatterns = [
    path("", views.callback_list, name="list"),
    path("rate/", views.processing_rate, name="rate"),
    path("promises/<int:promise_id>/answer/", views.answer_promise, name="answer_promise"),
    path("<int:pk>/", views.callback_detail, name="detail"),
    path("<int:pk>/attempt/", views.record_attempt, name="attempt"),
    path("<int:pk>/promise/", views.promise, name="promise"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    *[
        path(
            f"<int:pk>/{slug}/",
            views.record_result,
            {"result": result},
            name=f"result_{slug.replace('-', '_')}",
        )
        for slug, result in views.RESULT_URLS.items()
    ],
]
