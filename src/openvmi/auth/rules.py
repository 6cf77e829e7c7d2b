"""Who may do what: roles and the permissions they carry. Pure data, no database."""
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    BUYER = "buyer"
    WAREHOUSE = "warehouse"
    FINANCE = "finance"
    SUPPLIER = "supplier"


STAFF = frozenset({Role.ADMIN, Role.BUYER, Role.WAREHOUSE, Role.FINANCE})
EVERYONE = STAFF | {Role.SUPPLIER}

# permission -> roles holding it. Supplier users additionally only ever see their own rows
# (openvmi.scoping); a permission here says what they may do within that boundary.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "masterdata.read": EVERYONE,
    "parties.write": frozenset({Role.ADMIN}),
    "items.write": frozenset({Role.ADMIN, Role.BUYER}),
    "supplier_items.write": frozenset({Role.ADMIN, Role.BUYER, Role.SUPPLIER}),
    "locations.write": frozenset({Role.ADMIN}),
    "users.read": frozenset({Role.ADMIN}),
    "users.write": frozenset({Role.ADMIN}),
    "tokens.manage": EVERYONE,  # own tokens; admins see everyone's
    "ledger.read": EVERYONE,
    "ledger.post": frozenset({Role.ADMIN, Role.WAREHOUSE}),
    "supplier_stock.read": EVERYONE,
    "supplier_stock.write": frozenset({Role.ADMIN, Role.SUPPLIER}),  # import and adjust (suppliers: their own)
    "supplier_stock.thresholds": frozenset({Role.ADMIN, Role.BUYER}),
    "availability.read": EVERYONE,
    "alerts.read": EVERYONE,
    "alerts.act": EVERYONE,  # acknowledge and comment (a supplier user: its own alerts only)
    "notifications.read": EVERYONE,  # one's own inbox
    "notifications.manage": frozenset({Role.ADMIN}),  # outbox status, retries, webhook endpoints
}


def has_permission(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]
