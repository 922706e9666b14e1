"""Use cases where the store meets the domain: what the CLI, Slack and the jobs ask for."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.config import Settings
from bot.domain.calendar import BusinessCalendar
from bot.domain.order_ids import normalize_order_id
from bot.domain.records import Order, ReturnRequest
from bot.domain.shipping import Urgency, is_open, ship_by, urgency
from bot.errors import BadInput, NotFound
from bot.sources.context import SellerContext
from bot.sources.demo import demo_seller
from bot.store import Database, queries
from bot.store.writer import Writer

# Return requests still needing the seller (authorize, receive, refund).
OPEN_RETURN_STATUSES = ("Pending", "Approved")


def calendar_for(settings: Settings) -> BusinessCalendar:
    """The seller's business-day calendar."""
    return BusinessCalendar(country=settings.market.country)


def seller_context(settings: Settings) -> SellerContext:
    """What parsers need to know about the seller."""
    return SellerContext(timezone=settings.timezone, marketplace=settings.market)


@dataclass(frozen=True)
class OrderDetail:
    """One order as `/orders ORDER_ID` shows it."""

    order: Order
    deadline: datetime | None
    urgency: Urgency | None
    returns: list[ReturnRequest]


def order_detail(db: Database, settings: Settings, text: str, now: datetime) -> OrderDetail:
    """Look up one order by its id as typed; a malformed or unknown id is a friendly error."""
    order_id = normalize_order_id(text)
    if order_id is None:
        raise BadInput("order_id_malformed", text=text.strip()[:40])
    with db.begin() as conn:
        order = queries.get_order(conn, order_id)
        returns = queries.returns_for(conn, order_id)
    if order is None:
        raise NotFound("order_not_found", order_id=order_id)
    calendar = calendar_for(settings)
    deadline = ship_by(order, calendar, settings.timezone, settings.default_handling_days)
    state = (
        urgency(deadline, now, settings.timezone, calendar)
        if deadline is not None and is_open(order) else None
    )
    return OrderDetail(order=order, deadline=deadline, urgency=state, returns=returns)


@dataclass(frozen=True)
class Morning:
    """The numbers a seller's team starts the day with."""

    today: date
    holiday: str | None
    is_business_day: bool
    next_business_day: date
    new_orders: int
    due_today: list[Order]
    late: list[Order]
    due_next: list[Order]
    open_returns: int


def morning(db: Database, settings: Settings, now: datetime) -> Morning:
    """Count what is new, due today, late and due next business day at `now`."""
    calendar = calendar_for(settings)
    tz = settings.timezone
    groups: dict[Urgency, list[Order]] = {u: [] for u in Urgency}
    with db.begin() as conn:
        for order in queries.open_orders(conn):
            deadline = ship_by(order, calendar, tz, settings.default_handling_days)
            if deadline is not None:
                groups[urgency(deadline, now, tz, calendar)].append(order)
        new_orders = queries.count_orders(conn, since=now - timedelta(hours=24))
        open_returns = queries.count_returns(conn, statuses=OPEN_RETURN_STATUSES)
    today = now.astimezone(tz).date()
    return Morning(
        today=today,
        holiday=calendar.holiday_name(today),
        is_business_day=calendar.is_business_day(today),
        next_business_day=calendar.next_business_day(today),
        new_orders=new_orders,
        due_today=groups[Urgency.DUE_TODAY],
        late=groups[Urgency.LATE],
        due_next=groups[Urgency.DUE_NEXT],
        open_returns=open_returns,
    )


@dataclass(frozen=True)
class DemoLoaded:
    """What `sellerbot demo` stored."""

    orders: int
    items: int
    returns: int
    by_status: dict[str, int]


def load_demo(db: Database, settings: Settings, now: datetime) -> DemoLoaded:
    """Replace the demo seller's data with a fresh one as seen at `now`."""
    seller = demo_seller(now, settings.timezone, calendar_for(settings), settings.market)
    with db.begin() as conn:
        queries.delete_demo(conn)
        writer = Writer(conn, demo=True)
        for record in (*seller.orders, *seller.items, *seller.returns):
            writer.add(record)
        writer.flush()
        by_status = queries.count_by_status(conn)
    return DemoLoaded(
        orders=len(seller.orders), items=len(seller.items), returns=len(seller.returns),
        by_status=by_status,
    )
