"""What a request must pass before its body is read: a size cap (413), and a known caller (401) for
the API and for uploads. Nothing is read to find out, so a huge body from nobody costs nothing."""
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from fastapi import Request
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openvmi.errors import ContentTooLarge, NotAuthenticated
from openvmi.web.deps import authenticate
from openvmi.web.problems import RefusedBeforeBody
from openvmi.web.viewer import session_token

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
_UPLOAD = "openvmi_takes_upload"


def takes_upload(endpoint: Endpoint) -> Endpoint:
    """Mark a route whose body is a file upload: it may be up to OPENVMI_MAX_UPLOAD_BYTES instead of
    OPENVMI_MAX_BODY_BYTES, and it is read only once the caller is known (bearer token or portal
    session), so nobody can make the server take in a big file without signing in."""
    setattr(endpoint, _UPLOAD, True)
    return endpoint


class RequestGuard:
    """ASGI middleware. The checks run when the app first asks for the body: after routing, so the
    route's limit is known, and before a byte of it is read. Content-Length over the limit is
    refused at once; a chunked body is counted as it streams in and refused when it passes the
    limit. An /api/... request (but `public_paths`, the log-in) and an upload must come from a
    known caller first. Each refusal reaches the app's error handlers (problems.RefusedBeforeBody):
    problem+json for the API, a page for the portal."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int, api_prefix: str,
                 public_paths: Collection[str]) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.api_prefix = api_prefix.rstrip("/") + "/"
        self.public_paths = frozenset(public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit: int | None = None
        received = 0

        async def guarded_receive() -> Message:
            nonlocal limit, received
            if limit is None:
                limit = await self._check_before_body(scope)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RefusedBeforeBody(ContentTooLarge(limit))
            return message

        await self.app(scope, guarded_receive, send)

    async def _check_before_body(self, scope: Scope) -> int:
        """The body's limit, once the request may send it; refusals are raised."""
        request = Request(scope)
        upload = getattr(scope.get("endpoint"), _UPLOAD, False)
        limit = self.max_upload_bytes if upload else self.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise RefusedBeforeBody(ContentTooLarge(limit))
        path = scope["path"]
        if path.startswith(self.api_prefix) and path not in self.public_paths:
            scheme, token = get_authorization_scheme_param(request.headers.get("authorization"))
            await _authenticate(request, token if scheme.lower() == "bearer" else None)
        elif upload:
            await _authenticate(request, session_token(request))
        return limit


async def _authenticate(request: Request, token: str | None) -> None:
    """The caller behind `token`, looked up now (and kept for the route, see deps.authenticate)."""
    if not token:
        raise RefusedBeforeBody(NotAuthenticated("a bearer token is required"))
    try:
        await run_in_threadpool(authenticate, request, token)
    except (NotAuthenticated, SQLAlchemyError) as error:
        raise RefusedBeforeBody(error) from None
