"""Lists ordered by item code read the way people count (M10X8 before M10X60), page after page."""
from openvmi.catalog import queries
from openvmi.listing import ListRequest
from tests.builders import make_item, make_supplier_item, unique


def test_items_sorted_by_code_follow_the_numbers_in_them_across_pages(session):
    stem = unique("NAT")
    lengths = [60, 8, 100, 10, 25, 9, 16, 12, 30, 40, 20, 50, 80, 6, 45, 35, 70, 90, 14, 18, 5, 55, 65, 75, 85, 95]
    for length in lengths:
        make_item(session, code=f"{stem}-M10X{length}")

    pages = [queries.browse_items(session, ListRequest(search=stem, sort="code", page=page, per_page=25))
             for page in (1, 2)]
    backwards = queries.browse_items(session, ListRequest(search=stem, sort="code", descending=True, per_page=25))

    codes = [item.code for page in pages for item in page.rows]
    assert codes == [f"{stem}-M10X{length}" for length in sorted(lengths)]
    assert [item.code for item in backwards.rows] == codes[::-1][:25]


def test_supplier_items_sorted_by_item_code_follow_the_numbers_too(session):
    stem = unique("NSI")
    for length in (60, 8, 10):
        make_supplier_item(session, item=make_item(session, code=f"{stem}-M10X{length}"))

    page = queries.browse_supplier_items(session, ListRequest(search=stem, sort="item_code"))

    assert [row.item_code for row in page.rows] == [f"{stem}-M10X8", f"{stem}-M10X10", f"{stem}-M10X60"]
