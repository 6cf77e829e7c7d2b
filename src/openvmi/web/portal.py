"""The portal shell: what a feature's pages plug in with (`PortalFeature`, see docs/portal.md) and
the mounting of them all, with the static assets, on the app."""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session

from openvmi.access import Actor
from openvmi.web.csrf import check_csrf
from openvmi.web.rendering import create_templates

STATIC_DIR = Path(__file__).parent / "static"


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to roles holding `permission` (or listed in `roles`)."""

    label: str  # a msgid marked with N_(); translated when the page renders
    href: str
    permission: str | None = None
    roles: frozenset[str] | None = None
    order: int = 100

    def visible_to(self, actor: Actor) -> bool:
        if self.roles is not None and actor.role not in self.roles:
            return False
        return self.permission is None or actor.can(self.permission)


@dataclass(frozen=True)
class DashboardPanel:
    """A box on the home dashboard, shown to `roles`; only features that exist contribute one."""

    key: str
    title: str  # msgid
    template: str  # e.g. "alerts/panel_open.html"; gets `panel` and whatever `load` returns
    roles: frozenset[str]
    load: Callable[[Session, Actor], dict[str, Any]] | None = None
    order: int = 100


@dataclass(frozen=True)
class PortalFeature:
    router: APIRouter
    nav: Sequence[NavEntry] = ()
    panels: Sequence[DashboardPanel] = ()


def portal_router(**kwargs: Any) -> APIRouter:
    """An APIRouter for pages: HTML answers, CSRF checked on every unsafe method, not in OpenAPI."""
    dependencies = [Depends(check_csrf), *kwargs.pop("dependencies", [])]
    return APIRouter(dependencies=dependencies, include_in_schema=False, **kwargs)


@dataclass
class PortalRegistry:
    nav: list[NavEntry] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)


def mount_portal(app: FastAPI, features: Sequence[PortalFeature]) -> None:
    """Serve static assets, include every feature's pages and collect their nav and panels."""
    app.state.templates = create_templates()
    registry = PortalRegistry()
    for feature in features:
        app.include_router(feature.router)
        registry.nav.extend(feature.nav)
        registry.panels.extend(feature.panels)
    app.state.portal = registry
    app.mount("/static", StaticFiles(directory=STATIC_DIR, check_dir=False), name="static")
