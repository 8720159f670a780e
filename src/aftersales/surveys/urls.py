from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("", views.index, name="index"),
    path("r/<str:token>/", views.public, name="public"),
    path("results/", views.results, name="results"),
    path("results/export.xlsx", views.results_export, name="results_export"),
    path("questionnaires/new/", views.questionnaire_new, name="questionnaire_new"),
    path("questionnaires/<int:pk>/", views.questionnaire, name="questionnaire"),
    path("questionnaires/<int:pk>/<str:action>/", views.design_action, name="design"),
    path("new/", views.survey_new, name="survey_new"),
    path("<int:pk>/", views.survey, name="survey"),
    path("<int:pk>/close/", views.survey_close, name="survey_close"),
    path("<int:pk>/answer/", views.answer, name="answer"),
]
