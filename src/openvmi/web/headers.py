"""Headers every answer carries: browsers must not guess content types (an upload echoed back or a
JSON error is never run as a script or a page), and HTTPS is remembered once the site uses it."""
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HSTS_SECONDS = 365 * 24 * 3600


class SecurityHeaders:
    """ASGI middleware: `X-Content-Type-Options: nosniff` on every answer (API, pages, assets), and
    `Strict-Transport-Security` when `hsts` (the app is served over HTTPS, OPENVMI_SECURE_COOKIES)."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_SECONDS}")
            await send(message)

        await self.app(scope, receive, send_with_headers)


class AppWithHeaders(FastAPI):
    """FastAPI with `SecurityHeaders` outside every other layer. Added as a middleware it would sit
    inside Starlette's outermost error layer, so the 500 answered for an unhandled error would go
    out without the headers."""

    def __init__(self, *, hsts: bool, **options: Any) -> None:
        self.hsts = hsts
        super().__init__(**options)

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), hsts=self.hsts)
