"""The OpenAPI document says what the API answers when it refuses: an application/problem+json
body (web.problems), under every status the route can give. The fuzz tests hold the app to it."""
from collections.abc import Iterable
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, ConfigDict

PROBLEM_JSON = "application/problem+json"
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_REASONS = {
    400: "The body could not be read",
    401: "No valid bearer token (or, logging in, a wrong username or password)",
    403: "The caller's role may not do this",
    404: "No such row (named in the path or the body), or one the caller may not see",
    409: "The current state forbids it: a duplicate, a stale version, stock that is short",
    422: "Invalid input: `errors` names every bad field",
}


class FieldProblem(BaseModel):
    field: str  # dotted path of the bad field, e.g. moves.0.quantity
    message: str


class RowProblem(BaseModel):
    """One bad row of an uploaded file, as the user sees it in a spreadsheet program."""

    row: int | None
    column: str | None
    reason: str
    value: str | None = None


class Problem(BaseModel):
    """An error answer (RFC 9457). Some carry more: `shortfalls` (short stock), `error_count` and
    `import_id` (a refused file)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldProblem | RowProblem] | None = None


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def describe_problems(app: FastAPI) -> None:
    """Have `app`'s OpenAPI document list the problems every API route may answer, in place of
    FastAPI's own validation error shape, which this API never sends."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add_problems(generate(), app.routes)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def _add_problems(document: dict[str, Any], routes: Iterable[Any]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem.pop("$defs", {}))
    schemas["Problem"] = problem
    content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for route in iter_route_contexts(list(routes)):  # FastAPI's own walk, into included routers
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema \
                or not is_api_path(route.path):
            continue
        for method in route.methods:
            responses = document["paths"][route.path_format][method.lower()]["responses"]
            for status in _statuses(route, method):
                responses.setdefault(str(status), {"description": _REASONS[status]})
            for status, answer in responses.items():
                if status[0] in "45":
                    answer["content"] = content
                if answer.get("description") == "Validation Error":  # FastAPI's words for its own shape
                    answer["description"] = _REASONS[422]
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)


def _statuses(route: Any, method: str) -> set[int]:
    """The errors a route may answer, from what it is: every API route authenticates; a role
    check may refuse, a body sent under one may name nothing and a write may meet a conflict; an
    id in the path may name nothing; input may be invalid, or a body unreadable."""
    statuses = {401}
    if _checks_a_permission(route.dependant) or getattr(route.original_route, "checked_permission", None):
        statuses.add(403)
        if method in _WRITES:
            statuses.add(409)
        if route.body_field:
            statuses.add(404)
    if "{" in route.path_format:
        statuses.add(404)
    if get_flat_params(route.dependant) or route.body_field:
        statuses.add(422)
    if route.body_field:
        statuses.add(400)  # a body that is not even text (bytes that are not UTF-8)
    return statuses


def _checks_a_permission(dependant: Dependant) -> bool:
    name = getattr(dependant.call, "__name__", "")
    return name.startswith("requires_") or any(_checks_a_permission(d) for d in dependant.dependencies)
