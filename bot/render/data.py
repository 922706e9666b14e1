"""Reports as plain data, for `--json`: stable keys, ISO 8601 times with offsets, no words."""

import json
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain.shipping import Standing
from bot.render.environment import UNSAFE, template


def dumps(data: Any, indent: int | None = None) -> str:
    """`data` as JSON, readable (non-ASCII as is) but with control and bidirectional characters
    written as \\u escapes: the same value to a script, inert on the terminal it prints to."""
    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return UNSAFE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def _time(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return None if moment is None else moment.astimezone(tz).isoformat()


def standing(entry: Standing, tz: ZoneInfo) -> dict[str, Any]:
    """One order in a list."""
    order = entry.order
    return {
        "order_id": order.order_id,
        "status": order.status.value if order.status else None,
        "purchase_date": _time(order.purchase_date, tz),
        "ship_by": _time(entry.ship_by, tz),
        "class": entry.urgency.value if entry.urgency else None,
        "is_prime": bool(order.is_prime),
        "auto_cancel_risk": entry.auto_cancel_risk,
        "auto_cancel_at": _time(entry.cancel_at, tz) if entry.auto_cancel_risk else None,
        "auto_cancel_passed": entry.cancel_passed,
        "items": [
            {"sku": item.sku, "asin": item.asin, "title": item.title,
             "quantity_ordered": item.quantity_ordered, "quantity_shipped": item.quantity_shipped}
            for item in order.items
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def orders(report: Any, tz: ZoneInfo) -> dict[str, Any]:
    """An orders report: {"orders": [...]} plus when it is as of."""
    return {
        "view": str(report.view),
        "as_of": _time(report.as_of, tz),
        "orders": [standing(entry, tz) for entry in report.entries],
    }


def order(detail: Any, tz: ZoneInfo) -> dict[str, Any]:
    """One order, in the shape of a list of one, with its return requests."""
    return {
        "as_of": _time(detail.as_of, tz),
        "orders": [standing(detail.standing, tz)],
        "returns": [{k: _plain(v) for k, v in asdict(r).items()} for r in detail.returns],
    }


def digest(report: Any, tz: ZoneInfo) -> dict[str, Any]:
    """The digest, its sections as keys."""
    return {
        "as_of": _time(report.as_of, tz),
        "since": _time(report.since, tz),
        "today": report.today.isoformat(),
        "is_business_day": report.is_business_day,
        "holiday": report.holiday,
        "next_business_day": report.next_business_day.isoformat(),
        "new_orders": [
            {"currency": n.currency, "orders": n.orders, "units": n.units,
             "revenue": None if n.revenue is None else str(n.revenue)}
            for n in report.new
        ],
        "late": [standing(e, tz) for e in report.late],
        "due_today": [standing(e, tz) for e in report.due_today],
        "due_next": [standing(e, tz) for e in report.due_next],
        "late_shipment_rate": [
            {"days": r.days, "late": r.late, "orders": r.orders, "rate": r.rate,
             "target": r.target, "enough_data": r.enough_data, "unknown": r.unknown}
            for r in report.shipment_rates
        ],
        "data_as_of": _time(report.last_data, tz),
        "stale": report.stale,
        "open_returns": report.open_returns,
    }


def can_return(answer: Any) -> dict[str, Any]:
    """A /can-return answer, as `sellerbot can-return --json` prints it."""
    decision = answer.decision
    window = decision.holiday_window
    requests = [
        {**{k: _plain(v) for k, v in asdict(request).items()},
         "deadlines": [{"action": d.action, "due": d.due.isoformat(), "overdue": d.overdue}
                       for d in deadlines]}
        for request, deadlines in answer.requests
    ]
    return {
        "order_id": decision.order_id,
        "as_of": decision.today.isoformat(),
        "verdict": decision.verdict.value,
        "eligible": decision.eligible,
        "return_by": _plain(decision.return_by),
        "days_left": decision.days_left,
        "base_date": _plain(decision.base_date),
        "base_date_source": decision.base_date_source.value if decision.base_date_source else None,
        "delivered": _plain(decision.delivered),
        "holiday_window": window.name if window else None,
        "late_until": _plain(decision.late_until),
        "items": [{"sku": i.sku, "returnable": i.returnable, "class": i.item_class,
                   "reason": i.reason} for i in decision.items],
        "refund_outcomes": [
            {"outcome": o.outcome.value, "refund_percent": o.refund_percent,
             "seller_pays_return_shipping": o.seller_pays_return_shipping,
             "photo_needed": o.photo_needed}
            for o in decision.outcomes
        ],
        # The latest request, as the issue names it; all of them under return_requests.
        "return_request": requests[-1] if requests else None,
        "return_requests": requests,
    }


def check_result(result: Any) -> dict[str, Any]:
    """A "Check reply" result (issue 6's keys; character offsets count from 0, end excluded)."""
    words = template("replies.j2").module  # a learned finding is worded by its category
    return {
        "verdict": result.verdict,
        # False: mostly another language, checked for links, addresses, numbers and styling.
        "english": result.english,
        "findings": [
            {"rule": f.rule, "category": f.category, "severity": f.severity, "start": f.start,
             "end": f.end, "excerpt": f.excerpt, "message": str(words.title(f)),
             "why": str(words.why(f)), "fix": str(words.fix(f)), "evidence": list(f.evidence)}
            for f in result.findings
        ],
        "suggestion": result.suggestion,
        "removed": [{"start": r.start, "end": r.end, "text": r.text,
                     "categories": list(r.categories)} for r in result.removed],
    }


def audit(records: Any) -> list[dict[str, Any]]:
    """Audited checks: never the text, only its SHA-256 and length."""
    return [{"checked_at": r.checked_at.isoformat(), "verdict": r.verdict,
             "categories": list(r.categories), "rules": list(r.rules), "surface": r.surface,
             "slack_user": r.slack_user, "slack_channel": r.slack_channel,
             "text_sha256": r.text_sha256, "length": r.length} for r in records]


def reviews(report: Any) -> dict[str, Any]:
    """`sellerbot reviews due --json`: every order looked at, due or with its reason."""
    def standing(s: Any) -> dict[str, Any]:
        return {"order_id": s.order.order_id, "due": s.due,
                "reason": s.skip.value if s.skip else None,
                "opens": _plain(s.opens), "closes": _plain(s.closes)}

    return {"as_of": report.as_of.isoformat(),
            "due": [standing(s) for s in report.due],
            "skipped": {skip.value: {"count": len(listed),
                                     "orders": [standing(s) for s in listed]}
                        for skip, listed in report.skipped.items()}}


def messages(listed: Any) -> list[dict[str, Any]]:
    """`sellerbot messages list --json`: each message's order and clock, never its words."""
    return [{"order_id": item.message.order_id, "marketplace": item.message.marketplace,
             "received_at": item.message.received_at.isoformat(),
             "reply_by": item.reply_by.isoformat(), "late": item.late,
             "answered_at": _plain(item.message.answered_at),
             "answered_by": item.message.answered_by,
             # replied, no-response, untracked (came before sellerbot read the mailbox), or None.
             "outcome": item.message.outcome} for item in listed]


def response_record(status: Any) -> dict[str, Any]:
    """`sellerbot messages record --json`: answered within 24 hours, per period."""
    records = status.record if status is not None else []
    return {"unanswered": len(status.unanswered) if status is not None else 0,
            "periods": [{"days": r.days, "answered_within_24h": r.on_time, "counted": r.counted,
                         "rate": r.rate} for r in records]}
