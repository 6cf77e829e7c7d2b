"""Use cases of invoices: the supplier records its invoice (or finance self-bills an ERS statement),
finance matches it within its tolerance, rejects it, or closes the matched statement. Caller commits."""
import hashlib
from collections.abc import Callable, Collection, Mapping
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from openvmi.access import Actor, Role
from openvmi.alerts.notices import Audience, Notice, notify
from openvmi.alerts.rules import AlertEvent
from openvmi.db import add_unique, utcnow
from openvmi.errors import Conflict, FieldError, IdempotencyMismatch, InvalidInput, PermissionDenied, Reason
from openvmi.settlement.models import SettlementLine, StatementLine
from openvmi.settlement.invoices import pdf_files, queries
from openvmi.settlement.invoices.models import MatchTolerance, SettlementInvoice
from openvmi.settlement.invoices.rules import InvoiceSource, InvoiceState, matches
from openvmi.settlement.invoices.schemas import InvoiceCreate, Rejection, SelfBill, ToleranceSet
from openvmi.settlement.rules import currency_places, round_money
from openvmi.settlement.statements import queries as statements
from openvmi.settlement.statements.models import SettlementStatement
from openvmi.settlement.statements.rules import StatementAction, StatementState
from openvmi.settlement.statements.service import change_state, is_retry

# agreement ids -> whether finance self-bills them (agreements are vmi's, above settlement: app.py wires it)
SelfBillingLookup = Callable[[Session, Collection[int]], Mapping[int, bool]]


class StatementNotConfirmed(Conflict):
    """Only a statement the supplier confirmed is invoiced."""

    code = "statement_not_confirmed"


class StatementSelfBilled(Conflict):
    code = "statement_self_billed"


class StatementNotSelfBilled(Conflict):
    code = "statement_not_self_billed"


class InvoiceNumberTaken(Conflict):
    code = "invoice_number_taken"


class StatementNotInvoiced(Conflict):
    code = "statement_not_invoiced"


class StatementNotMatched(Conflict):
    """Only a matched statement is closed."""

    code = "statement_not_matched"


class InvalidInvoice(InvalidInput):
    code = "invoice_invalid"


def record_invoice(session: Session, request: InvoiceCreate, *, actor: Actor, self_billing_of: SelfBillingLookup,
                   pdf: bytes | None = None, storage_dir: Path, idempotency_key: str | None = None,
                   ) -> tuple[SettlementInvoice, bool]:
    """The supplier records its invoice (and its checked PDF) for its confirmed statement, which becomes
    invoiced. Returns (invoice, replayed): a retry with the same Idempotency-Key gets the first invoice
    and changes nothing. Caller commits."""
    request_hash = hashlib.sha256(request.model_dump_json().encode() + pdf_files.checksum(pdf or b"").encode()
                                  ).hexdigest()
    if (replay := _replay(session, actor, idempotency_key, request_hash)) is not None:
        return replay, True
    statement = statements.get_statement(session, request.statement_id, for_update=True)
    if (replay := _replay(session, actor, idempotency_key, request_hash)) is not None:
        return replay, True  # the same retry may have won the lock first
    if actor.role is not Role.SUPPLIER:
        raise PermissionDenied(Reason("only the supplier records its invoice; finance self-bills ERS statements"))
    _require_confirmed(statement)
    if _self_billed(session, statement, self_billing_of):
        raise StatementSelfBilled(Reason("statement #%(id)s is self-billed (ERS): finance issues its invoice",
                                         id=statement.id))
    _check_amounts(request, statement.currency)
    invoice = _new_invoice(session, statement, actor=actor, source=InvoiceSource.SUPPLIER, number=request.number,
                           invoice_date=request.invoice_date, net=request.net, tax=request.tax, gross=request.gross,
                           by_rate=[r.model_dump(mode="json") for r in request.by_rate],
                           caller_key=actor.caller_key, idempotency_key=idempotency_key, request_hash=request_hash)
    if pdf is not None:
        # Last, once every check passed: a refused invoice leaves no file behind.
        invoice.pdf_path, invoice.pdf_sha256 = pdf_files.store_pdf(storage_dir, pdf)
        invoice.pdf_bytes = len(pdf)
    session.flush()
    change_state(session, statement, StatementAction.INVOICE, actor=actor, note=request.number)
    return invoice, False


