"""What alerts and their notifications say, in any language: the msgids, and the functions that fill
them for a reader. Nothing stored is a sentence: inbox rows and e-mails keep the facts (`content`)
and are worded when read or sent, in the recipient's language, by a `Words` the caller gives."""
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from openvmi.alerts.rules import AlertEvent, AlertKind
from openvmi.enums import N_

# The full sentence (detail page, inbox, e-mail): opened, then resolved.
SENTENCES = {
    (AlertKind.LOW_STOCK, False): N_("%(supplier)s has %(available)s %(unit)s of %(item)s available, below the "
                                     "low-water mark %(low_water)s."),
    (AlertKind.LOW_STOCK, True): N_("Resolved: %(supplier)s has %(available)s %(unit)s of %(item)s available, back "
                                    "above the low-water mark %(low_water)s."),
    (AlertKind.HIGH_STOCK, False): N_("%(supplier)s has %(available)s %(unit)s of %(item)s available, above the "
                                      "high-water mark %(high_water)s."),
    (AlertKind.HIGH_STOCK, True): N_("Resolved: %(supplier)s has %(available)s %(unit)s of %(item)s available, back "
                                     "below the high-water mark %(high_water)s."),
    (AlertKind.STALE_DATA, False): N_("%(supplier)s has not updated its stock for %(days)s days (limit: "
                                      "%(stale_after_days)s days)."),
    (AlertKind.STALE_DATA, True): N_("Resolved: %(supplier)s has updated its stock again."),
    (AlertKind.VMI_UNDER_MIN, False): N_("%(supplier)s's VMI stock of %(item)s at %(location)s is %(on_hand)s "
                                         "%(unit)s, below the minimum level %(min_level)s."),
    (AlertKind.VMI_UNDER_MIN, True): N_("Resolved: %(supplier)s's VMI stock of %(item)s at %(location)s is "
                                        "%(on_hand)s %(unit)s, back at or above the minimum level %(min_level)s."),
    (AlertKind.VMI_OVER_MAX, False): N_("%(supplier)s's VMI stock of %(item)s at %(location)s is %(on_hand)s "
                                         "%(unit)s, above the maximum level %(max_level)s."),
    (AlertKind.VMI_OVER_MAX, True): N_("Resolved: %(supplier)s's VMI stock of %(item)s at %(location)s is "
                                        "%(on_hand)s %(unit)s, back at or below the maximum level %(max_level)s."),
    (AlertKind.VMI_RUN_OUT, False): N_("%(supplier)s's VMI stock of %(item)s at %(location)s runs out on "
                                       "%(run_out)s, before a shipment ordered today can arrive (%(earliest_due)s)."),
    (AlertKind.VMI_RUN_OUT, True): N_("Resolved: %(supplier)s's VMI stock of %(item)s at %(location)s lasts until "
                                      "a shipment ordered today can arrive."),
    (AlertKind.VMI_CALL_OFF_UNANSWERED, False): N_("%(supplier)s has not answered %(count)s call-off(s) within the "
                                                   "agreed time (oldest: %(oldest)s, %(hours)s hours to answer)."),
    (AlertKind.VMI_CALL_OFF_UNANSWERED, True): N_("Resolved: %(supplier)s has answered its call-offs."),
    (AlertKind.VMI_SHIPMENT_OVERDUE, False): N_("%(count)s shipment(s) from %(supplier)s are overdue (oldest: "
                                                "%(oldest)s, expected %(expected)s)."),
    (AlertKind.VMI_SHIPMENT_OVERDUE, True): N_("Resolved: no shipment from %(supplier)s is overdue."),
    (AlertKind.VMI_RECEIPT_DIFFERENCES, False): N_("%(count)s shipment(s) from %(supplier)s were received with "
                                                   "differences: %(short)s short, %(over)s over, %(damaged)s damaged."),
    (AlertKind.VMI_RECEIPT_DIFFERENCES, True): N_("Resolved: the shipments from %(supplier)s received with "
                                                  "differences are closed."),
    (AlertKind.VMI_ADJUSTMENT_WAITING, False): N_("%(count)s VMI adjustment(s) from %(supplier)s have waited for "
                                                  "approval longer than a day (oldest: %(oldest)s)."),
    (AlertKind.VMI_ADJUSTMENT_WAITING, True): N_("Resolved: no VMI adjustment from %(supplier)s waits for approval "
                                                 "any more."),
}
# A mark that no longer exists (the threshold was removed) cannot be "back above".
UNWATCHED = N_("Resolved: %(supplier)s has %(available)s %(unit)s of %(item)s available; no mark applies any more.")
# The short form in a list row, beside the supplier and item columns.
SUMMARIES = {
    (AlertKind.LOW_STOCK, False): N_("%(available)s available, below the low-water mark %(low_water)s"),
    (AlertKind.LOW_STOCK, True): N_("resolved: %(available)s available, back above %(low_water)s"),
    (AlertKind.HIGH_STOCK, False): N_("%(available)s available, above the high-water mark %(high_water)s"),
    (AlertKind.HIGH_STOCK, True): N_("resolved: %(available)s available, back below %(high_water)s"),
    (AlertKind.STALE_DATA, False): N_("No stock update for %(days)s days (limit: %(stale_after_days)s)"),
    (AlertKind.STALE_DATA, True): N_("resolved: stock updated again"),
    (AlertKind.VMI_UNDER_MIN, False): N_("%(on_hand)s on hand, below the minimum level %(min_level)s"),
    (AlertKind.VMI_UNDER_MIN, True): N_("resolved: %(on_hand)s on hand, back at or above %(min_level)s"),
    (AlertKind.VMI_OVER_MAX, False): N_("%(on_hand)s on hand, above the maximum level %(max_level)s"),
    (AlertKind.VMI_OVER_MAX, True): N_("resolved: %(on_hand)s on hand, back at or below %(max_level)s"),
    (AlertKind.VMI_RUN_OUT, False): N_("runs out on %(run_out)s, a new shipment arrives %(earliest_due)s at the "
                                       "earliest"),
    (AlertKind.VMI_RUN_OUT, True): N_("resolved: lasts until a new shipment can arrive"),
    (AlertKind.VMI_CALL_OFF_UNANSWERED, False): N_("%(count)s call-off(s) not answered in time, oldest %(oldest)s"),
    (AlertKind.VMI_CALL_OFF_UNANSWERED, True): N_("resolved: call-offs answered"),
    (AlertKind.VMI_SHIPMENT_OVERDUE, False): N_("%(count)s shipment(s) overdue, oldest %(oldest)s"),
    (AlertKind.VMI_SHIPMENT_OVERDUE, True): N_("resolved: nothing overdue"),
    (AlertKind.VMI_RECEIPT_DIFFERENCES, False): N_("%(count)s shipment(s) with differences: %(short)s short, %(over)s "
                                                   "over, %(damaged)s damaged"),
    (AlertKind.VMI_RECEIPT_DIFFERENCES, True): N_("resolved: shipments with differences closed"),
    (AlertKind.VMI_ADJUSTMENT_WAITING, False): N_("%(count)s adjustment(s) waiting for approval, oldest %(oldest)s"),
    (AlertKind.VMI_ADJUSTMENT_WAITING, True): N_("resolved: adjustments decided"),
}
UNWATCHED_SUMMARY = N_("resolved: %(available)s available, no mark applies any more")
# What each sentence needs besides the subject's codes.
NEEDS = {AlertKind.LOW_STOCK: ("available", "low_water"), AlertKind.HIGH_STOCK: ("available", "high_water"),
         AlertKind.STALE_DATA: ("days", "stale_after_days"), AlertKind.VMI_UNDER_MIN: ("on_hand", "min_level"),
         AlertKind.VMI_OVER_MAX: ("on_hand", "max_level"), AlertKind.VMI_RUN_OUT: ("run_out", "earliest_due"),
         AlertKind.VMI_CALL_OFF_UNANSWERED: ("count", "oldest", "hours"),
         AlertKind.VMI_SHIPMENT_OVERDUE: ("count", "oldest", "expected"),
         AlertKind.VMI_RECEIPT_DIFFERENCES: ("count", "short", "over", "damaged"),
         AlertKind.VMI_ADJUSTMENT_WAITING: ("count", "oldest")}
