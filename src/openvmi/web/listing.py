"""List pages in the portal: read search/sort/page from the query string, build links back."""
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request

from openvmi.fields import storable_text
from openvmi.limits import MAX_SEARCH, counter
from openvmi.listing import ListPage, ListRequest


def list_request(request: Request) -> ListRequest:
    """The list the user asked for; nonsense values fall back to defaults instead of failing."""
    params = request.query_params
    return ListRequest(
        search=search_text(params.get("q")),
        sort=params.get("sort") or None,
        descending=params.get("dir") == "desc",
        page=counter(params.get("page", "")) or 1,
        per_page=counter(params.get("per_page", "")) or 50)


def search_text(typed: str | None) -> str | None:
    """What a search box holds, as a search: cut to MAX_SEARCH characters; text no database can
    compare (a NUL character) searches for nothing rather than failing the page."""
    search = (typed or "").strip()[:MAX_SEARCH]
    try:
        return storable_text(search) or None
    except ValueError:
        return None


@dataclass(frozen=True)
class ListView:
    """What the list macros need: the page of rows and links that keep the other parameters."""

    path: str
    params: dict[str, str]
    result: ListPage

    @classmethod
    def of(cls, request: Request, result: ListPage) -> "ListView":
        return cls(path=request.url.path, params=dict(request.query_params), result=result)

    @property
    def rows(self) -> Any:
        return self.result.rows

    @property
    def search(self) -> str:
        return self.params.get("q", "")

    def url(self, **changes: Any) -> str:
        params = {**self.params, **{k: str(v) for k, v in changes.items() if v is not None}}
        for key in [k for k, v in changes.items() if v is None]:
            params.pop(key, None)
        params = {k: v for k, v in params.items() if v != ""}
        return self.path + ("?" + urlencode(params) if params else "")

    def sort_url(self, key: str) -> str:
        descending = self.result.sort == key and not self.result.descending
        return self.url(sort=key, dir="desc" if descending else "asc", page=None)

    def aria_sort(self, key: str) -> str:
        if self.result.sort != key:
            return "none"
        return "descending" if self.result.descending else "ascending"

    def export_url(self, format: str) -> str:
        return self.url(format=format, page=None)
