from django.urls import path

from . import views

app_name = "callcenter"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("metrics/", views.metric_table, name="metrics"),
    path("agents/", views.agent_list, name="agents"),
    path("agents/<str:code>/", views.agent_page, name="agent"),
    path("staffing/", views.staffing, name="staffing"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:batch_id>/", views.import_detail, name="import_detail"),
]
