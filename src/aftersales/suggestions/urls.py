from django.urls import path

from . import views

app_name = "suggestions"

urlpatterns = [
    path("", views.suggestion_list, name="list"),
    path("new/", views.suggestion_new, name="new"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/<str:number>/", views.certificate, name="certificate"),
    path("<str:number>/", views.suggestion_detail, name="detail"),
    path("<str:number>/<str:action>/", views.suggestion_action, name="action"),
]