FIGURE_LABELS = {"available": N_("Available"), "low_water": N_("Low-water mark"),
                 "high_water": N_("High-water mark"), "last_reported_at": N_("Last reported"),
                 "stale_after_days": N_("Stale after (days)"), "days": N_("Days without an update"),
                 "on_hand": N_("On hand"), "min_level": N_("Minimum level"), "max_level": N_("Maximum level"),
                 "run_out": N_("Runs out on"), "earliest_due": N_("Earliest arrival of a new shipment"),
                 "count": N_("Count"), "oldest": N_("Oldest"), "hours": N_("Hours to answer"),
                 "expected": N_("Expected arrival"), "short": N_("Short"), "over": N_("Over"),
                 "damaged": N_("Damaged")}
# Resolved without figures: their sentence needs none (the condition is simply over).
NO_FIGURES_WHEN_RESOLVED = (AlertKind.STALE_DATA, AlertKind.VMI_RUN_OUT, AlertKind.VMI_CALL_OFF_UNANSWERED,
                            AlertKind.VMI_SHIPMENT_OVERDUE, AlertKind.VMI_RECEIPT_DIFFERENCES,
                            AlertKind.VMI_ADJUSTMENT_WAITING)
TITLES = {AlertEvent.OPENED: N_("%(kind)s: %(subject)s"), AlertEvent.RESOLVED: N_("Resolved: %(kind)s, %(subject)s")}
DIGEST_TITLE = N_("%(opened)s alerts opened, %(resolved)s resolved")
DIGEST_LINE = N_("%(count)s × %(kind)s, %(event)s")
DIGEST_MORE = N_("… and %(count)s more; see the alert list.")
FOOTERS = {AlertEvent.OPENED: N_("Alert #%(id)s, opened at %(time)s"),
           AlertEvent.RESOLVED: N_("Alert #%(id)s, resolved at %(time)s")}
