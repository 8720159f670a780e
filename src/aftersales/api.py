"""The REST API: one NinjaAPI, OpenAPI at /api/docs, every app's router under /api/v1/."""

from __future__ import annotations

from ninja import NinjaAPI

from aftersales.callcenter.api import router as callcenter_router
from aftersales.catalog.api import router as catalog_router
from aftersales.catalog.api import units_router
from aftersales.complaints.api import router as complaints_router
from aftersales.core.api import API_AUTH, install_error_handlers
from aftersales.core.api import router as auth_router
from aftersales.customers.api import router as customers_router
from aftersales.dispatch.api import router as dispatch_router
from aftersales.followup.api import router as followup_router
from aftersales.knowledge.api import router as knowledge_router
from aftersales.outbound.api import router as outbound_router
from aftersales.returns.api import router as returns_router
from aftersales.service.api import router as service_router
from aftersales.suggestions.api import router as suggestions_router
from aftersales.surveys.api import router as surveys_router

api = NinjaAPI(
    title="售后服务管理系统 API",
    version="1",
    description="After-sales service management: customers, units, service requests and their workflows.",
    auth=API_AUTH,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("/v1/auth", auth_router)
api.add_router("/v1/customers", customers_router)
api.add_router("/v1/catalog", catalog_router)
api.add_router("/v1/units", units_router)
api.add_router("/v1/service-requests", service_router)
api.add_router("/v1/dispatch", dispatch_router)
api.add_router("/v1/returns", returns_router)
api.add_router("/v1/callcenter", callcenter_router)
api.add_router("/v1/followup", followup_router)
api.add_router("/v1/complaints", complaints_router)
api.add_router("/v1/suggestions", suggestions_router)
api.add_router("/v1/surveys", surveys_router)
api.add_router("/v1/outbound", outbound_router)
api.add_router("/v1/knowledge", knowledge_router)
