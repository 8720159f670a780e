from django.urls import path

from . import console, dashboard, views

app_name = "service"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("console/", console.console, name="console"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("export/requests.xlsx", dashboard.export_requests, name="export_requests"),
    path("export/breaches.xlsx", dashboard.export_breaches, name="export_breaches"),
    path("console/queue/", console.queue_partial, name="console_queue"),
    path("console/lookup/", console.lookup, name="console_lookup"),
    path("console/duplicate/", console.duplicate_check, name="console_duplicate"),
    path("console/register/", console.register, name="console_register"),
    path("<str:number>/", views.request_detail, name="detail"),
    path("<str:number>/note/", views.add_note, name="note"),
    path("<str:number>/attach/", views.attach, name="attach"),
    path("<str:number>/handover/", views.handover, name="handover"),
    path("<str:number>/<str:action>/", views.request_action, name="action"),
]