def self_bill(session: Session, statement_id: int, request: SelfBill, *, actor: Actor,
              self_billing_of: SelfBillingLookup) -> SettlementInvoice:
    """Finance issues the invoice of a confirmed self-billing (ERS) statement: the statement's own
    amounts per tax rate. Caller commits."""
    if actor.role not in (Role.ADMIN, Role.FINANCE):
        raise PermissionDenied(Reason("only finance self-bills a statement"))
    statement = statements.get_statement(session, statement_id, for_update=True)
    _require_confirmed(statement)
    if not _self_billed(session, statement, self_billing_of):
        raise StatementNotSelfBilled(Reason("statement #%(id)s is not self-billed: the supplier records its invoice",
                                            id=statement.id))
    money, _ = statements.statement_money(session, [statement])[statement.id]
    by_rate = [{"tax_rate_percent": str(r.tax_rate_percent), "net": str(r.net), "tax": str(r.tax)}
               for r in money.by_rate]
    invoice = _new_invoice(session, statement, actor=actor, source=InvoiceSource.SELF_BILLED, number=request.number,
                           invoice_date=request.invoice_date, net=money.net, tax=money.tax, gross=money.gross,
                           by_rate=by_rate)
    change_state(session, statement, StatementAction.SELF_BILL, actor=actor, note=request.number)
    return invoice


def match_invoice(session: Session, statement_id: int, *, actor: Actor) -> SettlementInvoice:
    """Finance matches the statement's invoice: within the tolerance the statement is matched; otherwise
    it stays invoiced, the attempt is recorded and finance is told of the mismatch. Caller commits."""
    statement = statements.get_statement(session, statement_id, for_update=True)
    if is_retry(statement, StatementAction.MATCH, actor=actor):
        return queries.find_current_invoice(session, statement.id)  # a matched statement has its matched invoice
    invoice = _current_invoice(session, statement)
    found = queries.invoice_differences(session, invoice, statement)
    if matches(found):
        change_state(session, statement, StatementAction.MATCH, actor=actor)
        invoice.state = InvoiceState.MATCHED
        session.flush()
        return invoice
    beyond = [d for d in found if not d.within_tolerance]
    change_state(session, statement, StatementAction.MISMATCH, actor=actor, note="; ".join(
        f"{d.figure.value}{'' if d.tax_rate_percent is None else f' @ {d.tax_rate_percent}%'}: {d.amount:+}"
        for d in beyond)[:500])
    money, _ = statements.statement_money(session, [statement])[statement.id]
    notify(session, [Notice(event=AlertEvent.INVOICE_MISMATCH, supplier_id=statement.supplier_id,
                            audience=Audience.FINANCE, facts={
                                "statement_id": statement.id, "currency": statement.currency,
                                "period_start": statement.period_start.isoformat(),
                                "period_end": statement.period_end.isoformat(), "gross": str(money.gross),
                                "invoice_number": invoice.number, "differences": len(beyond)})])
    return invoice


def reject_invoice(session: Session, statement_id: int, rejection: Rejection, *, actor: Actor) -> SettlementInvoice:
    """Finance sends back an invoice that does not match: the statement is confirmed again and waits for
    the supplier's corrected invoice (under a new number). Caller commits."""
    statement = statements.get_statement(session, statement_id, for_update=True)
    invoice = _current_invoice(session, statement)
    change_state(session, statement, StatementAction.REJECT, actor=actor, note=f"{invoice.number}: {rejection.reason}")
    invoice.state = InvoiceState.REJECTED
    session.flush()
    return invoice


def close_statement(session: Session, statement_id: int, *, actor: Actor) -> SettlementStatement:
    """Finance closes a matched statement: the period is settled with this supplier. Caller commits."""
    statement = statements.get_statement(session, statement_id, for_update=True)
    if is_retry(statement, StatementAction.CLOSE, actor=actor):
        return statement
    if statement.state != StatementState.MATCHED:
        raise StatementNotMatched(Reason("statement #%(id)s is %(state)s: only a matched statement is closed",
                                         id=statement.id, state=statement.state))
    change_state(session, statement, StatementAction.CLOSE, actor=actor)
    return statement


