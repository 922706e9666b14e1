"""A digest asked to list only the first orders of each list (as Slack shows it) reads only
their lines, and says and shows what the whole digest would, in both databases."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot import render
from bot.config import load_settings
from bot.domain.records import Channel, Order, OrderItem, OrderStatus
from bot.render.blocks import DIGEST_LISTED, digest_message, home_view
from bot.store import queries
from bot.store.writer import Writer
from bot.usecases import deadlines
from bot.usecases.digests import digest
from bot.usecases.stamps import stamped
from bot.wiring import seller_of

# Wednesday 2026-11-25, 07:00 in Los Angeles: the next business day is Friday (Thanksgiving).
AS_OF = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
# A book placed three business days ago: late by Amazon's two days for media, on track by
# the seller's ten days for anything else.
BOOK_ORDER = "111-9999999-0000001"


@pytest.fixture
def seller(settings):
    """A seller who makes to order: ten business days to ship."""
    return seller_of(load_settings(database_url=settings.database_url, default_handling_days=10))


def _order(order_id: str, placed: datetime, lines: int) -> list:
    order = Order(order_id, purchase_date=placed, last_update=placed,
                  status=OrderStatus.UNSHIPPED, fulfillment_channel=Channel.MERCHANT,
                  is_prime=order_id.endswith("7"), currency="USD")
    return [order] + [OrderItem(order_id, f"SKU-{k}", asin=f"B0{k:08d}", title=f"Mug <{k}>",
                                quantity_ordered=1, item_price=Decimal("9.99"))
                      for k in range(lines)]


@pytest.fixture
def busy(db, seller):
    """Six weeks of orders still open, one every ten minutes, stored as an import stores them
    (each with its deadline): thousands late, more than a message lists due today and next."""
    first = AS_OF - timedelta(days=42)
    records = [record for n in range(42 * 24 * 6)
               for record in _order(f"{111 + n % 4}-{n:07d}-{n % 9:07d}",
                                    first + timedelta(minutes=10 * n), 1 + n % 3)]
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in stamped(records, seller):
            writer.add(record)
        writer.flush()
    # An order stored with no deadline after the deadlines were last computed: the digest
    # computes its deadline from its lines, which say it is a book (an ISBN-10 as ASIN).
    deadlines.refresh(db, seller)
    book = _order(BOOK_ORDER, AS_OF - timedelta(days=5), 1)
    book[1] = OrderItem(BOOK_ORDER, "BK-1", asin="0141439513", title="Pride and Prejudice",
                        quantity_ordered=1, item_price=Decimal("8.99"))
    with db.begin_bulk() as conn:
        writer = Writer(conn)
        for record in book:
            writer.add(record)
        writer.flush()
    return db


def test_the_listed_digest_holds_the_first_orders_of_each_whole_list(busy, seller):
    whole = digest(busy, seller, AS_OF)
    listed = digest(busy, seller, AS_OF, listed=7)
    book = [s for s in whole.late if s.order.order_id == BOOK_ORDER]
    assert len(book) == 1 and book[0].order.items[0].asin == "0141439513"
    for name in ("late", "due_today", "due_next"):
        everything = getattr(whole, name)
        assert len(everything) > 7
        # The same standings, their orders with all their lines (Order equality compares them).
        assert getattr(listed, name) == everything[:7]
        assert all(s.order.items for s in getattr(listed, name))
        assert listed.count(name) == whole.count(name) == len(everything)
    for same in ("new", "shipment_rates", "due_next_days", "open_returns", "last_data"):
        assert getattr(listed, same) == getattr(whole, same)
    # In the terminal: each heading counts them all, and says how many are not listed.
    shown = render.text("digest", digest=listed, seller=seller, width=100)
    for name in ("late", "due_today", "due_next"):
        assert f"({whole.count(name)})\n" in shown
        assert f"  ...and {whole.count(name) - 7} more\n" in shown
    assert "...and" not in render.text("digest", digest=whole, seller=seller, width=100)


def test_slack_shows_the_listed_digest_as_it_showed_the_whole(busy, seller):
    whole = digest(busy, seller, AS_OF)
    listed = digest(busy, seller, AS_OF, listed=DIGEST_LISTED)
    assert len(whole.late) > DIGEST_LISTED and len(whole.due_today) > 0
    assert len(listed.late) == DIGEST_LISTED
    for confirm in (False, True):
        assert (digest_message(listed, seller, confirm=confirm)
                == digest_message(whole, seller, confirm=confirm))
    assert home_view(listed, seller) == home_view(whole, seller)


def test_lines_are_read_for_the_orders_asked_and_only_theirs(busy):
    with busy.begin() as conn:
        orders = queries.open_orders(conn, placed_by=AS_OF, lines=False)
        assert len(orders) > queries.IN_LIST_SIZE and not any(o.items for o in orders)
        # More than one IN list's worth: every other order.
        asked = orders[::2]
        queries.add_lines(conn, asked)
        assert all(o.items for o in asked) and not any(o.items for o in orders[1::2])
        again = {o.order_id: o.items for o in queries.open_orders(conn, placed_by=AS_OF)}
    assert all(o.items == again[o.order_id] for o in asked)
    assert {len(o.items) for o in asked} == {1, 2, 3}
