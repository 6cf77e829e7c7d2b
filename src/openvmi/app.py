"""create_app(): mounts every feature's API, error handlers and health checks."""
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from openvmi import __version__
from openvmi.alerts import pages as alerts_pages
from openvmi.alerts.api import router as alerts_router
from openvmi.auth import pages as auth_pages
from openvmi.auth import queries as auth_queries
from openvmi.auth import service as auth_service
from openvmi.auth.api import router as auth_router
from openvmi.catalog import pages as catalog_pages
from openvmi.catalog.api import router as catalog_router
from openvmi.db import POOL_SIZE, create_db_engine, create_session_factory
from openvmi.jobs.background import BackgroundWork
from openvmi.jobs.imports import ImportRunner
from openvmi.ledger.api import router as ledger_router
from openvmi.locations import pages as locations_pages
from openvmi.locations.api import router as locations_router
from openvmi.migrations import current_revision, head_revision
from openvmi.parties import pages as parties_pages
from openvmi.parties.api import router as parties_router
from openvmi.planning import pages as planning_pages
from openvmi.planning.api import router as planning_router
from openvmi.settings import Settings
from openvmi.settlement import pages as settlement_pages
from openvmi.settlement.api import router as settlement_router
from openvmi.settlement.exports import pages as statement_exports_pages
from openvmi.settlement.exports.api import router as statement_exports_router
from openvmi.settlement.invoices import pages as invoices_pages
from openvmi.settlement.invoices.api import router as invoices_router
from openvmi.settlement.statements import pages as statements_pages
from openvmi.settlement.statements.api import router as statements_router
from openvmi.supplier_stock import pages as supplier_stock_pages
from openvmi.supplier_stock import threshold_pages
from openvmi.supplier_stock.api import router as supplier_stock_router
from openvmi.supplier_stock.service import thresholds as thresholds_service
from openvmi.vmi.adjustments import pages as adjustments_pages
from openvmi.vmi.adjustments.api import router as adjustments_router
from openvmi.vmi.agreements import pages as agreements_pages
from openvmi.vmi.agreements import queries as agreement_queries
from openvmi.vmi.agreements.api import router as agreements_router
from openvmi.vmi.buyouts import pages as buyouts_pages
from openvmi.vmi.buyouts.api import router as buyouts_router
from openvmi.vmi.call_offs import pages as call_offs_pages
from openvmi.vmi.call_offs.api import router as call_offs_router
from openvmi.vmi.receipts import pages as receipts_pages
from openvmi.vmi.receipts.api import router as receipts_router
from openvmi.vmi.consumptions import pages as consumptions_pages
from openvmi.vmi.consumptions.api import router as consumptions_router
from openvmi.vmi.replenishment import pages as replenishment_pages
from openvmi.vmi.replenishment import service as replenishment_service
from openvmi.vmi.replenishment.api import router as replenishment_router
from openvmi.vmi.shipments import pages as shipments_pages
from openvmi.vmi.stock import pages as vmi_stock_pages
from openvmi.vmi.stock.api import router as vmi_stock_router
from openvmi.vmi.shipments.api import router as shipments_router
from openvmi.web import home as home_pages
from openvmi.web.api_docs import mount_api_docs
from openvmi.web.deps import Identity, Reactions
from openvmi.web.error_pages import error_page
from openvmi.web.guard import RequestGuard
from openvmi.web.headers import AppWithHeaders
from openvmi.web.openapi import PROBLEM_JSON
from openvmi.web.portal import mount_portal
from openvmi.web.problems import install_api_problem_handlers, problem

API_PREFIX = "/api/v1"


