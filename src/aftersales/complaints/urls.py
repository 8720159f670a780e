from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_new, name="new"),
    path("statistics/", views.complaint_statistics, name="stats"),
    path("<str:number>/", views.complaint_detail, name="detail"),
    path("<str:number>/register/", views.complaint_register, name="register"),
    path("<str:number>/fault-report/", views.complaint_fault_report, name="fault_report"),
    path("<str:number>/important/", views.complaint_important, name="important"),
    path("<str:number>/delete/", views.complaint_delete, name="delete"),
    path("<str:number>/<str:action>/", views.complaint_action, name="action"),
]
