"""Portal lists read search, sort and page from the query string; nonsense falls back to defaults."""
from urllib.parse import urlencode

from starlette.requests import Request

from openvmi.web.listing import list_request


def request(**params: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/items", "headers": [],
                    "query_string": urlencode(params).encode()})


def test_the_page_asked_for_is_read():
    wanted = list_request(request(q=" bolt ", page="3", per_page="25", sort="code", dir="desc"))

    assert (wanted.search, wanted.page, wanted.per_page, wanted.sort, wanted.descending) == ("bolt", 3, 25, "code",
                                                                                            True)


def test_page_numbers_that_are_no_numbers_fall_back_to_the_first_page():
    for page in ("²", "٣", "-1", "0", "1e3", "9" * 5000):
        assert list_request(request(page=page, per_page=page)).page == 1


def test_a_search_is_cut_to_200_characters_and_one_with_a_nul_searches_nothing():
    assert list_request(request(q="x" * 50_000)).search == "x" * 200
    assert list_request(request(q="bolt\x00")).search is None