class UnsafeSettings(RuntimeError):
    """The configuration must not serve: the message says what to change."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    if refusal := settings.default_secret_key_refusal():
        raise UnsafeSettings(refusal)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # As many worker threads for routes and dependencies as the pool has connections (40 by default):
        # a thread beyond them could only wait for a connection, and on SQLite every extra thread contends
        # for Python's lock (docs/decisions.md, "Availability over HTTP").
        anyio.to_thread.current_default_thread_limiter().total_tokens = POOL_SIZE
        runner: ImportRunner = app.state.import_runner
        if settings.import_runner:
            runner.start()
        work = BackgroundWork(app.state.session_factory, settings)
        if settings.embedded_worker:
            work.start()
        yield
        work.stop()
        runner.stop()

    app = AppWithHeaders(
        hsts=settings.secure_cookies, title="OpenVMI", version=__version__,
        description="Supplier-collaboration inventory: supplier stock, VMI/consignment, risk control.",
        openapi_url="/openapi.json", docs_url=None, redoc_url=None, lifespan=lifespan)
    engine = create_db_engine(settings.database_url, **settings.engine_options())
    app.state.settings = settings
    app.state.engine = engine
    app.state.engine_is_local = engine.dialect.name == "sqlite"  # no round trips to wait for (web.deps)
    # Unsafe methods write (on SQLite they queue for the write lock); safe ones only read.
    app.state.session_factory = create_session_factory(engine)
    app.state.read_session_factory = create_session_factory(engine, read_only=True)
    app.state.import_runner = ImportRunner(app.state.session_factory, settings, reads=app.state.read_session_factory)
    # The web layer learns who is calling through this, so it needs no import of auth.
    app.state.identity = Identity(caller_for_token=auth_service.caller_for_token,
                                  record_token_use=auth_service.record_token_use,
                                  viewer_names=auth_queries.viewer_names)
    app.state.reactions = Reactions(item_low_water_changed=thresholds_service.sync_item_alerts,
                                    stock_moved=replenishment_service.sync_item_alerts,
                                    settlement_cycles=agreement_queries.settlement_cycles,
                                    self_billing=agreement_queries.self_billing)

    # Health checks first: routes are tried in order, and a load balancer asks often (bench/README.md).
    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is up. Answered on the event loop: no database, no worker thread needed."""
        return {"status": "ok"}

    def current_migration() -> str | None:
        with app.state.read_session_factory() as session:  # never queues behind a writer
            return current_revision(session.connection())

    @app.get("/readyz", tags=["health"], responses={503: {
        "description": "Not ready: the database is unreachable or not at the newest migration",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}})
    async def readyz() -> JSONResponse:
        """The database answers, within the connect timeout, and its schema is at the newest migration."""
        try:
            with anyio.fail_after(settings.db_connect_timeout_seconds + 2):
                current = await anyio.to_thread.run_sync(current_migration, abandon_on_cancel=True)
        except Exception:  # noqa: BLE001 - any failure here means "not ready"
            return problem(503, "database unreachable", code="not_ready")
        head = head_revision()
        if current != head:
            return problem(503, f"database at migration {current}, code expects {head}; run `openvmi db upgrade`",
                           code="not_ready")
        return JSONResponse({"status": "ready", "migration": current})

    # Each feature's API router straight into the app, not through a router of its own for the prefix:
    # FastAPI matches a path again at every level of routers on its way to the route (docs/decisions.md,
    # "Availability over HTTP").
    for router in (auth_router, parties_router, catalog_router, locations_router, ledger_router, alerts_router,
                   supplier_stock_router, planning_router, agreements_router,
                   call_offs_router, shipments_router, receipts_router, replenishment_router,
                   consumptions_router, vmi_stock_router, settlement_router, adjustments_router, buyouts_router,
                   statements_router, statement_exports_router, invoices_router):
        app.include_router(router, prefix=API_PREFIX)
    install_api_problem_handlers(app, page_errors=error_page)
    # Bodies are capped and, on the API and for uploads, read only from a known caller.
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes,
                       api_prefix=API_PREFIX, public_paths={f"{API_PREFIX}/auth/token"})
    # The portal: each feature's pages (docs/portal.md). The shell's home page comes first.
    mount_portal(app, [home_pages.feature, auth_pages.feature, parties_pages.feature, catalog_pages.feature,
                       locations_pages.feature, alerts_pages.feature, supplier_stock_pages.feature,
                       threshold_pages.feature, planning_pages.feature, agreements_pages.feature,
                       call_offs_pages.feature, shipments_pages.feature, receipts_pages.feature,
                       consumptions_pages.feature, replenishment_pages.feature, vmi_stock_pages.feature,
                       settlement_pages.feature, adjustments_pages.feature, buyouts_pages.feature,
                       statements_pages.feature, statement_exports_pages.feature, invoices_pages.feature])
    mount_api_docs(app)  # Swagger UI from the app's own assets, not FastAPI's CDN page

    return app


def create_served_app() -> FastAPI:
    """The app as `openvmi serve` runs it (uvicorn's factory, once in each process). Its own objects
    (routes, models, mappers, templates: ~300,000) live as long as the process, so they are put out of
    the garbage collector's sight: under load each full collection walked them all, 0.1-0.2 s of CPU with
    every request waiting behind it (docs/decisions.md, "Availability over HTTP: one thread hop"). Not in
    create_app: a test process builds many apps, and what it froze would never be collected."""
    app = create_app()
    gc.collect()  # what the build left behind is not frozen with it
    gc.freeze()
    return app
