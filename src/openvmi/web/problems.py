"""One mapping from errors to HTTP answers: application/problem+json (RFC 9457) for the API,
an HTML error page (rendered by the portal) for every other path."""
import json
import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from openvmi import errors
from openvmi.db import database_failure
from openvmi.web.openapi import PROBLEM_JSON, describe_problems, is_api_path

log = logging.getLogger(__name__)

STATUS = {
    errors.NotAuthenticated: 401,
    errors.ContentTooLarge: 413,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.InsufficientStock: 409,
    errors.IdempotencyMismatch: 422,
    errors.Conflict: 409,
    errors.InvalidInput: 422,
    errors.RuleViolation: 422,
}

TITLES = {
    400: "Bad request", 401: "Not authenticated", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 412: "Precondition failed", 413: "Content too large",
    415: "Unsupported media type", 422: "Invalid input", 428: "Precondition required",
    429: "Too many requests", 500: "Internal server error", 503: "Service unavailable",
}
# What a 503 says, by what database_failure found.
UNAVAILABLE = {
    "busy": ("database_busy", "the database is busy with another change (such as a stock import); "
                              "nothing was changed, try again shortly"),
    "unreachable": ("database_unavailable", "the database cannot be reached right now; try again shortly"),
}


def status_of(error: errors.DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON

    def render(self, content: object) -> bytes:
        # A refused field's name may hold what the caller sent, e.g. a lone surrogate in a JSON
        # key, which UTF-8 cannot encode: it is sent as "?" rather than failing the answer.
        return json.dumps(content, ensure_ascii=False, allow_nan=False,
                          separators=(",", ":")).encode("utf-8", "replace")


def problem(status: int, detail: str, *, code: str, extra: dict | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": f"urn:openvmi:problem:{code}", "title": TITLES.get(status, "Error"),
            "status": status, "detail": detail, "code": code, **(extra or {})}
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer", **(headers or {})}
    return ProblemResponse(body, status_code=status, headers=headers)


def domain_problem(error: errors.DomainError) -> JSONResponse:
    extra: dict = {}
    if isinstance(error, errors.InvalidInput):
        extra["errors"] = [{"field": e.field, "message": e.message} for e in error.errors]
    if isinstance(error, errors.InsufficientStock):
        extra["shortfalls"] = [
            {"item_code": s.item_code, "location_code": s.location_code, "owner_code": s.owner_code,
             "requested": str(s.requested), "available": str(s.available)} for s in error.shortfalls]
    extra.update(getattr(error, "problem_extra", {}))
    return problem(status_of(error), str(error), code=error.code, extra=extra)


PageErrors = Callable[[Request, int, str, str | None], Response]  # request, status, detail, error code


class RefusedBeforeBody(StarletteHTTPException):
    """Raised from a request's body stream (web.guard) for `reason`. FastAPI passes an HTTPException
    raised while it reads a body on untouched (any other error becomes its own 400), and the
    handlers below answer for the reason as if the route had raised it."""

    def __init__(self, reason: Exception) -> None:
        super().__init__(status_code=400, detail=str(reason))
        self.reason = reason


def install_api_problem_handlers(app: FastAPI, *, page_errors: PageErrors | None = None) -> None:
    """Every API error becomes problem+json (and the OpenAPI document says so); other paths get
    `page_errors`' HTML page when given. No stack trace ever reaches the client."""
    describe_problems(app)

    def as_page(request: Request) -> bool:
        return page_errors is not None and not is_api_path(request.url.path)

    async def page(request: Request, status: int, detail: str, code: str | None = None) -> Response:
        # A page may read the database (who is signed in): never on the event loop.
        return await run_in_threadpool(page_errors, request, status, detail, code)  # type: ignore[arg-type]

    @app.exception_handler(errors.DomainError)
    async def _domain(request: Request, error: errors.DomainError) -> Response:
        if as_page(request):
            return await page(request, status_of(error), error.message, error.code)
        return domain_problem(error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        if as_page(request):
            return await page(request, 400, "; ".join(str(e["msg"]) for e in error.errors()))
        field_errors = [
            {"field": ".".join(str(part) for part in e["loc"] if part not in ("body", "query", "path", "header")) or "body",
             "message": e["msg"]}
            for e in error.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in field_errors)
        return problem(422, detail, code="invalid_input", extra={"errors": field_errors})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if isinstance(error, RefusedBeforeBody):
            if isinstance(error.reason, errors.DomainError):
                return await _domain(request, error.reason)
            return await _database(request, error.reason)  # or, if it is not the database's, a 500
        if as_page(request):
            return await page(request, error.status_code, str(error.detail))
        return problem(error.status_code, str(error.detail), code="http_error",
                       headers=getattr(error, "headers", None))

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def _database(request: Request, error: Exception) -> Response:
        failure = database_failure(error)
        if failure is None:
            return await _unexpected(request, error)
        log.warning("database %s on %s %s: %s", failure, request.method, request.url.path,
                    getattr(error, "orig", error))
        retry = {"Retry-After": str(request.app.state.settings.retry_after_seconds)}
        code, detail = UNAVAILABLE[failure]
        if as_page(request):
            answer = await page(request, 503, detail)
            answer.headers.update(retry)
            return answer
        return problem(503, detail, code=code, headers=retry)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if as_page(request):
            return await page(request, 500, "")
        return problem(500, "An unexpected error occurred; it has been logged.", code="internal_error")
