from django.urls import path

from . import views

app_name = "outbound"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("productivity/", views.productivity, name="productivity"),
    path("dials/<int:dial_id>/finish/", views.dial_finish, name="finish"),
    path("dials/<int:dial_id>/register/", views.dial_register, name="register"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/work/", views.work, name="work"),
    path("<int:pk>/work/next/", views.work_next, name="next"),
    path("<int:pk>/<str:action>/", views.campaign_action, name="action"),
]
