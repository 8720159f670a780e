from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("<str:number>/", views.request_detail, name="detail"),
    path("<str:number>/<str:action>/", views.request_action, name="action"),
]
