from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("new/", views.new_request, name="new"),
    path("track/", views.track, name="track"),
    path("rate/", views.rate, name="rate"),
    path("dev-outbox/", views.dev_outbox, name="dev_outbox"),
]
