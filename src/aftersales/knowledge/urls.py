from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("new/", views.article_new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("synonyms/", views.synonyms, name="synonyms"),
    path("<int:article_id>/", views.article_detail, name="detail"),
    path("<int:article_id>/edit/", views.article_edit, name="edit"),
    path("<int:article_id>/<str:action>/", views.article_action, name="action"),
]
