"""What a value must fit to be stored exactly on both databases: ids in PostgreSQL's integer,
quantities in the 15 significant digits a double (SQLite's REAL) gives back unchanged, short
searches. Stdlib only, so pure rules check against the same numbers as the schemas (openvmi.fields).
"""
from decimal import Decimal

MAX_ID = 2_147_483_647  # PostgreSQL `integer`: every id, version and page number fits in it
# Nine whole digits and six decimals. SQLite keeps NUMERIC(18, 6) as a float, which holds 15
# significant digits exactly: 999999999999.999999 came back as 1000000000000.
MAX_QUANTITY = Decimal("999999999.999999")
PLACES = 6  # decimals of every quantity and price column, NUMERIC(18, 6)
# Prices are NUMERIC(18, 6) on PostgreSQL and integer millionths on SQLite (db.Money): exact to
# the column's last digit on both.
MAX_MONEY = Decimal("999999999999.999999")
MAX_SEARCH = 200  # characters; SQLite refuses LIKE patterns past 50,000 bytes, people type far less


def counter(text: str) -> int | None:
    """`text` as a whole number from 1 to MAX_ID (an id, a version, a page), or None.

    Only ASCII digits count: "²".isdigit() is true, but int("²") fails, and int() of a very long
    string fails too (Python refuses to convert more than 4,300 digits).
    """
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
