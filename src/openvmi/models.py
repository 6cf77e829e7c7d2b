"""Imports every feature's tables so Base.metadata is complete (Alembic, tests, create_all)."""
from openvmi.alerts.models import Alert, AlertComment, InboxMessage, OutboxMessage, WebhookEndpoint
from openvmi.auth.models import ApiToken, LoginThrottle, User
from openvmi.catalog.models import Item, SupplierItem, SupplierItemPrice
from openvmi.ledger.models import LayerDraw, Posting, ReceiptLayer, StockBalance, StockMove
from openvmi.locations.models import Location
from openvmi.parties.models import Party, Plant
from openvmi.planning.models import DemandPlanLine, DemandPlanVersion
from openvmi.settlement.invoices.models import MatchTolerance, SettlementInvoice
from openvmi.settlement.models import SettlementLine
from openvmi.settlement.statements.models import LineDispute, SettlementStatement, StatementEvent
from openvmi.supplier_stock.models import (
    StockThreshold, SupplierColumnMapping, SupplierStock, SupplierStockHistory, SupplierStockImport,
)
from openvmi.vmi.adjustments.models import VmiAdjustment
from openvmi.vmi.agreements.models import VmiAgreement
from openvmi.vmi.buyouts.models import VmiBuyout, VmiStockReturn
from openvmi.vmi.call_offs.models import CallOff, CallOffEvent, CallOffLine
from openvmi.vmi.consumptions.models import Consumption, ConsumptionLine
from openvmi.vmi.receipts.models import Receipt, ReceiptLine
from openvmi.vmi.shipments.models import Shipment, ShipmentLine

__all__ = ["Alert", "AlertComment", "ApiToken", "DemandPlanLine", "DemandPlanVersion", "InboxMessage", "Item", "LayerDraw", "Location", "LoginThrottle",
           "OutboxMessage", "Party", "Plant", "Posting", "ReceiptLayer", "StockBalance", "StockMove", "SupplierItem", "SupplierItemPrice",
           "User", "WebhookEndpoint",
           "StockThreshold", "SupplierColumnMapping", "SupplierStock", "SupplierStockHistory", "SupplierStockImport",
           "VmiAgreement", "CallOff", "CallOffEvent", "CallOffLine", "Consumption", "ConsumptionLine", "Receipt", "ReceiptLine",
           "Shipment", "ShipmentLine", "SettlementLine", "VmiAdjustment", "VmiBuyout", "VmiStockReturn",
           "SettlementStatement", "StatementEvent", "LineDispute", "SettlementInvoice", "MatchTolerance"]