EVENT_WORDS = {AlertEvent.OPENED: N_("opened"), AlertEvent.RESOLVED: N_("resolved")}
# Notices of statements (alerts.notices): title, then text.
NOTICES = {
    AlertEvent.STATEMENT_ISSUED: (
        N_("Statement #%(id)s issued: %(start)s to %(end)s"),
        N_("The buyer issued statement #%(id)s to %(supplier)s for %(start)s to %(end)s: %(gross)s %(currency)s "
           "gross. Please review it, then confirm it or dispute lines.")),
    AlertEvent.STATEMENT_DISPUTED: (
        N_("Statement #%(id)s disputed by %(supplier)s"),
        N_("%(supplier)s disputed %(count)s line(s) of statement #%(id)s for %(start)s to %(end)s. Correct each "
           "line with a credit or a reversal, or ask the supplier to withdraw its dispute.")),
    AlertEvent.STATEMENT_CONFIRMED: (
        N_("Statement #%(id)s confirmed by %(supplier)s"),
        N_("%(supplier)s confirmed statement #%(id)s for %(start)s to %(end)s: %(gross)s %(currency)s gross.")),
    AlertEvent.INVOICE_MISMATCH: (
        N_("Invoice mismatch: statement #%(id)s of %(supplier)s"),
        N_("The invoice of %(supplier)s for statement #%(id)s (%(start)s to %(end)s, %(gross)s %(currency)s gross) "
           "differs from the statement beyond the tolerance in %(count)s figure(s). Review the differences, then "
           "reject the invoice or change the tolerance and match again.")),
}


