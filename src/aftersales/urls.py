from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import set_language

from .api import api
from .core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("service/", include("aftersales.service.urls")),
    path("portal/", include("aftersales.portal.urls")),
    path("dispatch/", include("aftersales.dispatch.urls")),
    path("returns/", include("aftersales.returns.urls")),
    path("callcenter/", include("aftersales.callcenter.urls")),
    path("followup/", include("aftersales.followup.urls")),
    path("complaints/", include("aftersales.complaints.urls")),
    path("suggestions/", include("aftersales.suggestions.urls")),
    path("surveys/", include("aftersales.surveys.urls")),
    path("outbound/", include("aftersales.outbound.urls")),
    path("knowledge/", include("aftersales.knowledge.urls")),
    # Uploaded files (signatures, photos) are personal data: served by the app, behind the login.
    re_path(r"^media/(?P<path>.*)$", core_views.media, name="media"),
]

admin.site.site_header = "售后服务管理系统"
admin.site.site_title = "售后服务管理系统"
