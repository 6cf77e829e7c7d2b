"""Who is calling and what their role may do: below every feature, so each checks without importing auth.

Pure data and the stdlib only. `auth` turns a token into an `Actor`; everything else receives one.
"""
from dataclasses import dataclass
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
    "demand_plans.read": EVERYONE,  # a supplier user: the lines of the items it supplies
    "demand_plans.publish": frozenset({Role.ADMIN, Role.BUYER}),
    "vmi_agreements.read": EVERYONE,  # a supplier user: its own agreements only
    "vmi_agreements.write": frozenset({Role.ADMIN, Role.BUYER}),
    "vmi_call_offs.read": EVERYONE,  # a supplier user: its own call-offs only
    "vmi_call_offs.write": frozenset({Role.ADMIN, Role.BUYER}),  # create, send, cancel, close, take a proposal
    "vmi_call_offs.answer": frozenset({Role.SUPPLIER}),  # accept, reject, counter-propose its own
    "vmi_shipments.read": EVERYONE,  # a supplier user: its own shipments and their differences
    "vmi_shipments.ship": frozenset({Role.SUPPLIER}),  # announce (ASN) and cancel before receipt
    "vmi_shipments.close": frozenset({Role.ADMIN, Role.BUYER}),  # settle what arrived short
    "vmi_receipts.read": EVERYONE,
    "vmi_receipts.write": frozenset({Role.ADMIN, Role.WAREHOUSE}),
    "vmi_consumptions.read": EVERYONE,  # a supplier user: the lines taken of its own stock
    "vmi_consumptions.write": frozenset({Role.ADMIN, Role.WAREHOUSE}),  # consume and return from production
    "settlement_lines.read": frozenset({Role.ADMIN, Role.BUYER, Role.FINANCE, Role.SUPPLIER}),  # a supplier: its own
    "vmi_adjustments.read": EVERYONE,  # a supplier user: its own adjustments only
    "vmi_adjustments.request": frozenset({Role.SUPPLIER}),  # correct its own VMI stock
    "vmi_adjustments.approve": frozenset({Role.ADMIN, Role.BUYER}),  # approve or reject with a comment
    "vmi_buyouts.write": frozenset({Role.ADMIN, Role.BUYER}),  # buy out, end with stock left
    "settlement_statements.read": EVERYONE,  # a supplier user: its own statements, once issued
    "settlement_statements.write": frozenset({Role.ADMIN, Role.FINANCE}),  # generate, issue, credit a disputed line
    "settlement_statements.answer": frozenset({Role.SUPPLIER}),  # confirm its statement, dispute or withdraw lines
    "settlement_invoices.read": frozenset({Role.ADMIN, Role.FINANCE, Role.SUPPLIER}),  # a supplier: its own, with PDF
    "settlement_invoices.record": frozenset({Role.SUPPLIER}),  # its invoice for its confirmed statement
    "settlement_invoices.write": frozenset({Role.ADMIN, Role.FINANCE}),  # self-bill, match, reject, close, tolerance
    "alerts.read": EVERYONE,
    "alerts.act": EVERYONE,  # acknowledge and comment (a supplier user: its own alerts only)
    "notifications.read": EVERYONE,  # one's own inbox
    "notifications.manage": frozenset({Role.ADMIN}),  # outbox status, retries, webhook endpoints
}


def has_permission(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


@dataclass(frozen=True)
class Actor:
    """Who is calling: passed to every use case instead of a raw user row."""

    user_id: int
    username: str
    role: Role
    supplier_id: int | None  # set for supplier users: the boundary of what they see
    locale: str | None = None
    token_id: int | None = None  # the integration token used, if any (not a log-in or portal session)

    def can(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    @property
    def caller_key(self) -> str:
        """Whose retries are the same caller's: each integration token is its own system, a person is their user."""
        return f"token:{self.token_id}" if self.token_id is not None else f"user:{self.user_id}"
