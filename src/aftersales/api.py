"""The REST API: one NinjaAPI, OpenAPI at /api/docs, every app's router under /api/v1/."""

from __future__ import annotations

import importlib
import importlib.util

from ninja import NinjaAPI

from aftersales.catalog.api import router as catalog_router
from aftersales.catalog.api import units_router
from aftersales.core.api import API_AUTH, install_error_handlers
from aftersales.core.api import router as auth_router
from aftersales.customers.api import router as customers_router
from aftersales.service.api import router as service_router

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
# TEMPORARY-WIRING: modules under construction are mounted once they exist.
for _app in ("dispatch", "returns", "callcenter", "followup", "complaints", "suggestions", "surveys", "outbound", "knowledge"):
    if importlib.util.find_spec(f"aftersales.{_app}.api") is not None:
        api.add_router(f"/v1/{_app}", importlib.import_module(f"aftersales.{_app}.api").router)