class Words(Protocol):
    """A reader's language: translated text and figures written their way."""

    def text(self, msgid: str, **params: Any) -> str: ...
    def number(self, value: Decimal | int | None) -> str: ...
    def datetime(self, value: datetime) -> str: ...


class PlainEnglish:
    """The words of the API and webhooks: English, figures as an English reader writes them."""

    def text(self, msgid: str, **params: Any) -> str:
        return msgid % params if params else msgid

    def number(self, value: Decimal | int | None) -> str:
        # grouped, no trailing zeros (1,100 not 1100.000000); cheap, as every synced signal has one
        return "" if value is None else format(Decimal(value).normalize(), ",f")

    def datetime(self, value: datetime) -> str:
        return value.isoformat(timespec="seconds")


ENGLISH = PlainEnglish()


def figures(numbers: dict[str, Any]) -> dict[str, Any]:
    """An alert's stored figures, typed: quantities as Decimal, times as datetime; empty ones left out
    (rows written before figures were typed hold "None" and "100.000000")."""
    typed: dict[str, Any] = {}
    for name, value in sorted(numbers.items()):
        if value in (None, "", "None"):
            continue
        if name == "last_reported_at":
            typed[name] = datetime.fromisoformat(value) if isinstance(value, str) else value
            continue
        try:
            typed[name] = Decimal(str(value))
        except InvalidOperation:
            typed[name] = value
    return typed


def json_figures(numbers: dict[str, Any]) -> dict[str, Any]:
    """The figures for JSON readers: numbers as numbers, a missing mark as null, times as ISO text."""
    typed = figures(numbers)
    out: dict[str, Any] = {name: None for name in numbers}
    for name, value in typed.items():
        if isinstance(value, Decimal):
            out[name] = int(value) if value == value.to_integral_value() else float(value)
        elif isinstance(value, datetime):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def _params(words: Words, subject: dict[str, Any], typed: dict[str, Any]) -> dict[str, Any]:
    return {"supplier": subject.get("supplier") or "", "item": subject.get("item") or "",
            "unit": subject.get("unit") or "", "location": subject.get("location") or "",
            **{name: words.number(value) if isinstance(value, Decimal) else value for name, value in typed.items()}}


def _form(kind: str, resolved: bool, typed: dict[str, Any]) -> str | None:
    """Which wording fits: "full", "unwatched" (resolved because its mark was removed), or None
    when the figures do not fit the kind (rows from older versions)."""
    if kind not in AlertKind.values():
        return None
    if resolved and kind in NO_FIGURES_WHEN_RESOLVED:
        return "full"
    if all(name in typed for name in NEEDS[AlertKind(kind)]):
        return "full"
    return "unwatched" if resolved and "available" in typed else None


def sentence(words: Words, kind: str, *, resolved: bool, subject: dict[str, Any], numbers: dict[str, Any]) -> str | None:
    """The alert as one sentence that is true now, or None when its figures do not fit."""
    typed = figures(numbers)
    form = _form(kind, resolved, typed)
    if form is None:
        return None
    msgid = UNWATCHED if form == "unwatched" else SENTENCES[(AlertKind(kind), resolved)]
    return words.text(msgid, **_params(words, subject, typed))


def summary(words: Words, kind: str, *, resolved: bool, numbers: dict[str, Any]) -> str | None:
    """The short form for a list row, or None when the figures do not fit."""
    typed = figures(numbers)
    form = _form(kind, resolved, typed)
    if form is None:
        return None
    msgid = UNWATCHED_SUMMARY if form == "unwatched" else SUMMARIES[(AlertKind(kind), resolved)]
    return words.text(msgid, **_params(words, {}, typed))