def set_tolerance(session: Session, currency: str, tolerance: ToleranceSet, *, actor: Actor) -> MatchTolerance:
    """Finance sets how far an invoice in `currency` may be from its statement and still match. Caller commits."""
    if actor.role not in (Role.ADMIN, Role.FINANCE):
        raise PermissionDenied(Reason("only finance sets the matching tolerance"))
    currency = currency.upper()
    if round_money(tolerance.absolute_amount, currency) != tolerance.absolute_amount:
        raise InvalidInvoice([_places_error("absolute_amount", currency)])
    row = session.get(MatchTolerance, currency, with_for_update=True)
    if row is None:
        row = MatchTolerance(currency=currency)
        session.add(row)
    row.absolute_amount, row.percent = tolerance.absolute_amount, tolerance.percent
    row.changed_by_id, row.changed_at = actor.user_id, utcnow()
    session.flush()
    return row


def _require_confirmed(statement: SettlementStatement) -> None:
    if statement.state != StatementState.CONFIRMED:
        raise StatementNotConfirmed(Reason("statement #%(id)s is %(state)s: only a confirmed statement is invoiced",
                                           id=statement.id, state=statement.state))


def _current_invoice(session: Session, statement: SettlementStatement) -> SettlementInvoice:
    invoice = queries.find_current_invoice(session, statement.id)
    if statement.state != StatementState.INVOICED or invoice is None or invoice.state != InvoiceState.RECORDED:
        raise StatementNotInvoiced(Reason("statement #%(id)s is %(state)s: it has no invoice waiting to be matched",
                                          id=statement.id, state=statement.state))
    return invoice


def statement_is_self_billed(session: Session, statement_id: int, *, self_billing_of: SelfBillingLookup) -> bool:
    """A statement is self-billed (ERS) when every agreement of its lines says so."""
    agreements = set(session.scalars(select(SettlementLine.agreement_id).distinct()
                                     .join(StatementLine, StatementLine.line_id == SettlementLine.id)
                                     .where(StatementLine.statement_id == statement_id)))
    flags = self_billing_of(session, agreements)
    return bool(agreements) and all(flags.get(agreement_id, False) for agreement_id in agreements)


def _self_billed(session: Session, statement: SettlementStatement, self_billing_of: SelfBillingLookup) -> bool:
    return statement_is_self_billed(session, statement.id, self_billing_of=self_billing_of)


def _places_error(field: str, currency: str) -> FieldError:
    return FieldError(field, Reason("%(currency)s amounts have %(places)s decimal places", currency=currency,
                                    places=currency_places(currency)))


def _check_amounts(request: InvoiceCreate, currency: str) -> None:
    """Every amount in the currency's minor unit, and gross = net + tax, checked whole: every bad field named."""
    problems = [_places_error(field, currency) for field in ("net", "tax", "gross")
                if round_money(getattr(request, field), currency) != getattr(request, field)]
    for index, rate in enumerate(request.by_rate):
        problems += [_places_error(f"by_rate.{index}.{field}", currency) for field in ("net", "tax")
                     if round_money(getattr(rate, field), currency) != getattr(rate, field)]
    if not problems and request.net + request.tax != request.gross:
        problems.append(FieldError("gross", Reason("gross %(gross)s is not net plus tax (%(sum)s)",
                                                   gross=request.gross, sum=request.net + request.tax)))
    if problems:
        raise InvalidInvoice(problems)


def _new_invoice(session: Session, statement: SettlementStatement, *, actor: Actor, source: InvoiceSource,
                 number: str, invoice_date, net: Decimal, tax: Decimal, gross: Decimal,
                 by_rate: list[dict], **keys: str | None) -> SettlementInvoice:
    taken = Reason("invoice number %(number)s is used already by this supplier", number=number)
    if queries.find_invoice_by_number(session, statement.supplier_id, number) is not None:
        raise InvoiceNumberTaken(taken)
    invoice = SettlementInvoice(statement_id=statement.id, supplier_id=statement.supplier_id, source=source,
                                state=InvoiceState.RECORDED, number=number, invoice_date=invoice_date,
                                currency=statement.currency, net=net, tax=tax, gross=gross, by_rate=by_rate,
                                recorded_by_id=actor.user_id, recorded_at=utcnow(), **keys)
    add_unique(session, invoice, conflict=taken)  # a concurrent invoice with the number meets the unique key
    return invoice


def _replay(session: Session, actor: Actor, idempotency_key: str | None, request_hash: str) -> SettlementInvoice | None:
    if idempotency_key is None:
        return None
    found = queries.find_keyed_invoice(session, actor.caller_key, idempotency_key)
    if found is not None and found.request_hash != request_hash:
        raise IdempotencyMismatch("this Idempotency-Key was used for another invoice")
    return found