def kind_label(words: Words, kind: str) -> str:
    return words.text(AlertKind(kind).label) if kind in AlertKind.values() else kind


# --- notifications: facts stored, words at read or send time ------------------------------------

def event_content(event: AlertEvent, alert: Any, subject: dict[str, Any]) -> dict[str, Any]:
    """The facts of one alert event, as an inbox row or e-mail keeps them."""
    at = alert.resolved_at if event == AlertEvent.RESOLVED and alert.resolved_at else alert.opened_at
    return {"event": str(event), "alert_id": alert.id, "kind": alert.kind, "subject": subject,
            "numbers": dict(alert.numbers), "at": at.isoformat()}


def digest_content(events: list[dict[str, Any]], *, lines: int) -> dict[str, Any]:
    """The facts of many events for one person: counts, and the first `lines` events."""
    return {"event": str(AlertEvent.DIGEST), "events": events[:lines], "total": len(events),
            "opened": sum(1 for e in events if e["event"] == AlertEvent.OPENED),
            "counts": _counts(events)}


def _counts(events: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    counts: dict[tuple[str, str], int] = {}
    for e in events:
        counts[(e["kind"], e["event"])] = counts.get((e["kind"], e["event"]), 0) + 1
    return [(kind, event, count) for (kind, event), count in sorted(counts.items())]


def _subject_text(subject: dict[str, Any]) -> str:
    return " / ".join(filter(None, (subject.get("supplier"), subject.get("item"))))


def _notice(words: Words, content: dict[str, Any], part: int) -> str:
    return words.text(NOTICES[AlertEvent(content["event"])][part], id=content["statement_id"],
                      supplier=content.get("supplier") or "", start=content["period_start"], end=content["period_end"],
                      gross=content.get("gross", ""), currency=content.get("currency", ""),
                      count=words.number(content.get("disputed_lines", content.get("differences", 0))))


def title(words: Words, content: dict[str, Any]) -> str:
    """An inbox title or e-mail subject in the reader's language."""
    if content["event"] in NOTICES:
        return _notice(words, content, 0)
    if content["event"] == AlertEvent.DIGEST:
        return words.text(DIGEST_TITLE, opened=words.number(content["opened"]),
                          resolved=words.number(content["total"] - content["opened"]))
    return words.text(TITLES[AlertEvent(content["event"])], kind=kind_label(words, content["kind"]),
                      subject=_subject_text(content["subject"]))


def body(words: Words, content: dict[str, Any]) -> str:
    """An inbox message's or e-mail's text in the reader's language."""
    if content["event"] in NOTICES:
        return _notice(words, content, 1)
    if content["event"] == AlertEvent.DIGEST:
        lines = [words.text(DIGEST_LINE, count=words.number(count), kind=kind_label(words, kind),
                            event=words.text(EVENT_WORDS[AlertEvent(event)]))
                 for kind, event, count in content["counts"]]
        lines += ["", *(title(words, e) for e in content["events"])]
        if content["total"] > len(content["events"]):
            lines.append(words.text(DIGEST_MORE, count=words.number(content["total"] - len(content["events"]))))
        return "\n".join(lines)
    resolved = content["event"] == AlertEvent.RESOLVED
    text = sentence(words, content["kind"], resolved=resolved, subject=content["subject"],
                    numbers=content["numbers"]) or ""
    lines = [text, ""]
    for name, value in figures(content["numbers"]).items():
        shown = (words.datetime(value) if isinstance(value, datetime)
                 else words.number(value) if isinstance(value, Decimal) else str(value))
        lines.append(f"{words.text(FIGURE_LABELS[name]) if name in FIGURE_LABELS else name}: {shown}")
    footer = FOOTERS[AlertEvent(content["event"])]
    lines += ["", words.text(footer, id=content["alert_id"], time=words.datetime(datetime.fromisoformat(content["at"])))]
    return "\n".join(lines)
